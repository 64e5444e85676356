// The local back-end of gwb speedrun and gwb study run: runs trained N at a time on threads here,
// one progress line per run on stderr with an ETA; --jobs auto asks the scheduler how many fit.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/train/trainer.h"

namespace gwb::cli {

/// One run of the queue; `request.stop` is set by the queue (SIGINT / SIGTERM).
struct QueuedRun {
  TrainRequest request;
  std::string label;  ///< "[3/8 cpu-small-grassmann] " prefix of its lines ("" : the config name)
};

struct QueueResult {
  std::vector<TrainOutcome> outcomes;  ///< as the runs; run_dir "" for a run never started
  bool stopped = false, failed = false;
};

/// "N" or "auto" (on a CPU one at a time; on a GPU as many as the free memory holds given the
/// largest footprint, measured unless `estimate_only`). InputError (key --jobs) otherwise.
std::int64_t decideLocalJobs(const std::string& jobs, const std::vector<TrainRequest>& runs,
                             bool estimate_only);

/// Trains `runs`, `jobs` at a time; a stop signal starts nothing more and stops the runs going.
QueueResult trainLocally(const std::vector<QueuedRun>& runs, std::int64_t jobs);

/// "1h02m03s".
std::string durationText(double seconds);

}  // namespace gwb::cli
