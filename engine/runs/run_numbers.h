// What a run has measured so far, derived from its events in one place: the step it is at, its
// validations (best, latest, and every one for comparisons at a common step), its test numbers,
// its recent pace (tokens/s and seconds per step over the last steps since it last resumed, so a
// pause or a loaded hour long ago does not spoil it), its resumes and spikes. Every view, `gwb
// report`, sweeps and studies take a run's numbers from here. Torch-free, Qt-free.
#pragma once

#include <cmath>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/runs/events.h"
#include "engine/runs/metrics_reader.h"

namespace gwb {

/// One validation, as every reader needs it.
struct Validation {
  std::int64_t step = 0, tokens = 0;
  double time = 0;
  double value = 0;       ///< perplexity (as train.eval_mean reports) or accuracy (fraction)
  double loss = 0;        ///< as reported
  double token_loss = 0;  ///< token-weighted (LM; the loss itself for SNLI)
};

/// How a run directory stands (from its files; "queued" is the GUI queue's own word).
enum class RunStatus { Running, Finished, Stopped, Failed, Killed, Deleted, Unreadable };
/// "running", "finished", "stopped", "failed", "killed", "deleted", "unreadable".
const char* statusName(RunStatus status);
/// Whether a run in this state can be continued (stopped, failed, killed).
bool resumable(RunStatus status);

class RunNumbers {
 public:
  /// Adds events in file order; a resumed run's repeated steps replace the earlier records.
  void add(const MetricsEvents& events);
  void addStep(const StepEvent& e);
  void addEval(const EvalEvent& e);
  void addResumed(const ResumedEvent& e);
  void addSpike(const SpikeEvent& e);
  void addEnd(const std::optional<FinishedEvent>& finished,
              const std::optional<FailedEvent>& failed);

  std::string task() const { return task_; }  ///< "wikitext2", "snli" or "" before an evaluation
  bool classification() const { return task_ == "snli"; }
  std::int64_t step() const { return step_; }  ///< optimizer steps of the last event
  std::int64_t epoch() const { return epoch_; }
  std::int64_t tokens() const { return tokens_; }
  double time() const { return time_; }  ///< run seconds at that event
  /// Validations by step (the last record of a step wins).
  const std::map<std::int64_t, Validation>& validations() const { return valid_; }
  /// The best validation: lowest perplexity or highest accuracy.
  std::optional<Validation> bestValid() const;
  /// The lowest token-weighted validation loss (language models).
  std::optional<double> bestValidTokenLoss() const;
  std::optional<Validation> latestValid() const;
  /// The test evaluation (after a run finished), if any: perplexity or accuracy, and per class.
  std::optional<double> test() const { return test_; }
  const std::vector<double>& testPerClass() const { return test_per_class_; }
  /// Training tokens per second over the recent step events (since the last resume); none
  /// before two steps.
  std::optional<double> recentTokensPerSecond() const;
  /// Wall seconds per optimizer step over the same steps, validations included (for an ETA).
  std::optional<double> recentSecondsPerStep() const;
  /// The run seconds of the last step or resume read (0 before any).
  double latestTime() const { return latest_time_; }
  /// Whether no step, validation or resume was read.
  bool empty() const { return recent_.empty() && valid_.empty() && resumes_ == 0 && step_ == 0; }
  std::int64_t resumes() const { return resumes_; }
  std::int64_t spikes() const { return spikes_; }
  /// "finished", "stopped" or "failed" when the events end the last session; "" while it trains
  /// (or was killed).
  const std::string& endedAs() const { return ended_; }
  const std::string& error() const { return error_; }

 private:
  struct Pace {
    std::int64_t step, tokens;
    double time, tokens_per_s;
  };
  std::string task_;
  std::int64_t step_ = 0, epoch_ = 0, tokens_ = 0;
  double time_ = 0;
  std::map<std::int64_t, Validation> valid_;
  std::optional<double> test_;
  std::vector<double> test_per_class_;
  std::vector<Pace> recent_;  // the last step events since the last resume
  std::int64_t resumes_ = 0, spikes_ = 0, last_resume_step_ = -1;
  // Run seconds and step of the last step or resume, and of the end.
  double latest_time_ = 0, end_time_ = NAN;
  std::int64_t latest_step_ = 0, end_step_ = 0;
  std::string ended_, error_;
};

}  // namespace gwb
