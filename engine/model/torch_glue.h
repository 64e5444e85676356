// What the torch glue of every fused kernel needs: the kernels' dtype of a tensor and turning a
// launch's cudaError_t into a torch error. Built only with GWB_WITH_CUDA.
#pragma once

#include <cuda_runtime_api.h>
#include <torch/torch.h>

#include "engine/cuda/kernel_dtype.h"

namespace gwb::fused {

/// BF16 for bfloat16 tensors, F32 otherwise (callers admit only these two).
inline Dtype dtypeOf(const torch::Tensor& t) {
  return t.scalar_type() == torch::kBFloat16 ? Dtype::BF16 : Dtype::F32;
}

/// Throws, naming `what`, unless the launch succeeded.
inline void checkLaunch(cudaError_t error, const char* what) {
  TORCH_CHECK(error == cudaSuccess, what, ": ", cudaGetErrorString(error));
}

}  // namespace gwb::fused
