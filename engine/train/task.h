// What differs between the tasks the one training loop (trainer.cpp) trains: language modelling
// on Wikitext-2 (lm_task.cpp), SNLI classification from scratch (snli_task.cpp) and SNLI heads on a
// frozen DistilBERT (snli_backbone_task.cpp). A task owns its data and
// its model; it makes the batches, the loss, an evaluation and what it measures, says what "best"
// means and fills the summary's fields. The loop, checkpoints, resume, stop handling, probes'
// scheduling and the metrics stream know nothing of either task. Engine-internal (torch).
#pragma once

#include <torch/torch.h>

#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/config/run_config.h"
#include "engine/model/batch.h"
#include "engine/model/language_model.h"
#include "engine/runs/events.h"
#include "engine/runs/run_dir.h"
#include "engine/train/probes.h"

namespace gwb {

class Tokenizer;

/// What a task is built with.
struct TaskContext {
  torch::Device device{torch::kCPU};
  bool bf16 = false;
  at::Generator generator;               ///< the run's own: initialisation and (CPU) dropout
  const Tokenizer* tokenizer = nullptr;  ///< outlives the task
  std::function<void(const std::string&)> progress;  ///< messages for people (data loading)
  std::function<void(const std::string&)> log;       ///< lines for the run's log events
};

class Task {
 public:
  virtual ~Task() = default;

  /// The trained model (its parameters are the checkpoint's tensors, under their names).
  virtual torch::nn::Module& module() = 0;
  /// Trained parameters per top-level module, in order (dry runs, the summary).
  virtual std::vector<std::pair<std::string, std::int64_t>> parameterCounts() const = 0;
  /// Parameters a frozen part holds (not trained, not checkpointed); 0 without one.
  virtual std::int64_t frozenParameters() const { return 0; }
  /// What the frozen part was loaded from, for config.json's provenance ("backbone": its folder,
  /// `weights_sha256`, its shape, the feature caches); null without one. A resumed run refuses a
  /// frozen part whose `weights_sha256` differs from the one it started with.
  virtual nlohmann::ordered_json frozenProvenance() const { return nullptr; }
  /// The language model, where the training step may be captured in a CUDA graph; else null.
  virtual LanguageModel graphModel() { return nullptr; }

  /// Training examples an epoch visits (chunks or pairs).
  virtual std::int64_t trainExamples() const = 0;
  /// Examples order[first, first + count) as a batch on the task's device.
  virtual Batch trainBatch(const std::vector<std::int64_t>& order, std::int64_t first,
                           std::int64_t count) const = 0;
  /// The mean training loss of `batch` (fp32; the caller sets autocast).
  virtual torch::Tensor loss(const Batch& batch) = 0;
  /// Tokens a batch of `rows` full examples counts when the task counts by shape (LM: rows x L);
  /// -1 when it counts each batch's own tokens (SNLI).
  virtual std::int64_t tokensPerStep(std::int64_t rows) const = 0;

  /// Evaluates "valid" or "test" (eval mode, no gradients; train mode restored). The event's
  /// base fields are left to the caller.
  virtual EvalEvent evaluate(const std::string& split) = 0;
  /// Whether a validation beats the best so far in `state`.
  virtual bool improves(const EvalEvent& valid, const TrainerState& state) const = 0;
  /// Records a validation in `state` (the final value; the best too when `best`).
  virtual void recordValidation(const EvalEvent& valid, bool best, TrainerState& state) const = 0;
  /// The metadata of best.safetensors (what made it best).
  virtual std::map<std::string, std::string> bestMetadata(const EvalEvent& valid) const = 0;
  /// Fills the task's summary fields from `state` and the test evaluation (if it ran).
  virtual void fillSummary(const TrainerState& state, const EvalEvent* test,
                           RunSummary& summary) const = 0;
  /// Gate and Plücker probes on the task's fixed probe batch (Grassmann; else empty).
  virtual ProbeResult probe(const ProbesConfig& config) = 0;

  /// The data files used, for config.json's provenance ("data": {split: {file, sha256, ...}}).
  virtual nlohmann::ordered_json dataProvenance() const = 0;
};

/// The task of `config` (data.task), its data loaded and its model built on ctx.device.
/// InputError on bad input (missing files, sequences too long for the model).
std::unique_ptr<Task> makeTask(const RunConfig& config, const TaskContext& ctx);

}  // namespace gwb
