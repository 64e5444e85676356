// Language modelling on Wikitext-2 (SPEC §3-4): chunks of L tokens shuffled per epoch, the mean
// next-token cross-entropy, validation perplexity and loss by position, best = lowest validation
// perplexity. Behaviour and numbers are those of the trainer before tasks existed.
#include <cmath>

#include "engine/data/token_cache.h"
#include "engine/data/wikitext.h"
#include "engine/tokenizers/tokenizer.h"
#include "engine/train/evaluation.h"
#include "engine/train/lm_data.h"
#include "engine/train/task.h"
#include "engine/train/tasks.h"
#include "engine/util/error.h"

namespace gwb {
namespace {

class LanguageModelTask final : public Task {
 public:
  LanguageModelTask(const RunConfig& config, const TaskContext& ctx)
      : config_(config), ctx_(ctx), L_(config.data.seq_len) {
    loadData();
    model_ = LanguageModel(config_.model, ctx_.generator);
    model_->to(ctx_.device);
    model_->train();
    const std::int64_t probes = std::min(config_.probes.probe_batch, valid_.numChunks(L_));
    probe_batch_ = sequentialBatch(valid_, 0, probes, L_, ctx_.device);
  }

  torch::nn::Module& module() override { return *model_; }
  std::vector<std::pair<std::string, std::int64_t>> parameterCounts() const override {
    return model_->parameterCounts();
  }
  LanguageModel graphModel() override { return model_; }

  std::int64_t trainExamples() const override { return train_chunks_; }
  Batch trainBatch(const std::vector<std::int64_t>& order, std::int64_t first,
                   std::int64_t count) const override {
    Batch b;
    b.ids = chunkBatch(train_, order, first, count, L_, ctx_.device);
    b.rows = count;
    b.tokens = config_.train.batch_size * L_;  // CONTRACTS.md: steps x batch_size x seq_len
    return b;
  }
  torch::Tensor loss(const Batch& batch) override { return model_->loss(batch.ids); }
  std::int64_t tokensPerStep(std::int64_t rows) const override { return rows * L_; }

  EvalEvent evaluate(const std::string& split) override {
    const EvalResult r =
        evaluateLm(model_, split == "test" ? test_ : valid_, L_, config_.train.batch_size,
                   config_.data.max_eval_tokens, ctx_.device, ctx_.bf16);
    EvalEvent e;
    e.split = split;
    e.loss = r.loss;
    e.ppl = r.ppl;
    e.eval_tokens = r.tokens;
    e.loss_by_position = r.loss_by_position;
    return e;
  }
  bool improves(const EvalEvent& valid, const TrainerState& state) const override {
    return std::isfinite(valid.ppl) &&
           (state.best_valid_ppl == 0 || valid.ppl < state.best_valid_ppl);
  }
  void recordValidation(const EvalEvent& valid, bool best, TrainerState& state) const override {
    state.final_valid_ppl = valid.ppl;
    if (best) {
      state.best_valid_ppl = valid.ppl;
      state.best_step = valid.step;
    }
  }
  std::map<std::string, std::string> bestMetadata(const EvalEvent& valid) const override {
    return {{"step", std::to_string(valid.step)}, {"valid_ppl", std::to_string(valid.ppl)}};
  }
  void fillSummary(const TrainerState& state, const EvalEvent* test,
                   RunSummary& summary) const override {
    summary.task = "wikitext2";
    summary.best_valid_ppl = state.best_valid_ppl;
    summary.best_step = state.best_step;
    summary.final_valid_ppl = state.final_valid_ppl;
    if (test) summary.test_ppl = test->ppl;
  }
  ProbeResult probe(const ProbesConfig& config) override {
    return runProbes(*model_, probe_batch_, {}, config);
  }

  nlohmann::ordered_json dataProvenance() const override {
    nlohmann::ordered_json data;
    const std::initializer_list<std::pair<const char*, const TokenStream*>> splits = {
        {"train", &train_}, {"valid", &valid_}, {"test", &test_}};
    for (const auto& [split, stream] : splits) {
      data[split] = {{"file", stream->file},
                     {"sha256", stream->source_sha256},
                     {"tokens", stream->ids.size()}};
    }
    return data;
  }

 private:
  void loadData() {
    TokenCache cache = TokenCache::standard();
    if (ctx_.progress) cache.setWarningHandler(ctx_.progress);
    const Tokenizer& tokenizer = *ctx_.tokenizer;
    const auto load = [&](const char* split) {
      if (ctx_.progress)
        ctx_.progress(std::string("loading wikitext2 ") + split + " (" + tokenizer.name() + ")");
      return loadWikitextSplit(config_.data.dir, split, config_.data.format, tokenizer, cache);
    };
    train_ = load("train");
    valid_ = load("valid");
    test_ = load("test");
    train_chunks_ = train_.numChunks(L_);
    if (config_.data.max_train_tokens > 0) {
      train_chunks_ =
          std::min(train_chunks_, std::max<std::int64_t>(1, config_.data.max_train_tokens / L_));
    }
    for (const TokenStream* s : {&train_, &valid_, &test_}) {
      if (s->numChunks(L_) == 0) {
        throw InputError({s->file, 0, "data.seq_len"},
                         expectedGot("at least one chunk of " + std::to_string(L_) + " tokens",
                                     std::to_string(s->ids.size()) + " tokens"));
      }
    }
  }

  RunConfig config_;
  TaskContext ctx_;
  std::int64_t L_;
  TokenStream train_, valid_, test_;
  std::int64_t train_chunks_ = 0;
  LanguageModel model_{nullptr};
  torch::Tensor probe_batch_;
};

}  // namespace

std::unique_ptr<Task> makeLanguageModelTask(const RunConfig& config, const TaskContext& ctx) {
  return std::make_unique<LanguageModelTask>(config, ctx);
}

}  // namespace gwb
