// The trainer: one run of a task's recipe (SPEC §4, §7) from a RunConfig to a run directory,
// reporting every event to an observer. Torch-free header: the GUI's controller and gwb call it
// the same way. Not thread-safe per run; several runs may train on several threads, each with its
// own random streams. A run directory is trained by one trainer at a time (run_lock.h).
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "engine/config/run_config.h"
#include "engine/runs/events.h"

namespace gwb {

struct TrainRequest {
  RunConfig config;               ///< what to train (ignored when resuming: config.json rules)
  std::string source = "config";  ///< names the configuration in errors
  std::string runs_dir;           ///< where a new run directory is created
  /// Non-empty: continue this run from its newest complete checkpoint (from the start if it has
  /// none yet); a finished run is an InputError.
  std::string resume_dir;
  /// Non-empty: train `config` into exactly this folder (a cluster task): created if absent or
  /// empty; resumed if it holds a stopped, failed or killed run of the same configuration; left
  /// untouched (already_finished) if that run finished; an InputError if it holds another one.
  std::string run_dir;
  /// Non-empty: a new run starts from these weights (safetensors under any reproduction's names,
  /// `init_names` or recognised): weights only, a fresh optimizer, step 0. Recorded in the
  /// provenance, so a run killed before its first checkpoint starts from them again.
  std::string init_from;
  std::string init_names;  ///< naming scheme of init_from ("": recognised from the names)
  const std::atomic<bool>* stop = nullptr;  ///< set to stop after the current step (resumable)
  std::function<void(const std::string&)> progress;  ///< messages for people (data loading...)
};

struct TrainOutcome {
  std::string run_dir;
  RunSummary summary;             ///< status finished | stopped | failed
  bool already_finished = false;  ///< run_dir held a finished run: nothing was trained
};

/// Trains. Bad input (configuration, data, a damaged checkpoint to resume, a step too large for
/// the device's memory) is an InputError thrown before anything is created or changed; a failure
/// during training (a non-finite loss or gradient, out of memory, a full disk) ends the run as
/// failed, keeps the last good checkpoint, and is returned.
TrainOutcome runTraining(const TrainRequest& request, RunObserver& observer);

/// A configuration resolved and validated for the device it would run on (its memory included),
/// with the model's parameter counts: what `gwb train --dry-run` prints and the set-up panel
/// shows.
struct PreparedConfig {
  RunConfig config;
  std::vector<std::pair<std::string, std::int64_t>>
      parameter_counts;         ///< trained parameters per top-level module, in order
  std::int64_t parameters = 0;  ///< trained + frozen
  std::int64_t trained = 0;
  std::int64_t frozen = 0;  ///< a frozen backbone's
  std::int64_t twin = 0;    ///< the size-matched other architecture's trained parameters
  std::string device;       ///< the device it would use
  std::string
      data_source;  ///< the copy of the data it would read (configured, installed, embedded)
  // A frozen backbone (model.backbone distilbert):
  std::string backbone_dir;     ///< the folder it would load ("" if none was found)
  std::string backbone_source;  ///< model.backbone_dir, the installed copy (which), or "none"
  std::string backbone_note;    ///< why `frozen` is 0 when no folder was found
};
PreparedConfig prepareConfig(RunConfig config, const std::string& source);

/// Evaluates checkpoint `checkpoint` ("best" or "last") of the run in `run_dir` on `splits`
/// ("valid", "test"), with the task, data copy and device rules the run trained with (CPU if it
/// trained on one): what `gwb eval RUN_DIR` prints. The events' base fields carry the checkpoint's
/// step. InputError for a bad run directory or checkpoint.
std::vector<EvalEvent> evaluateRunCheckpoint(
    const std::string& run_dir, const std::string& checkpoint,
    const std::vector<std::string>& splits,
    const std::function<void(const std::string&)>& progress = {});

/// The message of an exception as a run's error: LibTorch's without its C++ backtrace, memory
/// exhaustion named as such.
std::string errorText(const std::exception& e);

}  // namespace gwb
