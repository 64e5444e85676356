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
      : config_(config),
        ctx_(ctx),
        L_(config.data.seq_len),
        chunk_(chunkLength(config.data.seq_len, config.data.targets)) {
    loadData();
    model_ = LanguageModel(config_.model, ctx_.generator);
    model_->setTargetsNext(config_.data.targets == "next");
    model_->to(ctx_.device);
    model_->train();
    const std::int64_t probes = std::min(config_.probes.probe_batch, valid_.numChunks(chunk_));
    probe_batch_ = sequentialBatch(valid_, 0, probes, chunk_, ctx_.device).narrow(1, 0, L_);
    if (ctx_.log) {
      for (const std::string& note : plainPathNotes(config_.model, ctx_.device)) ctx_.log(note);
    }
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
    b.ids = chunkBatch(train_, order, first, count, chunk_, ctx_.device);  // (B, L or L + 1)
    b.rows = count;
    b.tokens = config_.train.batch_size * L_;  // CONTRACTS.md: steps x batch_size x seq_len
    return b;
  }
  torch::Tensor loss(const Batch& batch) override { return model_->loss(batch.ids); }
  std::int64_t tokensPerStep(std::int64_t rows) const override { return rows * L_; }

  EvalEvent evaluate(const std::string& split) override {
    const bool batch_mean = config_.train.eval_mean == "batches";
    const EvalResult r =
        evaluateLm(model_, split == "test" ? test_ : valid_, chunk_, config_.train.batch_size,
                   config_.data.max_eval_tokens, ctx_.device, ctx_.bf16, batch_mean);
    EvalEvent e;
    e.split = split;
    e.loss = r.loss;
    if (batch_mean) e.token_loss = r.token_loss;
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
    // Token-weighted whatever eval_mean reports (equal to `loss` under eval_mean tokens).
    const double token_loss = valid.token_loss.value_or(valid.loss);
    if (std::isfinite(token_loss) &&
        (!state.best_valid_loss || token_loss < *state.best_valid_loss))
      state.best_valid_loss = token_loss;
  }
  std::map<std::string, std::string> bestMetadata(const EvalEvent& valid) const override {
    return {{"step", std::to_string(valid.step)}, {"valid_ppl", std::to_string(valid.ppl)}};
  }
  void fillSummary(const TrainerState& state, const EvalEvent* test,
                   RunSummary& summary) const override {
    summary.task = "wikitext2";
    // The trainer state keeps 0 for "none yet" (its file's format): missing in the summary.
    if (state.best_valid_ppl > 0) summary.best_valid_ppl = state.best_valid_ppl;
    summary.best_valid_loss = state.best_valid_loss;
    summary.best_step = state.best_step;
    if (state.final_valid_ppl > 0) summary.final_valid_ppl = state.final_valid_ppl;
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
      return loadWikitextSplit(config_.data.dir, split, config_.data.format, tokenizer, cache,
                               config_.data.gpt2_rows);
    };
    train_ = load("train");
    valid_ = load("valid");
    test_ = load("test");
    train_chunks_ = train_.numChunks(chunk_);
    if (config_.data.max_train_tokens > 0) {
      train_chunks_ = std::min(train_chunks_,
                               std::max<std::int64_t>(1, config_.data.max_train_tokens / chunk_));
    }
    for (const TokenStream* s : {&train_, &valid_, &test_}) {
      if (s->numChunks(chunk_) == 0) {
        throw InputError({s->file, 0, "data.seq_len"},
                         expectedGot("at least one chunk of " + std::to_string(chunk_) + " tokens",
                                     std::to_string(s->ids.size()) + " tokens"));
      }
    }
  }

  RunConfig config_;
  TaskContext ctx_;
  std::int64_t L_;      // data.seq_len: positions the model sees
  std::int64_t chunk_;  // ids a chunk holds: L, or L + 1 under data.targets next
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
