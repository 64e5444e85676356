// StepMeter.
#include "engine/train/step_meter.h"

#include <cmath>
#include <cstdio>

namespace gwb {

void StepMeter::add(const torch::Tensor& loss, const torch::Tensor& grad_norm, double lr,
                    bool full_batch, std::int64_t tokens) {
  pending_.push_back({loss, grad_norm, lr, full_batch, tokens});
}

StepMeter::Reading StepMeter::read(std::int64_t last_step) {
  Reading out;
  if (pending_.empty()) return out;
  std::vector<torch::Tensor> losses, norms;
  for (const Pending& p : pending_) {
    losses.push_back(p.loss.to(torch::kFloat));
    norms.push_back(p.grad_norm.to(torch::kFloat));
  }
  const torch::Tensor l = torch::stack(losses).to(torch::kCPU, torch::kDouble);
  const torch::Tensor g = torch::stack(norms).to(torch::kCPU, torch::kDouble);
  const double window = std::chrono::duration<double>(Clock::now() - window_start_).count();
  const auto n = static_cast<std::int64_t>(pending_.size());
  const std::int64_t first_step = last_step - n + 1;
  double loss_sum = 0, norm_sum = 0;
  for (std::int64_t i = 0; i < n; ++i) {
    const double loss = l[i].item<double>(), norm = g[i].item<double>();
    const std::int64_t step = first_step + i;
    if (!std::isfinite(loss) || !std::isfinite(norm)) {
      const double bad = std::isfinite(loss) ? norm : loss;
      const char* value = std::isnan(bad) ? "nan" : bad > 0 ? "inf" : "-inf";
      char text[160];
      std::snprintf(text, sizeof text, "non-finite %s (%s) at step %lld",
                    std::isfinite(loss) ? "gradient norm" : "loss", value,
                    static_cast<long long>(step));
      out.non_finite = text;
      out.non_finite_step = step;
      pending_.clear();
      return out;
    }
    loss_sum += loss;
    norm_sum += norm;
    const Pending& p = pending_[static_cast<std::size_t>(i)];
    out.tokens += p.tokens;
    if (!p.full_batch) continue;
    for (const bool on_loss : {true, false}) {
      SpikeDetector& detector = on_loss ? loss_spikes_ : norm_spikes_;
      const double value = on_loss ? loss : norm;
      const double ema = detector.ema();
      const double z = detector.add(value);
      if (!detector.isSpike(z)) continue;
      SpikeEvent e;
      e.step = step;
      e.what = on_loss ? "loss" : "grad_norm";
      e.loss = loss;
      e.grad_norm = norm;
      e.ema = ema;
      e.ratio = ema > 0 ? value / ema : NAN;
      e.z = z;
      out.spikes.push_back(e);
    }
  }
  out.seconds = window;
  out.steps = n;
  out.step.loss = loss_sum / static_cast<double>(n);
  out.step.lr = pending_.back().lr;
  out.step.grad_norm = norm_sum / static_cast<double>(n);
  out.step.tokens_per_s = window > 0 ? static_cast<double>(out.tokens) / window : 0;
  out.step.step_ms = 1000.0 * window / static_cast<double>(n);
  pending_.clear();
  restartWindow();
  return out;
}

}  // namespace gwb
