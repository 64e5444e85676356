// Fused Causal Grassmann geometry on the GPU: one warp per token, 4 tokens per block; the
// arithmetic is plucker_math.cuh's (tested on the CPU against the ATen reference), the lanes
// split the Plücker coordinates (forward) and the r coordinates of z (backward), and warp
// shuffles do the reductions. CUDA headers only.
#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include <cstdint>

#include "engine/cuda/plucker_kernels.h"

namespace gwb::fused {
namespace {

constexpr int kWarpsPerBlock = 4;
constexpr int kLanes = 32;

__device__ __forceinline__ float warpSum(float x) {
  for (int offset = kLanes / 2; offset > 0; offset >>= 1)
    x += __shfl_xor_sync(0xffffffffu, x, offset);
  return x;
}

template <typename T>
__global__ void forwardKernel(const T* __restrict__ z, T* __restrict__ out, int tokens,
                              PluckerParams p) {
  extern __shared__ float shared[];  // kWarpsPerBlock x P accumulators
  const int warp = static_cast<int>(threadIdx.x) / kLanes,
            lane = static_cast<int>(threadIdx.x) % kLanes;
  const int token = static_cast<int>(blockIdx.x) * kWarpsPerBlock + warp;
  if (token >= tokens) return;  // the whole warp leaves together
  const int P = pluckerDim(p.r);
  const int b = token / p.T, t = token % p.T;
  const T* base = z + static_cast<std::int64_t>(b) * p.T * p.r;
  const auto row = [&](int s) { return base + static_cast<std::int64_t>(s) * p.r; };
  pluckerMeanToken<float>(p, t, row(t), row, lane, kLanes, warpSum, shared + warp * P,
                          out + static_cast<std::int64_t>(token) * P);
}

template <typename T>
__global__ void backwardKernel(const T* __restrict__ z, const T* __restrict__ grad_out,
                               T* __restrict__ grad_z, int tokens, PluckerParams p) {
  extern __shared__ float shared[];  // kWarpsPerBlock x 2r scratch
  const int warp = static_cast<int>(threadIdx.x) / kLanes,
            lane = static_cast<int>(threadIdx.x) % kLanes;
  const int token = static_cast<int>(blockIdx.x) * kWarpsPerBlock + warp;
  if (token >= tokens) return;
  const int P = pluckerDim(p.r);
  const int b = token / p.T, t = token % p.T;
  const T* base = z + static_cast<std::int64_t>(b) * p.T * p.r;
  const T* gbase = grad_out + static_cast<std::int64_t>(b) * p.T * P;
  const auto row = [&](int s) { return base + static_cast<std::int64_t>(s) * p.r; };
  const auto grad = [&](int s) { return gbase + static_cast<std::int64_t>(s) * P; };
  float* scratch = shared + warp * 2 * p.r;
  pluckerMeanTokenBackward<float, T>(p, t, row, grad, lane, kLanes, warpSum, scratch, scratch + p.r,
                                     grad_z + static_cast<std::int64_t>(token) * p.r);
}

bool valid(const PluckerParams& p, int batch) {
  return batch > 0 && p.T > 0 && p.r >= 2 && p.r <= kMaxR && p.m >= 0 && p.m <= kMaxOffsets;
}

template <typename T>
cudaError_t launchForward(const void* z, void* out, int batch, const PluckerParams& p,
                          cudaStream_t stream) {
  const int tokens = batch * p.T;
  const int blocks = (tokens + kWarpsPerBlock - 1) / kWarpsPerBlock;
  const std::size_t shared = sizeof(float) * kWarpsPerBlock * pluckerDim(p.r);
  forwardKernel<T><<<blocks, kWarpsPerBlock * kLanes, shared, stream>>>(
      static_cast<const T*>(z), static_cast<T*>(out), tokens, p);
  return cudaGetLastError();
}

template <typename T>
cudaError_t launchBackward(const void* z, const void* grad_out, void* grad_z, int batch,
                           const PluckerParams& p, cudaStream_t stream) {
  const int tokens = batch * p.T;
  const int blocks = (tokens + kWarpsPerBlock - 1) / kWarpsPerBlock;
  const std::size_t shared = sizeof(float) * kWarpsPerBlock * 2 * p.r;
  backwardKernel<T><<<blocks, kWarpsPerBlock * kLanes, shared, stream>>>(
      static_cast<const T*>(z), static_cast<const T*>(grad_out), static_cast<T*>(grad_z), tokens,
      p);
  return cudaGetLastError();
}

}  // namespace

cudaError_t pluckerMeanForward(const void* z, void* out, int batch, const PluckerParams& params,
                               Dtype dtype, cudaStream_t stream) {
  if (!valid(params, batch)) return cudaErrorInvalidValue;
  return dtype == Dtype::F32 ? launchForward<float>(z, out, batch, params, stream)
                             : launchForward<__nv_bfloat16>(z, out, batch, params, stream);
}

cudaError_t pluckerMeanBackward(const void* z, const void* grad_out, void* grad_z, int batch,
                                const PluckerParams& params, Dtype dtype, cudaStream_t stream) {
  if (!valid(params, batch)) return cudaErrorInvalidValue;
  return dtype == Dtype::F32
             ? launchBackward<float>(z, grad_out, grad_z, batch, params, stream)
             : launchBackward<__nv_bfloat16>(z, grad_out, grad_z, batch, params, stream);
}

}  // namespace gwb::fused
