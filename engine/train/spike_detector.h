// A z-score detector of spikes in a series (loss, gradient norm), as llm.c keeps: the mean and
// standard deviation of the last `window` values; a new value more than `threshold` deviations
// above the mean is a spike. Torch-free.
#pragma once

#include <cmath>
#include <cstddef>
#include <vector>

namespace gwb {

class SpikeDetector {
 public:
  explicit SpikeDetector(std::size_t window = 128, double threshold = 5.0,
                         std::size_t min_samples = 32)
      : window_(window), threshold_(threshold), min_samples_(min_samples) {}

  /// Adds `value`; returns its z-score against the values before it (0 until min_samples are
  /// seen or when they do not vary). Non-finite values are ignored.
  double add(double value) {
    if (!std::isfinite(value)) return 0;
    double z = 0;
    if (values_.size() >= min_samples_) {
      double mean = 0, sq = 0;
      for (double v : values_) mean += v;
      mean /= static_cast<double>(values_.size());
      for (double v : values_) sq += (v - mean) * (v - mean);
      const double sd = std::sqrt(sq / static_cast<double>(values_.size()));
      z = sd > 0 ? (value - mean) / sd : 0;
    }
    if (values_.size() < window_) {
      values_.push_back(value);
    } else {
      values_[next_] = value;
      next_ = (next_ + 1) % window_;
    }
    return z;
  }
  /// True if `z` (from add) marks a spike.
  bool isSpike(double z) const { return z > threshold_; }
  double threshold() const { return threshold_; }

 private:
  std::size_t window_;
  double threshold_;
  std::size_t min_samples_;
  std::vector<double> values_;
  std::size_t next_ = 0;
};

}  // namespace gwb
