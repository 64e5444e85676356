// SNLI classification from scratch (SPEC §7.1-7.2, §7.4): pairs encoded jointly or separately,
// shuffled per epoch, batches padded to their longest member; the mean cross-entropy over the
// pairs; an evaluation measures loss, accuracy, per-class accuracy and the confusion matrix; best
// = highest validation accuracy (snli_common.h). The validation split is SNLI's dev split.
#include <numeric>

#include "engine/model/classifier.h"
#include "engine/tokenizers/tokenizer.h"
#include "engine/train/snli_common.h"
#include "engine/train/tasks.h"

namespace gwb {
namespace {

class SnliTask final : public SnliTaskBase {
 public:
  SnliTask(const RunConfig& config, const TaskContext& ctx) : SnliTaskBase(config, ctx) {
    model_ = SequenceClassifier(config_.model, separate_, ctx_.generator, kSnliClasses);
    model_->to(ctx_.device);
    model_->train();
  }

  torch::nn::Module& module() override { return *model_; }
  std::vector<std::pair<std::string, std::int64_t>> parameterCounts() const override {
    return model_->parameterCounts();
  }

  Batch trainBatch(const std::vector<std::int64_t>& order, std::int64_t first,
                   std::int64_t count) const override {
    return makeBatch(train_, order, first, count);
  }
  torch::Tensor loss(const Batch& batch) override {
    return torch::nll_loss(torch::log_softmax(logits(batch), -1, torch::kFloat), batch.labels);
  }

  ProbeResult probe(const ProbesConfig& config) override {
    // The first probe_batch validation pairs; with separate encoding both sentences of each.
    const std::int64_t n = std::min(config.probe_batch, valid_.pairs.size());
    std::vector<std::vector<std::int32_t>> seqs(valid_.pairs.a.begin(), valid_.pairs.a.begin() + n);
    if (separate_) seqs.insert(seqs.end(), valid_.pairs.b.begin(), valid_.pairs.b.begin() + n);
    std::vector<std::int64_t> order(seqs.size());
    std::iota(order.begin(), order.end(), 0);
    std::int64_t tokens = 0;
    const auto [ids, mask] = paddedIds(seqs, order, 0, static_cast<std::int64_t>(seqs.size()),
                                       ctx_.tokenizer->paddingId(), &tokens);
    return runProbes(*model_, ids.to(ctx_.device), mask.to(ctx_.device), config);
  }

 protected:
  Batch makeBatch(const PairSplit& split, const std::vector<std::int64_t>& order,
                  std::int64_t first, std::int64_t count) const override {
    const EncodedPairs& pairs = split.pairs;
    Batch b;
    b.rows = count;
    const std::int32_t pad = ctx_.tokenizer->paddingId();
    auto [ids, mask] = paddedIds(pairs.a, order, first, count, pad, &b.tokens);
    b.ids = ids.to(ctx_.device);
    b.mask = mask.to(ctx_.device);
    if (separate_) {
      auto [ids_b, mask_b] = paddedIds(pairs.b, order, first, count, pad, &b.tokens);
      b.ids_b = ids_b.to(ctx_.device);
      b.mask_b = mask_b.to(ctx_.device);
    }
    b.labels = labels(split, order, first, count);
    return b;
  }
  torch::Tensor logits(const Batch& batch) override { return model_->logits(batch); }

 private:
  SequenceClassifier model_{nullptr};
};

}  // namespace

std::unique_ptr<Task> makeSnliTask(const RunConfig& config, const TaskContext& ctx) {
  return std::make_unique<SnliTask>(config, ctx);
}

}  // namespace gwb
