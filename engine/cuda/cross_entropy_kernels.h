// The fused cross-entropy kernels' C++ interface: device pointers, sizes and a CUDA stream only
// (no torch), so that nvcc compiles the kernels anywhere and the torch glue calls them.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

#include "engine/cuda/kernel_dtype.h"

namespace gwb::fused {

/// logits: `rows` rows `stride` elements apart, of which the first `vocab` are the classes (the
/// rest is padding that makes the head's GEMMs aligned, never read). targets (rows) -> losses
/// (rows) = logsumexp(row) - row[target] and lse (rows) = logsumexp(row), both fp32, one read of
/// the logits, fp32 arithmetic. A target outside [0, vocab) gives a NaN loss. Asynchronous.
cudaError_t crossEntropyForward(const void* logits, const std::int64_t* targets, float* losses,
                                float* lse, std::int64_t rows, std::int64_t vocab,
                                std::int64_t stride, Dtype dtype, cudaStream_t stream);

/// grad_logits, laid out as the logits: (softmax(row) - onehot(target)) * grad_losses[row] in the
/// first `vocab` elements of each row and 0 in its padding, in the logits' dtype, from the lse of
/// the forward. Writes every element of every row. Asynchronous.
cudaError_t crossEntropyBackward(const void* logits, const std::int64_t* targets, const float* lse,
                                 const float* grad_losses, void* grad_logits, std::int64_t rows,
                                 std::int64_t vocab, std::int64_t stride, Dtype dtype,
                                 cudaStream_t stream);

}  // namespace gwb::fused
