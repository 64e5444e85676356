// Plücker geometry of Causal Grassmann mixing (SPEC §1.2-1.5) on tensors, twice:
//  - the reference (oracle): per offset, normalise, project with W_plu, then average the
//    projections over the valid offsets of each position, literally as the reference does;
//  - the fast path: average the normalised Plücker vectors first (weighted by how often each
//    offset is listed), then project once: the same function at 1/m the projection cost.
// Shapes: z (B, T, r); Plücker vectors (..., P) with P = r(r-1)/2, pairs i < j in row-major order.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <vector>

namespace gwb {

/// Row and column indices of the P pairs i < j of r coordinates, in torch.triu_indices order,
/// and the same as 0/1 selector matrices (r, P): on a CPU, u @ s0 picks the columns u_i with one
/// GEMM where index_select runs a strided copy per column (hundreds of small kernels per layer,
/// most of a CPU step), and exactly (a product by 1 plus zeros).
struct PluckerIndex {
  torch::Tensor i0, i1;  // (P,) int64
  torch::Tensor s0, s1;  // (r, P) float32 selectors of i0, i1 (CPU only)
  static PluckerIndex make(std::int64_t r, const torch::Device& device);
};

/// p_ij = u_i v_j - u_j v_i for i < j: (..., r) x (..., r) -> (..., P).
torch::Tensor pluckerCoordinates(const torch::Tensor& u, const torch::Tensor& v,
                                 const PluckerIndex& index);

/// The partners of position t for offset delta: z_t paired with z_{t-delta} ("past") or
/// z_{t+delta} ("future_leaky"). Returns (u, v) over the valid positions and the first valid t.
struct OffsetPairs {
  torch::Tensor u, v;      // (B, T - delta, r)
  std::int64_t begin = 0;  // positions [begin, begin + T - delta) of the output own these pairs
};
OffsetPairs offsetPairs(const torch::Tensor& z, std::int64_t delta, bool future);

/// Options shared by both paths.
struct PluckerOptions {
  std::vector<std::int64_t> windows;  // offsets, repeats allowed (they weight the mean)
  bool normalize = true;
  double eps = 1e-8;
  bool future = false;         // pairing future_leaky: t with t + delta only
  bool bidirectional = false;  // classifiers (SPEC §7.2): t with t - delta AND t + delta

  /// The partner directions a position pairs with: past (t - delta) and/or future (t + delta).
  bool pairsPast() const { return bidirectional || !future; }
  bool pairsFuture() const { return bidirectional || future; }
};

/// The oracle: g (B, T, d) = mean over the listed valid pairs of W_plu(p_hat) (0 where none), or
/// with `mean_first` (model.offset_mean mean_then_project) W_plu(mean of p_hat) (its bias where
/// none), each offset looped literally. A pair is valid when its partner lies inside the sequence
/// and, given `mask` (B, T) bool (true = token), both ends are tokens.
torch::Tensor grassmannGeometryReference(const torch::Tensor& z, const PluckerOptions& options,
                                         torch::nn::Linear& w_plu, const torch::Tensor& mask = {},
                                         bool mean_first = false);

/// The fast path's first half: the weighted mean of p_hat over the valid pairs, (B, T, P), and
/// the positions that have at least one valid pair: (T,) bool without a mask (the same for every
/// sequence), (B, T) with one. Unmasked one-directional CUDA tensors go through the fused kernels
/// when the build has them (GWB_WITH_CUDA); everything else through ATen.
struct PluckerMean {
  torch::Tensor mean;
  torch::Tensor valid;
};
PluckerMean pluckerMean(const torch::Tensor& z, const PluckerOptions& options,
                        const PluckerIndex& index, const torch::Tensor& mask = {});

/// The fast path: W_plu(mean p_hat) where a valid pair exists, 0 elsewhere. (B, T, d).
torch::Tensor grassmannGeometryFast(const torch::Tensor& z, const PluckerOptions& options,
                                    const PluckerIndex& index, torch::nn::Linear& w_plu,
                                    const torch::Tensor& mask = {});

}  // namespace gwb
