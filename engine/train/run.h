// Engine-internal: one training run (trainer.h's runTraining), a class whose methods live in two
// files: run_setup.cpp (set-up: configuration, data, model, run directory or resume, provenance)
// and trainer.cpp (the loop and how a run ends). Also the helpers the dry run
// (dry_run.cpp) and the evaluation of a checkpoint (checkpoint_eval.cpp) share with it.
#pragma once

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "engine/io/safetensors.h"
#include "engine/model/tensor_io.h"
#include "engine/runs/checkpoint_store.h"
#include "engine/runs/metrics_json.h"
#include "engine/runs/run_dir.h"
#include "engine/runs/run_lock.h"
#include "engine/tokenizers/tokenizer.h"
#include "engine/train/checkpoint.h"
#include "engine/train/schedule.h"
#include "engine/train/step_meter.h"
#include "engine/train/task.h"
#include "engine/train/train_step.h"
#include "engine/train/trainer.h"

namespace gwb::train_detail {

using Clock = std::chrono::steady_clock;

/// Seconds since `t`.
double secondsSince(Clock::time_point t);
/// Whether `config` would train on CUDA here.
bool deviceIsCuda(const RunConfig& config);
/// Validates `config` for its device and checks that a training step fits in its memory;
/// resolves derived values (the tokenizer's vocabulary size `vocab` is needed for that).
void resolveAndValidate(RunConfig& config, const std::string& source, std::int64_t vocab);
/// The tokenizer's vocabulary folder: data.vocab_dir, else a backbone folder's own vocab.txt,
/// else "" (the embedded one).
std::string vocabDir(const RunConfig& config, const std::string& backbone_dir);
/// The step named by the fault-injection variable GWB_FAULT_NAN_GRAD_STEP (tests; 0: none).
std::int64_t nanGradientStep();

class Run {
 public:
  Run(const TrainRequest& request, RunObserver& observer);
  TrainOutcome execute();

 private:
  // ---------------------------------------------------------------- set-up (run_setup.cpp)
  // Returns false when a --run-dir already holds this configuration's finished run.
  bool setUp();
  // Which copy of the data the run reads (data.dir > installed > embedded): a new run resolves it
  // now and records it in its provenance; a resumed run reads the copy it started with.
  void resolveDataFolder(bool existing, RunConfig& task_config);
  // Which DistilBERT folder the run reads (model.backbone_dir > an installed copy; neither: an
  // InputError naming both ways): a new run resolves it now and records it in its provenance; a
  // resumed run reads the folder it started with (checkSameBackbone then compares its weights).
  void resolveBackbone(bool existing);
  // A resumed run must run the backbone it started with (the SHA-256 of its weights).
  void checkSameBackbone() const;
  // A resumed run must read the files it started with (their SHA-256 in its provenance).
  void checkSameData() const;
  // A run directory given to resume: its lock, configuration and source.
  void openExisting();
  std::optional<RunSummary> finishedSummary() const;
  std::int64_t trainedParameters() const;
  std::string configWithProvenance(const Tokenizer& tokenizer) const;
  // gwb train --init-from: the weights of another run or reproduction, names mapped by their
  // scheme (name_schemes.h); the optimizer starts fresh at step 0.
  void applyInit();
  // The --init-from of a run directory that exists (its provenance), for a restart from scratch.
  void readStoredInit();
  void restoreCheckpoint();

  // ---------------------------------------------------------------- the loop (trainer.cpp)
  void loop();
  void trainStep(const Batch& batch, double lr);
  // Reads the pending steps' metrics from the device (the only synchronisation in the loop),
  // emits their spikes and a step event, and fails the run at the first non-finite loss or
  // gradient norm.
  bool readMetrics();
  bool validate();
  void probe();
  // Weights, optimizer moments and trainer state of this step, as one unit (checkpoint.h).
  bool saveLast();
  void checkpointEvent(const char* kind, const std::string& path);
  void stop();
  void finish();
  // Ends the run as failed. Never throws: the disk may be full, the observers may fail too.
  void fail(const std::string& error, std::int64_t step = -1);
  // Emits the finished event (unless the run failed) and then writes summary.json, the mark of a
  // finished run. A write that fails (a full disk) makes the run failed instead of escaping, and
  // a run whose end was not written resumes to write it.
  void end(bool emit_finished = true);
  void log(const std::string& message);
  void fill(EventBase& e) const;
  bool every(std::int64_t n) const { return n > 0 && state_.step % n == 0; }
  // Run seconds: those of earlier sessions (a resumed run) plus this session's.
  double now() const { return time_offset_ + secondsSince(started_); }

  const TrainRequest& request_;
  RunObserver& outer_;
  ObserverList observers_;
  std::unique_ptr<RunLock> lock_;
  std::unique_ptr<MetricsWriter> writer_;
  RunConfig config_;
  std::string source_;
  RunPaths paths_;
  CheckpointStore store_{""};
  TrainerState state_;
  RunSummary summary_;
  torch::Device device_{torch::kCPU};
  bool bf16_ = false;
  std::int64_t log_every_ = 1;
  at::Generator generator_;
  std::unique_ptr<Tokenizer> tokenizer_;
  std::string backbone_dir_;        // the frozen backbone's folder ("": none)
  std::string backbone_source_;     // how it was chosen, for the provenance
  nlohmann::json stored_backbone_;  // a resumed run's provenance "backbone"
  std::string task_dir_;            // the data folder the task reads ("": embedded)
  std::string data_source_;         // how it was chosen, for the provenance
  std::string data_format_;         // the files a recipe's format auto resolved to ("": as set)
  std::string corpus_;              // a recipe's Wikitext-2: "raw" or "v1" ("": no recipe)
  nlohmann::json stored_data_;      // a resumed run's provenance "data"
  std::unique_ptr<Task> task_;
  NamedTensors params_;
  std::int64_t steps_per_epoch_ = 0, total_steps_ = 0;
  std::int64_t last_eval_step_ = -1, last_saved_step_ = -1;
  std::int64_t nan_step_ = 0;
  std::unique_ptr<TrainStep> step_;
  LrSchedule schedule_;
  std::optional<EvalEvent> test_;
  StepMeter meter_;                      // the steps since the last read of their results
  std::vector<std::string> early_logs_;  // logs of the set-up, emitted once the run has started
  std::optional<ResumedEvent> resumed_;  // set when the run continues a checkpoint
  std::string init_from_, init_names_;   // --init-from (a new run's, or from the provenance)
  Clock::time_point started_;
  double time_offset_ = 0;
};

}  // namespace gwb::train_detail
