// The fused kernels as a torch operation with autograd, and the test whether they apply. Built only
// against a LibTorch with CUDA (GWB_WITH_CUDA); pluckerMean() dispatches here for CUDA tensors.
#pragma once

#include <torch/torch.h>

#include "engine/model/plucker.h"

namespace gwb {

/// True when the kernels compute pluckerMean for z: a CUDA tensor of float or bfloat16, (B, T, r)
/// with 2 <= r <= 64, and at most 32 distinct offsets.
bool fusedPluckerAvailable(const torch::Tensor& z, const PluckerOptions& options);

/// pluckerMean by the fused kernels (one pass per token for all offsets), differentiable.
PluckerMean pluckerMeanFused(const torch::Tensor& z, const PluckerOptions& options);

/// The forward alone into a given (B, T, P) tensor (tests poison it first); no autograd.
void pluckerMeanFusedInto(const torch::Tensor& z, const PluckerOptions& options,
                          torch::Tensor& out);
/// The backward alone: grad_z (B, T, r) of upstream `grad_out` (B, T, P), written into `grad_z`.
void pluckerMeanFusedBackwardInto(const torch::Tensor& z, const torch::Tensor& grad_out,
                                  const PluckerOptions& options, torch::Tensor& grad_z);

}  // namespace gwb
