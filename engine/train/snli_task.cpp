// SNLI classification from scratch (SPEC §7.1-7.2, §7.4): pairs encoded jointly or separately,
// shuffled per epoch, batches padded to their longest member; the mean cross-entropy over the
// pairs; an evaluation measures loss, accuracy, per-class accuracy and the confusion matrix; best
// = highest validation accuracy. The validation split is SNLI's dev split.
#include <algorithm>
#include <array>
#include <numeric>

#include "engine/data/snli.h"
#include "engine/data/snli_pairs.h"
#include "engine/data/token_cache.h"
#include "engine/model/classifier.h"
#include "engine/runtime/device.h"
#include "engine/tokenizers/tokenizer.h"
#include "engine/train/classification_metrics.h"
#include "engine/train/task.h"
#include "engine/train/tasks.h"
#include "engine/util/error.h"

namespace gwb {
namespace {

// One split: its file and its encoded pairs.
struct PairSplit {
  SnliSplit data;
  EncodedPairs pairs;
  std::int64_t used = 0;  // pairs an evaluation reads (data.max_eval_tokens)
};

// Right-pads rows `index[first, first + count)` of `seqs` into (count, T) ids and a mask.
std::pair<torch::Tensor, torch::Tensor> padded(const std::vector<std::vector<std::int32_t>>& seqs,
                                               const std::vector<std::int64_t>& index,
                                               std::int64_t first, std::int64_t count,
                                               std::int32_t pad, std::int64_t* tokens) {
  std::size_t T = 1;
  for (std::int64_t b = 0; b < count; ++b)
    T = std::max(T, seqs[static_cast<std::size_t>(index[first + b])].size());
  torch::Tensor ids = torch::full({count, static_cast<std::int64_t>(T)}, pad, torch::kLong);
  torch::Tensor mask = torch::zeros({count, static_cast<std::int64_t>(T)}, torch::kBool);
  auto* id = ids.data_ptr<std::int64_t>();
  auto* m = mask.data_ptr<bool>();
  for (std::int64_t b = 0; b < count; ++b) {
    const auto& s = seqs[static_cast<std::size_t>(index[first + b])];
    for (std::size_t t = 0; t < s.size(); ++t) {
      id[b * static_cast<std::int64_t>(T) + static_cast<std::int64_t>(t)] = s[t];
      m[b * static_cast<std::int64_t>(T) + static_cast<std::int64_t>(t)] = true;
    }
    *tokens += static_cast<std::int64_t>(s.size());
  }
  return {ids, mask};
}

class SnliTask final : public Task {
 public:
  SnliTask(const RunConfig& config, const TaskContext& ctx)
      : config_(config), ctx_(ctx), separate_(config.data.separatePairs()) {
    loadData();
    model_ = SequenceClassifier(config_.model, separate_, ctx_.generator);
    model_->to(ctx_.device);
    model_->train();
  }

  torch::nn::Module& module() override { return *model_; }
  std::vector<std::pair<std::string, std::int64_t>> parameterCounts() const override {
    return model_->parameterCounts();
  }

  std::int64_t trainExamples() const override { return train_.pairs.size(); }
  Batch trainBatch(const std::vector<std::int64_t>& order, std::int64_t first,
                   std::int64_t count) const override {
    return batch(train_.pairs, order, first, count);
  }
  torch::Tensor loss(const Batch& batch) override {
    const torch::Tensor logits = model_->logits(batch);  // (B, 3)
    return torch::nll_loss(torch::log_softmax(logits, -1, torch::kFloat), batch.labels);
  }
  std::int64_t tokensPerStep(std::int64_t) const override { return -1; }

  EvalEvent evaluate(const std::string& split) override {
    const PairSplit& s = split == "test" ? test_ : valid_;
    torch::NoGradGuard no_grad;
    const bool was_training = model_->is_training();
    model_->eval();
    std::vector<std::int64_t> order(static_cast<std::size_t>(s.used));
    std::iota(order.begin(), order.end(), 0);
    ClassificationCounts counts;
    const std::int64_t B = config_.train.batch_size;
    for (std::int64_t first = 0; first < s.used; first += B) {
      const Batch b = batch(s.pairs, order, first, std::min(B, s.used - first));
      torch::Tensor losses, predicted;
      {
        AutocastGuard autocast(ctx_.bf16);
        const torch::Tensor logits = model_->logits(b);
        losses = torch::nll_loss(torch::log_softmax(logits, -1, torch::kFloat), b.labels, {},
                                 at::Reduction::None);
        predicted = logits.argmax(-1);
      }
      const torch::Tensor loss = losses.to(torch::kCPU, torch::kDouble);
      const torch::Tensor gold = b.labels.to(torch::kCPU), pred = predicted.to(torch::kCPU);
      const auto* g = gold.data_ptr<std::int64_t>();
      const auto* p = pred.data_ptr<std::int64_t>();
      const auto* l = loss.data_ptr<double>();
      for (std::int64_t i = 0; i < b.rows; ++i)
        counts.add(static_cast<int>(g[i]), static_cast<int>(p[i]), l[i]);
    }
    if (was_training) model_->train();

    EvalEvent e;
    e.split = split;
    counts.fill(e);
    e.truncated = s.pairs.truncated;
    return e;
  }
  bool improves(const EvalEvent& valid, const TrainerState& state) const override {
    return valid.accuracy > state.best_valid_accuracy;  // ties keep the earlier checkpoint
  }
  void recordValidation(const EvalEvent& valid, bool best, TrainerState& state) const override {
    state.final_valid_accuracy = valid.accuracy;
    if (best) {
      state.best_valid_accuracy = valid.accuracy;
      state.best_step = valid.step;
    }
  }
  std::map<std::string, std::string> bestMetadata(const EvalEvent& valid) const override {
    return {{"step", std::to_string(valid.step)},
            {"valid_accuracy", std::to_string(valid.accuracy)}};
  }
  void fillSummary(const TrainerState& state, const EvalEvent* test,
                   RunSummary& summary) const override {
    summary.task = "snli";
    summary.best_valid_accuracy = state.best_valid_accuracy;
    summary.best_step = state.best_step;
    summary.final_valid_accuracy = state.final_valid_accuracy;
    if (test) {
      summary.test_accuracy = test->accuracy;
      summary.test_per_class_accuracy = test->per_class_accuracy;
    }
  }
  ProbeResult probe(const ProbesConfig& config) override {
    // The first probe_batch validation pairs; with separate encoding both sentences of each.
    const std::int64_t n = std::min(config.probe_batch, valid_.pairs.size());
    std::vector<std::vector<std::int32_t>> seqs(valid_.pairs.a.begin(), valid_.pairs.a.begin() + n);
    if (separate_) seqs.insert(seqs.end(), valid_.pairs.b.begin(), valid_.pairs.b.begin() + n);
    std::vector<std::int64_t> order(seqs.size());
    std::iota(order.begin(), order.end(), 0);
    std::int64_t tokens = 0;
    const auto [ids, mask] = padded(seqs, order, 0, static_cast<std::int64_t>(seqs.size()),
                                    ctx_.tokenizer->paddingId(), &tokens);
    return runProbes(*model_, ids.to(ctx_.device), mask.to(ctx_.device), config);
  }

