// Plücker coordinates and the two geometry paths.
#include "engine/model/plucker.h"

#include <map>

#ifdef GWB_WITH_CUDA
#include "engine/model/plucker_fused.h"
#endif

namespace gwb {

PluckerIndex PluckerIndex::make(std::int64_t r, const torch::Device& device) {
  const torch::Tensor iu =
      torch::triu_indices(r, r, 1, torch::TensorOptions().dtype(torch::kLong).device(device));
  PluckerIndex index{iu[0].contiguous(), iu[1].contiguous(), {}, {}};
  if (device.is_cpu()) {
    index.s0 = torch::one_hot(index.i0, r).t().to(torch::kFloat).contiguous();  // (r, P)
    index.s1 = torch::one_hot(index.i1, r).t().to(torch::kFloat).contiguous();
  }
  return index;
}

torch::Tensor pluckerCoordinates(const torch::Tensor& u, const torch::Tensor& v,
                                 const PluckerIndex& index) {
  if (index.s0.defined() && u.is_cpu()) {
    const torch::Tensor s0 = index.s0.to(u.scalar_type()), s1 = index.s1.to(u.scalar_type());
    return torch::matmul(u, s0) * torch::matmul(v, s1) -
           torch::matmul(u, s1) * torch::matmul(v, s0);
  }
  const torch::Tensor ui = u.index_select(-1, index.i0), uj = u.index_select(-1, index.i1);
  const torch::Tensor vi = v.index_select(-1, index.i0), vj = v.index_select(-1, index.i1);
  return ui * vj - uj * vi;
}

OffsetPairs offsetPairs(const torch::Tensor& z, std::int64_t delta, bool future) {
  const std::int64_t T = z.size(1);
  const std::int64_t n = T - delta;
  if (!future) return {z.narrow(1, delta, n), z.narrow(1, 0, n), delta};  // z_t, z_{t-delta}
  return {z.narrow(1, 0, n), z.narrow(1, delta, n), 0};                   // z_t, z_{t+delta}
}

namespace {

// Zero-pads x (B, n, C) along time to (B, T, C), its rows starting at `begin`.
torch::Tensor padTime(const torch::Tensor& x, std::int64_t begin, std::int64_t T) {
  return torch::constant_pad_nd(x, {0, 0, begin, T - begin - x.size(1)}, 0);
}

torch::Tensor normalized(const torch::Tensor& p, const PluckerOptions& options) {
  if (!options.normalize) return p;
  return p / p.norm(2, -1, /*keepdim=*/true).clamp_min(options.eps);
}

}  // namespace

namespace {

// The pairs of one offset and direction with their validity weights: u (B, n, r) at positions
// [begin, begin + n), v their partners, and w (B or 1, n, 1) = 1 where both ends are tokens.
struct WeightedPairs {
  OffsetPairs pairs;
  torch::Tensor w;
};
WeightedPairs weightedPairs(const torch::Tensor& z, std::int64_t delta, bool future,
                            const torch::Tensor& mask) {
  const std::int64_t n = z.size(1) - delta;
  WeightedPairs out{offsetPairs(z, delta, future), {}};
  if (mask.defined()) {
    const torch::Tensor m = mask.to(z.scalar_type()).unsqueeze(-1);  // (B, T, 1)
    const std::int64_t partner = future ? delta : 0;
    out.w = m.narrow(1, out.pairs.begin, n) * m.narrow(1, partner, n);
  } else {
    out.w = torch::ones({1, n, 1}, z.options());
  }
  return out;
}

std::vector<bool> directions(const PluckerOptions& options) {
  std::vector<bool> out;  // false: past partner, true: future partner
  if (options.pairsPast()) out.push_back(false);
  if (options.pairsFuture()) out.push_back(true);
  return out;
}

}  // namespace

torch::Tensor grassmannGeometryReference(const torch::Tensor& z, const PluckerOptions& options,
                                         torch::nn::Linear& w_plu, const torch::Tensor& mask,
                                         bool mean_first) {
  const std::int64_t B = z.size(0), T = z.size(1);
  const std::int64_t d = w_plu->weight.size(0);
  const std::int64_t P = z.size(2) * (z.size(2) - 1) / 2;
  const PluckerIndex index = PluckerIndex::make(z.size(2), z.device());
  // Sum of projections (B, T, d), or of the vectors themselves (B, T, P) with mean_first.
  torch::Tensor acc = torch::zeros({B, T, mean_first ? P : d}, z.options());
  torch::Tensor count = torch::zeros({mask.defined() ? B : 1, T, 1}, z.options());
  for (const std::int64_t delta : options.windows) {
    if (delta >= T) continue;
    for (const bool future : directions(options)) {
      const WeightedPairs wp = weightedPairs(z, delta, future, mask);
      const torch::Tensor p =
          normalized(pluckerCoordinates(wp.pairs.u, wp.pairs.v, index), options);  // (B, T-δ, P)
      acc = acc + padTime((mean_first ? p : w_plu(p)) * wp.w, wp.pairs.begin, T);
      count = count + padTime(wp.w, wp.pairs.begin, T);
    }
  }
  const torch::Tensor mean = acc / count.clamp_min(1);
  return mean_first ? w_plu(mean) : mean;
}

PluckerMean pluckerMean(const torch::Tensor& z, const PluckerOptions& options,
                        const PluckerIndex& index, const torch::Tensor& mask) {
#ifdef GWB_WITH_CUDA
  if (!mask.defined() && !options.bidirectional && fusedPluckerAvailable(z, options))
    return pluckerMeanFused(z, options);  // one pass, CUDA
#endif
  const std::int64_t B = z.size(0), T = z.size(1);
  const std::int64_t P = index.i0.size(0);
  std::map<std::int64_t, int> multiplicity;  // a repeated offset counts once per listing
  for (const std::int64_t delta : options.windows) ++multiplicity[delta];
  torch::Tensor sum = torch::zeros({B, T, P}, z.options());
  torch::Tensor weight = torch::zeros({mask.defined() ? B : 1, T, 1}, z.options());
  for (const auto& [delta, times] : multiplicity) {
    if (delta >= T) continue;
    for (const bool future : directions(options)) {
      const WeightedPairs wp = weightedPairs(z, delta, future, mask);
      torch::Tensor p =
          normalized(pluckerCoordinates(wp.pairs.u, wp.pairs.v, index), options);  // (B, T-δ, P)
      torch::Tensor w = wp.w;
      if (times != 1) w = w * static_cast<double>(times);
      sum = sum + padTime(mask.defined() || times != 1 ? p * w : p, wp.pairs.begin, T);
      weight = weight + padTime(w, wp.pairs.begin, T);
    }
  }
  const torch::Tensor valid = mask.defined() ? weight.squeeze(-1) > 0 : weight.view({T}) > 0;
  return {sum / weight.clamp_min(1), valid};
}

torch::Tensor grassmannGeometryFast(const torch::Tensor& z, const PluckerOptions& options,
                                    const PluckerIndex& index, torch::nn::Linear& w_plu,
                                    const torch::Tensor& mask) {
  const PluckerMean mean = pluckerMean(z, options, index, mask);
  const torch::Tensor g = w_plu(mean.mean);  // (B, T, d): one 496 -> d product per layer
  const torch::Tensor valid =
      mean.valid.dim() == 2 ? mean.valid.unsqueeze(-1) : mean.valid.view({1, -1, 1});
  return g * valid.to(g.scalar_type());
}

}  // namespace gwb
