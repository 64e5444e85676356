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
    ema_sum_ = kEmaDecay * ema_sum_ + (1 - kEmaDecay) * value;  // debiased below
    ema_weight_ = kEmaDecay * ema_weight_ + (1 - kEmaDecay);
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
  /// The debiased exponential moving average (decay 0.98) of the values added so far; 0 before
  /// any. What a spike event compares the spiking value with.
  double ema() const { return ema_weight_ > 0 ? ema_sum_ / ema_weight_ : 0; }
  /// True if `z` (from add) marks a spike.
  bool isSpike(double z) const { return z > threshold_; }
  double threshold() const { return threshold_; }

 private:
  std::size_t window_;
  double threshold_;
  std::size_t min_samples_;
  static constexpr double kEmaDecay = 0.98;
  std::vector<double> values_;
  std::size_t next_ = 0;
  double ema_sum_ = 0, ema_weight_ = 0;
};

}  // namespace gwb
