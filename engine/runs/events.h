// What a run reports while it trains: plain structs (no tensors, no Qt) handed to a RunObserver.
// Each is one line of metrics.jsonl (CONTRACTS.md) and one queued signal of the GUI. Every event
// carries the optimizer steps done, the 0-based epoch, the tokens seen and the run's seconds.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/config/tasks.h"

namespace gwb {

struct EventBase {
  std::int64_t step = 0;    ///< optimizer steps done
  std::int64_t epoch = 0;   ///< 0-based
  std::int64_t tokens = 0;  ///< LM: steps x batch_size x seq_len; SNLI: the pairs' tokens
  double time = 0;          ///< seconds since the run started, continuing across resumes
};

struct StepEvent : EventBase {
  double loss = 0;  ///< mean training loss since the previous step event
  double lr = 0;
  double grad_norm = 0;  ///< before clipping
  double tokens_per_s = 0;
  double step_ms = 0;
};

/// SNLI's classes, in the order of every per-class field (SPEC §7.1; names in tasks.h).
constexpr int kClasses = kSnliClasses;

struct EvalEvent : EventBase {
  std::string split;  ///< "valid" or "test" ("valid" is SNLI's dev split)
  double loss = 0;    ///< as train.eval_mean says (token-weighted, or the mean of batch means)
  /// The token-weighted loss when `loss` is a mean of batch means (train.eval_mean batches).
  std::optional<double> token_loss;
  // Language models
  double ppl = 0;  ///< exp(total loss / eval_tokens)
  std::int64_t eval_tokens = 0;
  std::vector<double> loss_by_position;  ///< mean loss at positions 1..L-1 of the chunks
  // Classifiers (`classification` true): fractions in [0, 1]
  bool classification = false;
  double accuracy = 0;
  std::vector<double> per_class_accuracy;            ///< entailment, neutral, contradiction
  std::vector<std::vector<std::int64_t>> confusion;  ///< 3 x 3, rows gold, columns predicted
  std::int64_t examples = 0;
  std::int64_t truncated = 0;  ///< pairs cut to fit seq_len
};

struct AlphaEvent : EventBase {
  std::int64_t layer = 0;
  std::vector<double> edges;         ///< bins + 1 edges over [0, 1]
  std::vector<std::int64_t> counts;  ///< all token x channel values
  double mean = 0;
  double share_above = 0;  ///< share_above_0.95
  double share_below = 0;  ///< share_below_0.05
};

struct PluckerEvent : EventBase {
  std::int64_t layer = 0;
  std::int64_t offset = 0;
  std::vector<double> norm_edges;  ///< log10 |p| over a fixed range; outside values in the end bins
  std::vector<std::int64_t> norm_counts;
  std::vector<double>
      angle_edges;  ///< degrees 0..90, angle between the lines of z_t and its partner
  std::vector<std::int64_t> angle_counts;
  double degenerate_share = 0;  ///< pairs with |p| < plucker_eps
  double effective_rank = 0;    ///< exp(entropy of normalised singular values of the p_hat matrix)
};

struct CheckpointEvent : EventBase {
  std::string kind;  ///< "last" or "best"
  std::string path;
};

struct LogEvent : EventBase {
  std::string message;
};

/// The trainer's spike detector fired (CONTRACTS.md `spike`): a loss or gradient norm far above
/// its running mean.
struct SpikeEvent : EventBase {
  std::string what = "loss";  ///< "loss" or "grad_norm": which series spiked
  double loss = 0;            ///< the step's training loss
  double ema = 0;             ///< the detector's running mean of `what` before this step
  double ratio = 0;           ///< value / ema
  double grad_norm = 0;       ///< the step's gradient norm (before clipping)
  double z = 0;               ///< the detector's z-score
};

/// A run continued from a checkpoint (CONTRACTS.md `resumed`).
struct ResumedEvent : EventBase {
  std::int64_t from_step = 0;
  std::string checkpoint;  ///< the checkpoint folder it resumed from ("" : started over)
};

/// summary.json (CONTRACTS.md). A value a run has not measured is missing (null in the file).
struct RunSummary {
  std::string status = "finished";       ///< finished | failed | stopped
  std::string task = "wikitext2";        ///< "wikitext2" or "snli" (which fields below apply)
  std::string recipe;                    ///< the configuration's recipe ("": none)
  std::int64_t params = 0;               ///< trained parameters
  std::int64_t frozen_params = 0;        ///< a frozen backbone's (not in params)
  std::optional<double> best_valid_ppl;  ///< as train.eval_mean reports it
  /// Token-weighted validation loss (nats): the lowest, whatever train.eval_mean says
  std::optional<double> best_valid_loss;
  std::int64_t best_step = 0;
  std::optional<double> test_ppl;  ///< of the best checkpoint
  std::optional<double> final_valid_ppl;
  // SNLI (fractions)
  std::optional<double> best_valid_accuracy;
  std::optional<double> test_accuracy;
  std::vector<double> test_per_class_accuracy;  ///< entailment, neutral, contradiction; empty: none
  std::optional<double> final_valid_accuracy;
  std::optional<double> tokens_per_s;  ///< training tokens per second over the run
  std::optional<double> step_ms;
  std::string device;
  std::string libtorch_version;
  std::string project_version;
  std::string git_commit;
  double wall_s = 0;
  std::string error;  ///< if failed
};

struct FinishedEvent : EventBase {
  RunSummary summary;
};

struct FailedEvent : EventBase {
  std::string error;
};

/// What a run is, told once when it starts (not a metrics.jsonl line).
struct RunStart {
  std::string run_dir;
  std::string name;
  std::string arch;
  std::int64_t total_steps = 0;  ///< after max_steps
  std::int64_t steps_per_epoch = 0;
  std::int64_t first_step = 0;  ///< > 0 when resuming
  std::int64_t params = 0;
  std::string device;
};

/// Receives a run's events on the thread that runs it. Implementations must be quick (the GUI
/// bridge queues them; the JSONL writer appends a line).
class RunObserver {
 public:
  virtual ~RunObserver() = default;
  /// The run directory exists and config.json is written; training begins.
  virtual void onStarted(const RunStart& /*start*/) {}
  virtual void onStep(const StepEvent&) {}
  virtual void onEval(const EvalEvent&) {}
  virtual void onAlpha(const AlphaEvent&) {}
  virtual void onPlucker(const PluckerEvent&) {}
  virtual void onCheckpoint(const CheckpointEvent&) {}
  virtual void onLog(const LogEvent&) {}
  virtual void onSpike(const SpikeEvent&) {}
  virtual void onResumed(const ResumedEvent&) {}
  virtual void onFinished(const FinishedEvent&) {}  ///< also for stopped runs (summary.status)
  virtual void onFailed(const FailedEvent&) {}
};

/// Forwards every event to several observers in order.
class ObserverList : public RunObserver {
 public:
  void add(RunObserver* observer) { observers_.push_back(observer); }
  void onStarted(const RunStart& s) override {
    for (auto* o : observers_) o->onStarted(s);
  }
  void onStep(const StepEvent& e) override {
    for (auto* o : observers_) o->onStep(e);
  }
  void onEval(const EvalEvent& e) override {
    for (auto* o : observers_) o->onEval(e);
  }
  void onAlpha(const AlphaEvent& e) override {
    for (auto* o : observers_) o->onAlpha(e);
  }
  void onPlucker(const PluckerEvent& e) override {
    for (auto* o : observers_) o->onPlucker(e);
  }
  void onCheckpoint(const CheckpointEvent& e) override {
    for (auto* o : observers_) o->onCheckpoint(e);
  }
  void onLog(const LogEvent& e) override {
    for (auto* o : observers_) o->onLog(e);
  }
  void onSpike(const SpikeEvent& e) override {
    for (auto* o : observers_) o->onSpike(e);
  }
  void onResumed(const ResumedEvent& e) override {
    for (auto* o : observers_) o->onResumed(e);
  }
  void onFinished(const FinishedEvent& e) override {
    for (auto* o : observers_) o->onFinished(e);
  }
  void onFailed(const FailedEvent& e) override {
    for (auto* o : observers_) o->onFailed(e);
  }

 private:
  std::vector<RunObserver*> observers_;
};

}  // namespace gwb
