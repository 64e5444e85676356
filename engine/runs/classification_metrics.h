// What an SNLI evaluation measures (SPEC §7.4), as plain counts: the 3 x 3 confusion matrix (rows
// gold, columns predicted), accuracy, accuracy per gold class, and the mean cross-entropy.
// Torch-free, so the arithmetic is tested on constructed predictions.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "engine/runs/events.h"

namespace gwb {

struct ClassificationCounts {
  std::array<std::array<std::int64_t, kClasses>, kClasses> confusion{};
  double loss_sum = 0;  ///< summed cross-entropy of the examples added
  std::int64_t examples = 0;

  /// One example: gold and predicted class in [0, 3), its loss.
  void add(int gold, int predicted, double loss = 0);
  /// Correct / examples (0 without examples).
  double accuracy() const;
  /// Per gold class: correct / examples of that class (0 for a class with none).
  std::vector<double> perClassAccuracy() const;
  /// Fills an eval event's classification fields (split and base fields are the caller's).
  void fill(EvalEvent& e) const;
};

}  // namespace gwb
