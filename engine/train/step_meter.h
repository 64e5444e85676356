// Metering the training steps between two reads of their results: each step's loss and gradient
// norm stay on the device until every log_every steps they are read in one synchronisation (the
// loop's only one), checked for non-finite values, averaged into one step event with the window's
// throughput (evaluations, probes and checkpoints restart the window: their time is not training
// time), and fed to the loss and gradient-norm spike detectors (llm.c's z-score). Engine-internal.
#pragma once

#include <torch/torch.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/runs/events.h"
#include "engine/train/spike_detector.h"

namespace gwb {

class StepMeter {
 public:
  StepMeter() { restartWindow(); }

  /// One optimizer step's results (device scalars), its rate, whether its batch was full (an
  /// epoch's last, partial batch is noisier by sampling alone: the detectors do not see it) and
  /// the tokens it adds.
  void add(const torch::Tensor& loss, const torch::Tensor& grad_norm, double lr, bool full_batch,
           std::int64_t tokens);
  bool empty() const { return pending_.empty(); }
  /// Starts the throughput window anew.
  void restartWindow() { window_start_ = Clock::now(); }

  /// What one read found. Base fields of the events are the caller's to fill (the step of a
  /// spike excepted).
  struct Reading {
    StepEvent step;                  ///< loss, lr, grad_norm, tokens_per_s, step_ms
    std::vector<SpikeEvent> spikes;  ///< in step order
    /// "non-finite loss (nan) at step N" for the first such step (the rest is then dropped).
    std::optional<std::string> non_finite;
    std::int64_t non_finite_step = -1;
    double seconds = 0;       ///< the window's training seconds
    std::int64_t tokens = 0;  ///< and tokens
    std::int64_t steps = 0;   ///< and steps
  };
  /// Reads the pending steps; `last_step` is the optimizer step (1-based count) of the last one.
  Reading read(std::int64_t last_step);

 private:
  using Clock = std::chrono::steady_clock;
  struct Pending {
    torch::Tensor loss, grad_norm;
    double lr;
    bool full_batch;
    std::int64_t tokens;
  };
  std::vector<Pending> pending_;
  SpikeDetector loss_spikes_, norm_spikes_;
  Clock::time_point window_start_;
};

}  // namespace gwb
