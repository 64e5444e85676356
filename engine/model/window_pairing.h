// The window pairing of the paper's Grassmann SNLI head (SPEC §7.3): the sequence is cut into
// windows of `window` tokens starting every `stride` tokens (inside each segment: with the separate
// encoding each sentence's part of the concatenated layout is one segment, so windows never
// straddle the two sentences); each token pairs with every other token of its window(s), both
// directions, a pair in two windows counted once, padding never a partner. The normalised Plücker
// vectors of a token's pairs are averaged (per channel group: z is split into `groups` groups with
// a Plücker vector each) before the layer's one shared projection. Twice, as plucker.h does:
//  - the oracle: per token and pair, explicit coordinates, normalised, projected, averaged;
//  - the fast path: for each distance, the pairs' norms (|u||v| sin(theta), from unit vectors,
//    stable for nearly parallel pairs), then, because p(u, v) is bilinear,
//    sum_s w_s p(z_t, z_s) = p(z_t, sum_s w_s z_s) with w_s = 1 / max(|p|, eps): one Plücker
//    vector per token instead of one per pair.
#pragma once

#include <torch/torch.h>

#include <cstdint>

#include "engine/model/plucker.h"

namespace gwb {

struct WindowOptions {
  std::int64_t window = 8;  ///< tokens per window (>= 2)
  std::int64_t stride = 8;  ///< a window starts every `stride` tokens of a segment
  std::int64_t groups = 1;  ///< channel groups of z, each with its own Plücker vector
  bool normalize = true;    ///< p / max(|p|, eps), per group
  double eps = 1e-8;

  /// Plücker coordinates of `r` channels in `groups` groups: groups x C(r / groups, 2).
  std::int64_t pluckerDim(std::int64_t r) const {
    const std::int64_t c = r / groups;
    return groups * c * (c - 1) / 2;
  }
};

/// (T, T) bool on `device`: true where positions t != s share a window. `segment` > 0: positions
/// [k segment, (k + 1) segment) are the k-th segment, windowed on their own; 0: one segment.
torch::Tensor windowPartners(std::int64_t T, std::int64_t segment, const WindowOptions& options,
                             const torch::Device& device = torch::kCPU);

/// The fast path's mean of the normalised Plücker vectors over each token's valid partners,
/// (B, T, pluckerDim(r)), and how many it has, (B, T) (0 at padding and at tokens alone in their
/// windows). z (B, T, r); `mask` (B, T) bool, true = token (undefined: all); `index` is
/// PluckerIndex::make(r / groups).
struct WindowMean {
  torch::Tensor mean;
  torch::Tensor count;
};
WindowMean windowPluckerMean(const torch::Tensor& z, const torch::Tensor& mask,
                             std::int64_t segment, const WindowOptions& options,
                             const PluckerIndex& index);

/// g (B, T, d) = W_plu(mean p_hat) at tokens with partners, 0 elsewhere: the fast path.
torch::Tensor windowGeometry(const torch::Tensor& z, const torch::Tensor& mask,
                             std::int64_t segment, const WindowOptions& options,
                             const PluckerIndex& index, torch::nn::Linear& w_plu);

/// The oracle, by loops over tokens, windows and pairs (slow; tests, in fp64): the mean over the
/// set of a token's partners of W_plu(p_hat(z_t, z_s)), 0 without partners.
torch::Tensor windowGeometryOracle(const torch::Tensor& z, const torch::Tensor& mask,
                                   std::int64_t segment, const WindowOptions& options,
                                   torch::nn::Linear& w_plu);

/// |p(u, v)| per group of u, v (..., groups, c): |u| |v| sin(theta) with sin(theta) =
/// |u/|u| - v/|v|| |u/|u| + v/|v|| / 2 (no cancellation for nearly parallel vectors). (...,
/// groups).
torch::Tensor pluckerNorms(const torch::Tensor& u, const torch::Tensor& v);

}  // namespace gwb
