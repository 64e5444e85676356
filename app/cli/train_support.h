// Pieces shared by gwb train and gwb speedrun: the dry-run JSON and an observer that prints
// progress for people on stderr (and the run directory as the first stdout line).
#pragma once

#include <atomic>
#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

#include "engine/runs/events.h"
#include "engine/train/trainer.h"

namespace gwb::cli {

/// The flag SIGINT / SIGTERM set (a second signal exits at once with 130), and installing them.
std::atomic<bool>& stopFlag();
void installStopHandlers();

/// {"config": <resolved>, "parameters": {"total": N, "modules": {...}}}
nlohmann::ordered_json dryRunJson(const PreparedConfig& prepared);

/// Prints {"run_dir": ...} on stdout when the run starts, then progress lines on stderr: a step
/// line at most every `interval_s` seconds, every evaluation, checkpoint, log and failure.
class ProgressPrinter : public RunObserver {
 public:
  explicit ProgressPrinter(std::string prefix = "", bool print_run_dir = true,
                           double interval_s = 2.0);
  void onStarted(const RunStart& start) override;
  void onStep(const StepEvent& e) override;
  void onEval(const EvalEvent& e) override;
  void onCheckpoint(const CheckpointEvent& e) override;
  void onLog(const LogEvent& e) override;
  void onSpike(const SpikeEvent& e) override;
  void onFailed(const FailedEvent& e) override;

 private:
  std::string prefix_;
  bool print_run_dir_;
  double interval_s_;
  std::chrono::steady_clock::time_point last_;
};

}  // namespace gwb::cli
