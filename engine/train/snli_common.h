// What the two SNLI tasks share (SPEC §7.1, §7.4; engine-internal): the three splits loaded and
// encoded, right-padded id batches, an evaluation (loss, accuracy, per-class accuracy, confusion),
// best = highest validation accuracy, the summary's fields and the data provenance. The task from
// scratch (snli_task.cpp) and the task on a frozen backbone (snli_backbone_task.cpp) derive from
// SnliTaskBase and say how a batch is made and what its logits are.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <utility>
#include <vector>

#include "engine/data/snli.h"
#include "engine/data/snli_pairs.h"
#include "engine/train/task.h"

namespace gwb {

/// One split: its file and its encoded pairs.
struct PairSplit {
  SnliSplit data;
  EncodedPairs pairs;
  std::int64_t used = 0;  ///< pairs an evaluation reads (data.max_eval_tokens)
};

/// Rows `index[first, first + count)` of `seqs` right-padded with `pad` into (count, T) int64 ids
/// and a bool mask, T the longest of them; adds their tokens to `*tokens`.
std::pair<torch::Tensor, torch::Tensor> paddedIds(
    const std::vector<std::vector<std::int32_t>>& seqs, const std::vector<std::int64_t>& index,
    std::int64_t first, std::int64_t count, std::int32_t pad, std::int64_t* tokens);

class SnliTaskBase : public Task {
 public:
  /// Loads and encodes train, dev (the validation split) and test.
  SnliTaskBase(const RunConfig& config, const TaskContext& ctx);

  std::int64_t trainExamples() const override { return train_.pairs.size(); }
  std::int64_t tokensPerStep(std::int64_t) const override { return -1; }
  EvalEvent evaluate(const std::string& split) override;
  bool improves(const EvalEvent& valid, const TrainerState& state) const override;
  void recordValidation(const EvalEvent& valid, bool best, TrainerState& state) const override;
  std::map<std::string, std::string> bestMetadata(const EvalEvent& valid) const override;
  void fillSummary(const TrainerState& state, const EvalEvent* test,
                   RunSummary& summary) const override;
  nlohmann::ordered_json dataProvenance() const override;

 protected:
  /// Pairs order[first, first + count) of `split` as a batch on the task's device (labels set).
  virtual Batch makeBatch(const PairSplit& split, const std::vector<std::int64_t>& order,
                          std::int64_t first, std::int64_t count) const = 0;
  /// Class logits (B, 3) of a batch (the caller sets autocast and grad mode).
  virtual torch::Tensor logits(const Batch& batch) = 0;
  /// The labels of pairs order[first, first + count), (count,) int64 on the device.
  torch::Tensor labels(const PairSplit& split, const std::vector<std::int64_t>& order,
                       std::int64_t first, std::int64_t count) const;
  /// "the embedded 1% sample" or "full".
  std::string trainSplitName() const;

  RunConfig config_;
  TaskContext ctx_;
  bool separate_;
  PairSplit train_, valid_, test_;
};

}  // namespace gwb
