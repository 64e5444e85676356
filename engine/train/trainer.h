// The trainer: one run of the reference recipe (SPEC §4) from a RunConfig to a run directory,
// reporting every event to an observer. Torch-free header: the GUI's controller and gwb call it
// the same way. Not thread-safe per run; several runs may train on several threads.
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "engine/config/run_config.h"
#include "engine/train/events.h"

namespace gwb {

struct TrainRequest {
  RunConfig config;               ///< what to train (ignored when resuming: config.json rules)
  std::string source = "config";  ///< names the configuration in errors
  std::string runs_dir;           ///< where a new run directory is created
  std::string resume_dir;         ///< non-empty: continue this run from its last checkpoint
  const std::atomic<bool>* stop = nullptr;  ///< set to stop after the current step (resumable)
  std::function<void(const std::string&)> progress;  ///< messages for people (data loading...)
};

struct TrainOutcome {
  std::string run_dir;
  RunSummary summary;  ///< status finished | stopped | failed
};

/// Trains. Bad input (configuration, data, a damaged checkpoint to resume) is an InputError
/// thrown before anything is created or changed; a failure during training (a non-finite loss,
/// an exception) ends the run as failed, keeps the last good checkpoint, and is returned.
TrainOutcome runTraining(const TrainRequest& request, RunObserver& observer);

/// A configuration resolved and validated for the device it would run on, with the model's
/// parameter counts: what `gwb train --dry-run` prints and the set-up panel shows.
struct PreparedConfig {
  RunConfig config;
  std::vector<std::pair<std::string, std::int64_t>>
      parameter_counts;  ///< per top-level module, in order
  std::int64_t parameters = 0;
  std::string device;  ///< the device it would use
};
PreparedConfig prepareConfig(RunConfig config, const std::string& source);

}  // namespace gwb
