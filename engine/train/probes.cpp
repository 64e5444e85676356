// Histograms with torch::histc on CPU doubles; effective rank from the singular values.
#include "engine/train/probes.h"

#include <cmath>

namespace gwb {
namespace {

std::vector<double> edges(double lo, double hi, std::int64_t bins) {
  std::vector<double> out(static_cast<std::size_t>(bins + 1));
  for (std::int64_t i = 0; i <= bins; ++i)
    out[i] = lo + (hi - lo) * static_cast<double>(i) / static_cast<double>(bins);
  return out;
}

std::vector<std::int64_t> histogram(const torch::Tensor& values, double lo, double hi,
                                    std::int64_t bins) {
  // Values outside [lo, hi] are counted in the end bins, so counts always sum to numel.
  const torch::Tensor h =
      torch::histc(values.to(torch::kCPU, torch::kDouble).clamp(lo, hi).flatten(), bins, lo, hi);
  std::vector<std::int64_t> out(static_cast<std::size_t>(bins));
  const auto* p = h.data_ptr<double>();
  for (std::int64_t i = 0; i < bins; ++i) out[i] = static_cast<std::int64_t>(std::llround(p[i]));
  return out;
}

}  // namespace

double effectiveRank(const torch::Tensor& rows) {
  if (rows.numel() == 0) return 0;
  const torch::Tensor s = at::linalg_svdvals(rows.to(torch::kCPU, torch::kDouble));
  const double total = s.sum().item<double>();
  if (!(total > 0)) return 0;
  const torch::Tensor q = s / total;
  const torch::Tensor terms = torch::where(q > 0, q * q.log(), torch::zeros_like(q));
  return std::exp(-terms.sum().item<double>());
}

ProbeResult runProbes(LanguageModelImpl& model, const torch::Tensor& ids, const torch::Tensor& mask,
                      const ProbesConfig& config) {
  ProbeResult result;
  const ModelConfig& mc = model.config();
  if (mc.arch != "grassmann") return result;
  torch::NoGradGuard no_grad;
  const bool was_training = model.is_training();
  model.eval();
  std::vector<GrassmannCapture> captures;
  model.hidden(ids, &captures, mask);
  if (was_training) model.train();
  return probeEvents(captures, mc.plucker_eps, config);
}

ProbeResult probeEvents(const std::vector<GrassmannCapture>& captures, double plucker_eps,
                        const ProbesConfig& config) {
  ProbeResult result;
  for (std::size_t layer = 0; layer < captures.size(); ++layer) {
    const GrassmannCapture& c = captures[layer];
    AlphaEvent alpha;
    alpha.layer = static_cast<std::int64_t>(layer);
    alpha.edges = edges(0, 1, config.alpha_bins);
    alpha.counts = histogram(c.alpha, 0, 1, config.alpha_bins);
    const torch::Tensor a = c.alpha.to(torch::kCPU, torch::kDouble);
    alpha.mean = a.mean().item<double>();
    alpha.share_above = (a > 0.95).to(torch::kDouble).mean().item<double>();
    alpha.share_below = (a < 0.05).to(torch::kDouble).mean().item<double>();
    result.alpha.push_back(std::move(alpha));

    for (std::size_t k = 0; k < c.offsets.size(); ++k) {
      PluckerEvent p;
      p.layer = static_cast<std::int64_t>(layer);
      p.offset = c.offsets[k];
      const torch::Tensor norms = c.norms[k].to(torch::kCPU, torch::kDouble);
      p.norm_edges = edges(kLogNormMin, kLogNormMax, config.plucker_bins);
      p.norm_counts =
          histogram(norms.clamp_min(1e-300).log10(), kLogNormMin, kLogNormMax, config.plucker_bins);
      const torch::Tensor degrees =
          c.cosines[k].to(torch::kCPU, torch::kDouble).clamp(0, 1).acos() * (180.0 / M_PI);
      p.angle_edges = edges(0, 90, config.plucker_bins);
      p.angle_counts = histogram(degrees, 0, 90, config.plucker_bins);
      p.degenerate_share = (norms < plucker_eps).to(torch::kDouble).mean().item<double>();
      p.effective_rank = effectiveRank(c.p_hat[k]);
      result.plucker.push_back(std::move(p));
    }
  }
  return result;
}

}  // namespace gwb
