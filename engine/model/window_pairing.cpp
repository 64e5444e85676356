// Window pairing: the partner table, the fast path (per distance, bilinearity) and the oracle.
#include "engine/model/window_pairing.h"

#include <algorithm>
#include <set>
#include <vector>

namespace gwb {
namespace {

// The windows [begin, end) of a sequence of T positions, segment by segment.
std::vector<std::pair<std::int64_t, std::int64_t>> windowsOf(std::int64_t T, std::int64_t segment,
                                                             const WindowOptions& o) {
  const std::int64_t L = segment > 0 ? segment : T;
  std::vector<std::pair<std::int64_t, std::int64_t>> out;
  for (std::int64_t s0 = 0; s0 < T; s0 += L) {
    const std::int64_t s1 = std::min(s0 + L, T);
    for (std::int64_t w0 = s0; w0 < s1; w0 += o.stride)
      out.emplace_back(w0, std::min(w0 + o.window, s1));
  }
  return out;
}

// Zero-pads x (B, n, ...) along time (dim 1) to T rows, its rows starting at `begin`.
torch::Tensor padTime(const torch::Tensor& x, std::int64_t begin, std::int64_t T) {
  std::vector<std::int64_t> pad(2 * static_cast<std::size_t>(x.dim() - 2), 0);
  pad.push_back(begin);
  pad.push_back(T - begin - x.size(1));
  return torch::constant_pad_nd(x, pad, 0);
}

}  // namespace

torch::Tensor windowPartners(std::int64_t T, std::int64_t segment, const WindowOptions& options,
                             const torch::Device& device) {
  torch::Tensor a = torch::zeros({T, T}, torch::kBool);
  auto acc = a.accessor<bool, 2>();
  for (const auto& [begin, end] : windowsOf(T, segment, options)) {
    for (std::int64_t t = begin; t < end; ++t)
      for (std::int64_t s = begin; s < end; ++s) acc[t][s] = t != s;
  }
  return a.to(device);
}

torch::Tensor pluckerNorms(const torch::Tensor& u, const torch::Tensor& v) {
  constexpr double kTiny = 1e-30;  // a zero vector: its unit vector is 0 and so is |p|
  const torch::Tensor nu = u.norm(2, -1, /*keepdim=*/true), nv = v.norm(2, -1, true);
  const torch::Tensor a = u / nu.clamp_min(kTiny), b = v / nv.clamp_min(kTiny);
  const torch::Tensor sin = (a - b).norm(2, -1) * (a + b).norm(2, -1) * 0.5;
  return nu.squeeze(-1) * nv.squeeze(-1) * sin;
}

WindowMean windowPluckerMean(const torch::Tensor& z, const torch::Tensor& mask,
                             std::int64_t segment, const WindowOptions& options,
                             const PluckerIndex& index) {
  const std::int64_t B = z.size(0), T = z.size(1), r = z.size(2);
  const std::int64_t G = options.groups, c = r / G;
  const torch::Tensor zg = z.view({B, T, G, c});                       // (B, T, G, c)
  const torch::Tensor partners = windowPartners(T, segment, options);  // (T, T), on the host
  const torch::Tensor m =
      mask.defined() ? mask.to(z.scalar_type()) : torch::ones({B, T}, z.options());  // (B, T)
  torch::Tensor y = torch::zeros_like(zg);                  // sum over partners of w * z_s
  torch::Tensor count = torch::zeros({B, T}, z.options());  // partners per token
  for (std::int64_t delta = 1; delta < std::min(options.window, T); ++delta) {
    const std::int64_t n = T - delta;
    const torch::Tensor shares = partners.diagonal(delta);  // (n,): t and t + delta share one
    if (!shares.any().item<bool>()) continue;               // (host: no device synchronisation)
    const torch::Tensor share = shares.to(z.device(), z.scalar_type());
    const torch::Tensor valid = share.view({1, n}) * m.narrow(1, 0, n) * m.narrow(1, delta, n);
    const torch::Tensor u = zg.narrow(1, 0, n), v = zg.narrow(1, delta, n);  // (B, n, G, c)
    torch::Tensor w = valid.unsqueeze(-1).expand({B, n, G});                 // (B, n, G)
    if (options.normalize) w = w / pluckerNorms(u, v).clamp_min(options.eps);
    // Pair (t, t + delta) from both ends: t's partner is v, (t + delta)'s is u; |p| is shared.
    y = y + padTime(w.unsqueeze(-1) * v, 0, T) + padTime(w.unsqueeze(-1) * u, delta, T);
    count = count + padTime(valid, 0, T) + padTime(valid, delta, T);
  }
  // Bilinearity: sum_s w_s p(z_t, z_s) = p(z_t, y_t), per group.
  const torch::Tensor sum = pluckerCoordinates(zg, y, index).reshape({B, T, -1});  // (B, T, P)
  return {sum / count.clamp_min(1).unsqueeze(-1), count};
}

torch::Tensor windowGeometry(const torch::Tensor& z, const torch::Tensor& mask,
                             std::int64_t segment, const WindowOptions& options,
                             const PluckerIndex& index, torch::nn::Linear& w_plu) {
  const WindowMean mean = windowPluckerMean(z, mask, segment, options, index);
  const torch::Tensor g = w_plu(mean.mean);  // (B, T, d): one projection per layer
  return g * (mean.count > 0).unsqueeze(-1).to(g.scalar_type());
}

torch::Tensor windowGeometryOracle(const torch::Tensor& z, const torch::Tensor& mask,
                                   std::int64_t segment, const WindowOptions& options,
                                   torch::nn::Linear& w_plu) {
  const std::int64_t B = z.size(0), T = z.size(1), r = z.size(2);
  const std::int64_t G = options.groups, c = r / G;
  const auto windows = windowsOf(T, segment, options);
  const torch::Tensor zc = z.to(torch::kCPU);
  const torch::Tensor mc =
      mask.defined() ? mask.to(torch::kCPU) : torch::ones({B, T}, torch::kBool);
  const std::int64_t d = w_plu->weight.size(0);
  torch::Tensor out = torch::zeros({B, T, d}, z.options());
  for (std::int64_t b = 0; b < B; ++b) {
    for (std::int64_t t = 0; t < T; ++t) {
      if (!mc[b][t].item<bool>()) continue;
      std::set<std::int64_t> partners;  // a pair in two windows counts once
      for (const auto& [begin, end] : windows) {
        if (t < begin || t >= end) continue;
        for (std::int64_t s = begin; s < end; ++s)
          if (s != t && mc[b][s].item<bool>()) partners.insert(s);
      }
      if (partners.empty()) continue;
      torch::Tensor acc = torch::zeros({d}, z.options());
      for (const std::int64_t s : partners) {
        std::vector<torch::Tensor> coords;
        for (std::int64_t k = 0; k < G; ++k) {
          const torch::Tensor u = zc[b][t].narrow(0, k * c, c), v = zc[b][s].narrow(0, k * c, c);
          std::vector<torch::Tensor> p;
          for (std::int64_t i = 0; i < c; ++i)
            for (std::int64_t j = i + 1; j < c; ++j) p.push_back(u[i] * v[j] - u[j] * v[i]);
          torch::Tensor pk = torch::stack(p);
          if (options.normalize) pk = pk / pk.norm().clamp_min(options.eps);
          coords.push_back(pk);
        }
        acc = acc + w_plu(torch::cat(coords).to(z.device()));
      }
      out[b][t] = acc / static_cast<double>(partners.size());
    }
  }
  return out;
}

}  // namespace gwb
