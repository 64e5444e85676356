// Learning-rate schedules of SPEC §4, per optimizer step: linear warm-up from 0 to lr over
// warmup_steps, then "cosine" to min_lr over all remaining steps, "cosine_per_epoch" restarting
// each epoch (Arledge's recipe), or "constant". Torch-free.
#pragma once

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
  std::int64_t steps_per_epoch = 1;  ///< for cosine_per_epoch

  /// The rate for the optimizer step with 0-based index `step`.
  double at(std::int64_t step) const {
    if (step < warmup_steps)
      return lr * static_cast<double>(step + 1) / static_cast<double>(warmup_steps);
    if (kind == "constant") return lr;
    double progress = 0;
    if (kind == "cosine_per_epoch") {
      progress = static_cast<double>(step % steps_per_epoch) / static_cast<double>(steps_per_epoch);
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
