// The fused cross-entropy kernels as a torch operation with autograd, and the test whether they
// apply. Built only against a LibTorch with CUDA (GWB_WITH_CUDA); tokenLosses() dispatches here
// for CUDA logits.
#pragma once

#include <torch/torch.h>

namespace gwb {

/// False when the environment sets GWB_FUSED_CROSS_ENTROPY=0 (ATen's log_softmax + nll_loss then,
/// for comparison, and no padded head).
bool fusedCrossEntropyEnabled();

/// True when the kernels compute the losses of `logits`: enabled, a CUDA tensor of float or
/// bfloat16, (rows, width), with int64 `targets` (rows) on the same device.
bool fusedCrossEntropyAvailable(const torch::Tensor& logits, const torch::Tensor& targets);

/// Per-row losses logsumexp(row) - row[target] (fp32, (rows)) over the first `classes` columns of
/// `logits` (all when negative; the others are padding), differentiable in `logits` (the padding
/// gets a zero gradient).
torch::Tensor crossEntropyFused(const torch::Tensor& logits, const torch::Tensor& targets,
                                std::int64_t classes = -1);

/// The forward alone into given fp32 (rows) tensors (tests poison them first); no autograd.
void crossEntropyFusedInto(const torch::Tensor& logits, const torch::Tensor& targets,
                           torch::Tensor& losses, torch::Tensor& lse, std::int64_t classes = -1);
/// The backward alone: grad_logits (rows, width) of upstream `grad_losses` (rows), written into
/// `grad_logits` (contiguous, the logits' shape and dtype).
void crossEntropyFusedBackwardInto(const torch::Tensor& logits, const torch::Tensor& targets,
                                   const torch::Tensor& lse, const torch::Tensor& grad_losses,
                                   torch::Tensor& grad_logits, std::int64_t classes = -1);

}  // namespace gwb
