// Learning-rate schedules of SPEC §4 and §8, per optimizer step: a linear warm-up to lr over
// warmup_steps (from one: lr (s + 1) / (W + 1), the reference's; from zero: lr s / W), then
// "cosine" to min_lr over all remaining steps (stepped every batch), "cosine_per_epoch" restarting
// each epoch, "constant", or "cosine_epochwise" (constant within epoch e of E, cosine over the
// epochs: PyTorch's CosineAnnealingLR(T_max = epochs) stepped once an epoch). Torch-free.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>

namespace gwb {

struct LrSchedule {
  std::string kind = "cosine";
  double lr = 6e-4;
  double min_lr = 6e-5;
  std::int64_t warmup_steps = 100;
  std::int64_t total_steps = 1;      ///< steps of the whole run (after max_steps)
  std::int64_t steps_per_epoch = 1;  ///< for cosine_per_epoch and cosine_epochwise
  std::string warmup_from = "one";   ///< "one" or "zero"
  std::int64_t epochs = 1;           ///< for cosine_epochwise

  /// The rate for the optimizer step with 0-based index `step`.
  double at(std::int64_t step) const {
    if (step < warmup_steps) {
      const auto W = static_cast<double>(warmup_steps), s = static_cast<double>(step);
      return warmup_from == "zero" ? lr * s / W : lr * (s + 1) / (W + 1);
    }
    if (kind == "constant") return lr;
    double progress = 0;
    if (kind == "cosine_per_epoch") {
      progress = static_cast<double>(step % steps_per_epoch) / static_cast<double>(steps_per_epoch);
    } else if (kind == "cosine_epochwise") {
      progress = static_cast<double>(step / std::max<std::int64_t>(1, steps_per_epoch)) /
                 static_cast<double>(std::max<std::int64_t>(1, epochs));
    } else {
      const std::int64_t span = total_steps - warmup_steps;
      progress =
          span > 0 ? static_cast<double>(step - warmup_steps) / static_cast<double>(span) : 1.0;
    }
    progress = std::min(1.0, std::max(0.0, progress));
    return min_lr + 0.5 * (lr - min_lr) * (1.0 + std::cos(M_PI * progress));
  }
};

}  // namespace gwb