  nlohmann::ordered_json dataProvenance() const override {
    nlohmann::ordered_json data;
    const std::initializer_list<std::pair<const char*, const PairSplit*>> splits = {
        {"train", &train_}, {"valid", &valid_}, {"test", &test_}};
    for (const auto& [name, s] : splits) {
      data[name] = {{"file", s->data.file},      {"sha256", s->data.source_sha256},
                    {"pairs", s->data.pairs},    {"kept", s->data.kept()},
                    {"tokens", s->pairs.tokens}, {"truncated", s->pairs.truncated}};
    }
    data["train_split"] = trainSplitName();
    data["pair_encoding"] = config_.data.pair_encoding;
    return data;
  }

 private:
  Batch batch(const EncodedPairs& pairs, const std::vector<std::int64_t>& order, std::int64_t first,
              std::int64_t count) const {
    Batch b;
    b.rows = count;
    const std::int32_t pad = ctx_.tokenizer->paddingId();
    auto [ids, mask] = padded(pairs.a, order, first, count, pad, &b.tokens);
    b.ids = ids.to(ctx_.device);
    b.mask = mask.to(ctx_.device);
    if (separate_) {
      auto [ids_b, mask_b] = padded(pairs.b, order, first, count, pad, &b.tokens);
      b.ids_b = ids_b.to(ctx_.device);
      b.mask_b = mask_b.to(ctx_.device);
    }
    torch::Tensor labels = torch::empty({count}, torch::kLong);
    auto* l = labels.data_ptr<std::int64_t>();
    for (std::int64_t i = 0; i < count; ++i)
      l[i] = pairs.labels[static_cast<std::size_t>(order[first + i])];
    b.labels = labels.to(ctx_.device);
    return b;
  }

  std::string trainSplitName() const {
    const bool sample = train_.data.file.find("snli_1.0_train_0.01") != std::string::npos;
    return sample ? "the embedded 1% sample" : "full";
  }

  void loadData() {
    TokenCache cache = TokenCache::standard();
    if (ctx_.progress) cache.setWarningHandler(ctx_.progress);
    const Tokenizer& tokenizer = *ctx_.tokenizer;
    const std::int64_t L = config_.data.seq_len;
    const auto load = [&](const char* split, PairSplit& out) {
      if (ctx_.progress)
        ctx_.progress(std::string("loading snli ") + split + " (" + tokenizer.name() + ")");
      out.data = loadSnliSplit(config_.data.dir, split, config_.data.format, tokenizer, cache);
      if (out.data.kept() == 0) {
        throw InputError({out.data.file}, expectedGot("at least one pair with a gold label",
                                                      "none of " + std::to_string(out.data.pairs)));
      }
      out.pairs = encodePairs(out.data, tokenizer, separate_, L);
      out.used = out.pairs.size();
      if (config_.data.max_eval_tokens > 0) {
        std::int64_t tokens = 0, used = 0;
        while (used < out.pairs.size() && tokens < config_.data.max_eval_tokens)
          tokens += out.pairs.pairTokens(used++);
        out.used = std::max<std::int64_t>(1, used);
      }
    };
    load("train", train_);
    load("dev", valid_);
    load("test", test_);
    if (ctx_.log) {
      ctx_.log("SNLI train split: " + trainSplitName() + " (" + train_.data.file + ", " +
               std::to_string(train_.pairs.size()) + " pairs; " +
               std::to_string(train_.pairs.truncated) + " cut to " + std::to_string(L) +
               " tokens)");
    }
  }

  RunConfig config_;
  TaskContext ctx_;
  bool separate_;
  PairSplit train_, valid_, test_;
  SequenceClassifier model_{nullptr};
};

}  // namespace

std::unique_ptr<Task> makeSnliTask(const RunConfig& config, const TaskContext& ctx) {
  return std::make_unique<SnliTask>(config, ctx);
}

}  // namespace gwb
