// The fused Grassmann kernels' C++ interface: device pointers, sizes and a CUDA stream only (no
// torch), so that nvcc compiles the kernels anywhere and the torch glue calls them.
#pragma once

#include <cuda_runtime_api.h>

#include "engine/cuda/kernel_dtype.h"
#include "engine/cuda/plucker_math.cuh"

namespace gwb::fused {

/// Largest reduced dimension the kernels take (shared memory per warp: P floats).
constexpr int kMaxR = 64;

/// z (B, T, r) -> out (B, T, P): per token the weighted mean of the normalised Plücker vectors of
/// its valid offsets (0 where none). Same dtype in and out, fp32 accumulation. Asynchronous.
cudaError_t pluckerMeanForward(const void* z, void* out, int batch, const PluckerParams& params,
                               Dtype dtype, cudaStream_t stream);

/// grad_out (B, T, P) -> grad_z (B, T, r) for the same z. Writes every element of grad_z.
cudaError_t pluckerMeanBackward(const void* z, const void* grad_out, void* grad_z, int batch,
                                const PluckerParams& params, Dtype dtype, cudaStream_t stream);

}  // namespace gwb::fused
