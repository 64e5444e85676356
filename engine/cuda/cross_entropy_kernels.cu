// Fused token cross-entropy on the GPU: one block per row of the (rows, vocab) logits. The forward
// reads the row once, keeping a running maximum and the sum of exponentials below it (the online
// softmax), and writes only the row's loss and logsumexp; the backward reads the row once more and
// writes softmax - onehot, scaled by the row's upstream gradient, in the logits' dtype. Compared
// with log_softmax in fp32 + nll_loss this never materialises (rows, vocab) fp32 tensors (the
// log-probabilities, their gradient, and its cast back to bf16). Rows may be padded (the model pads
// the head to a multiple of 64 classes so that its GEMMs are aligned); the padding is skipped
// forward and gets a zero gradient. Rows are read and written 16 bytes at a time past an unaligned
// head (an unpadded row of 50,257 bf16 starts anywhere). CUDA headers only.
#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include <cmath>
#include <cstdint>

#include "engine/cuda/cross_entropy_kernels.h"

namespace gwb::fused {
namespace {

constexpr int kThreads = 256;
constexpr int kWarps = kThreads / 32;

__device__ __forceinline__ float toFloat(float x) { return x; }
__device__ __forceinline__ float toFloat(__nv_bfloat16 x) { return __bfloat162float(x); }
template <typename T>
__device__ __forceinline__ T fromFloat(float x);
template <>
__device__ __forceinline__ float fromFloat<float>(float x) {
  return x;
}
template <>
__device__ __forceinline__ __nv_bfloat16 fromFloat<__nv_bfloat16>(float x) {
  return __float2bfloat16(x);
}

/// Elements of T in 16 bytes.
template <typename T>
constexpr int kPerVector = 16 / static_cast<int>(sizeof(T));

/// Elements before the first 16-byte boundary of `row` (at most vocab).
template <typename T>
__device__ __forceinline__ std::int64_t alignedHead(const T* row, std::int64_t vocab) {
  const auto address = reinterpret_cast<std::uintptr_t>(row);
  const auto head = static_cast<std::int64_t>(((16 - (address & 15)) & 15) / sizeof(T));
  return head < vocab ? head : vocab;
}

/// Calls f(j, x) for every element x = row[j] of the row, spread over the block's threads.
template <typename T, typename F>
__device__ __forceinline__ void forEachInRow(const T* __restrict__ row, std::int64_t vocab, F&& f) {
  constexpr int N = kPerVector<T>;
  const std::int64_t head = alignedHead(row, vocab);
  const std::int64_t vectors = (vocab - head) / N;
  for (std::int64_t j = threadIdx.x; j < head; j += kThreads) f(j, toFloat(row[j]));
  const uint4* body = reinterpret_cast<const uint4*>(row + head);
  for (std::int64_t i = threadIdx.x; i < vectors; i += kThreads) {
    const uint4 raw = __ldg(body + i);
    const T* values = reinterpret_cast<const T*>(&raw);
#pragma unroll
    for (int k = 0; k < N; ++k) f(head + i * N + k, toFloat(values[k]));
  }
  for (std::int64_t j = head + vectors * N + threadIdx.x; j < vocab; j += kThreads)
    f(j, toFloat(row[j]));
}

/// (m, s) := the running maximum and sum of exp(x - m) of two sets together.
__device__ __forceinline__ void merge(float& m, float& s, float m2, float s2) {
  const float top = fmaxf(m, m2);
  if (top == -INFINITY) return;  // both empty
  s = s * expf(m - top) + s2 * expf(m2 - top);
  m = top;
}

/// The block's logsumexp of the (m, s) pairs of its threads; every thread gets it.
__device__ __forceinline__ float blockLogSumExp(float m, float s) {
  __shared__ float shared_m[kWarps], shared_s[kWarps];
  __shared__ float result;
  for (int offset = 16; offset > 0; offset >>= 1)
    merge(m, s, __shfl_xor_sync(0xffffffffu, m, offset), __shfl_xor_sync(0xffffffffu, s, offset));
  const int warp = static_cast<int>(threadIdx.x) / 32, lane = static_cast<int>(threadIdx.x) % 32;
  if (lane == 0) {
    shared_m[warp] = m;
    shared_s[warp] = s;
  }
  __syncthreads();
  if (warp == 0) {
    m = lane < kWarps ? shared_m[lane] : -INFINITY;
    s = lane < kWarps ? shared_s[lane] : 0.f;
    for (int offset = 16; offset > 0; offset >>= 1)
      merge(m, s, __shfl_xor_sync(0xffffffffu, m, offset), __shfl_xor_sync(0xffffffffu, s, offset));
    if (lane == 0) result = m + logf(s);
  }
  __syncthreads();
  return result;
}

template <typename T>
__global__ void __launch_bounds__(kThreads)
    forwardKernel(const T* __restrict__ logits, const std::int64_t* __restrict__ targets,
                  float* __restrict__ losses, float* __restrict__ lse, std::int64_t vocab,
                  std::int64_t stride) {
  const std::int64_t r = blockIdx.x;
  const T* row = logits + r * stride;
  float m = -INFINITY, s = 0.f;
  forEachInRow(row, vocab, [&](std::int64_t, float x) {
    if (x > m) {
      s = s * expf(m - x) + 1.f;
      m = x;
    } else {
      s += expf(x - m);
    }
  });
  const float row_lse = blockLogSumExp(m, s);
  if (threadIdx.x == 0) {
    const std::int64_t t = targets[r];
    lse[r] = row_lse;
    losses[r] = t >= 0 && t < vocab ? row_lse - toFloat(row[t]) : NAN;
  }
}

template <typename T>
__global__ void __launch_bounds__(kThreads)
    backwardKernel(const T* __restrict__ logits, const std::int64_t* __restrict__ targets,
                   const float* __restrict__ lse, const float* __restrict__ grad_losses,
                   T* __restrict__ grad_logits, std::int64_t vocab, std::int64_t stride) {
  const std::int64_t r = blockIdx.x;
  const T* row = logits + r * stride;
  T* out = grad_logits + r * stride;
  for (std::int64_t j = vocab + threadIdx.x; j < stride; j += kThreads) out[j] = fromFloat<T>(0.f);
  const std::int64_t t = targets[r];
  const float row_lse = lse[r], g = grad_losses[r];
  const auto gradient = [&](std::int64_t j, float x) {
    return fromFloat<T>((expf(x - row_lse) - (j == t ? 1.f : 0.f)) * g);
  };
  constexpr int N = kPerVector<T>;
  const std::int64_t head = alignedHead(row, vocab);
  if (alignedHead(out, vocab) != head) {  // rows aligned differently: element by element
    for (std::int64_t j = threadIdx.x; j < vocab; j += kThreads)
      out[j] = gradient(j, toFloat(row[j]));
    return;
  }
  const std::int64_t vectors = (vocab - head) / N;
  for (std::int64_t j = threadIdx.x; j < head; j += kThreads) out[j] = gradient(j, toFloat(row[j]));
  const uint4* body = reinterpret_cast<const uint4*>(row + head);
  uint4* out_body = reinterpret_cast<uint4*>(out + head);
  for (std::int64_t i = threadIdx.x; i < vectors; i += kThreads) {
    const uint4 raw = __ldg(body + i);
    const T* values = reinterpret_cast<const T*>(&raw);
    uint4 packed;
    T* result = reinterpret_cast<T*>(&packed);
#pragma unroll
    for (int k = 0; k < N; ++k) result[k] = gradient(head + i * N + k, toFloat(values[k]));
    out_body[i] = packed;
  }
  for (std::int64_t j = head + vectors * N + threadIdx.x; j < vocab; j += kThreads)
    out[j] = gradient(j, toFloat(row[j]));
}

bool valid(std::int64_t rows, std::int64_t vocab, std::int64_t stride) {
  return rows >= 0 && rows < (std::int64_t{1} << 31) && vocab > 0 && stride >= vocab;
}

}  // namespace

cudaError_t crossEntropyForward(const void* logits, const std::int64_t* targets, float* losses,
                                float* lse, std::int64_t rows, std::int64_t vocab,
                                std::int64_t stride, Dtype dtype, cudaStream_t stream) {
  if (!valid(rows, vocab, stride)) return cudaErrorInvalidValue;
  if (rows == 0) return cudaSuccess;
  const auto blocks = static_cast<unsigned>(rows);
  if (dtype == Dtype::F32) {
    forwardKernel<float><<<blocks, kThreads, 0, stream>>>(static_cast<const float*>(logits),
                                                          targets, losses, lse, vocab, stride);
  } else {
    forwardKernel<__nv_bfloat16><<<blocks, kThreads, 0, stream>>>(
        static_cast<const __nv_bfloat16*>(logits), targets, losses, lse, vocab, stride);
  }
  return cudaGetLastError();
}

cudaError_t crossEntropyBackward(const void* logits, const std::int64_t* targets, const float* lse,
                                 const float* grad_losses, void* grad_logits, std::int64_t rows,
                                 std::int64_t vocab, std::int64_t stride, Dtype dtype,
                                 cudaStream_t stream) {
  if (!valid(rows, vocab, stride)) return cudaErrorInvalidValue;
  if (rows == 0) return cudaSuccess;
  const auto blocks = static_cast<unsigned>(rows);
  if (dtype == Dtype::F32) {
    backwardKernel<float><<<blocks, kThreads, 0, stream>>>(
        static_cast<const float*>(logits), targets, lse, grad_losses,
        static_cast<float*>(grad_logits), vocab, stride);
  } else {
    backwardKernel<__nv_bfloat16><<<blocks, kThreads, 0, stream>>>(
        static_cast<const __nv_bfloat16*>(logits), targets, lse, grad_losses,
        static_cast<__nv_bfloat16*>(grad_logits), vocab, stride);
  }
  return cudaGetLastError();
}

}  // namespace gwb::fused
