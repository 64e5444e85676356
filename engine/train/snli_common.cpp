// The SNLI splits, evaluation and bookkeeping shared by both SNLI tasks.
#include "engine/train/snli_common.h"

#include <algorithm>
#include <numeric>

#include "engine/data/token_cache.h"
#include "engine/runs/classification_metrics.h"
#include "engine/runtime/device.h"
#include "engine/tokenizers/tokenizer.h"
#include "engine/util/error.h"

namespace gwb {

std::pair<torch::Tensor, torch::Tensor> paddedIds(
    const std::vector<std::vector<std::int32_t>>& seqs, const std::vector<std::int64_t>& index,
    std::int64_t first, std::int64_t count, std::int32_t pad, std::int64_t* tokens) {
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

SnliTaskBase::SnliTaskBase(const RunConfig& config, const TaskContext& ctx)
    : config_(config), ctx_(ctx), separate_(config.data.separatePairs()) {
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
             std::to_string(train_.pairs.truncated) + " cut to " + std::to_string(L) + " tokens)");
  }
}

torch::Tensor SnliTaskBase::labels(const PairSplit& split, const std::vector<std::int64_t>& order,
                                   std::int64_t first, std::int64_t count) const {
  torch::Tensor labels = torch::empty({count}, torch::kLong);
  auto* l = labels.data_ptr<std::int64_t>();
  for (std::int64_t i = 0; i < count; ++i)
    l[i] = split.pairs.labels[static_cast<std::size_t>(order[first + i])];
  return labels.to(ctx_.device);
}

EvalEvent SnliTaskBase::evaluate(const std::string& split) {
  const PairSplit& s = split == "test" ? test_ : valid_;
  torch::NoGradGuard no_grad;
  const bool was_training = module().is_training();
  module().eval();
  std::vector<std::int64_t> order(static_cast<std::size_t>(s.used));
  std::iota(order.begin(), order.end(), 0);
  ClassificationCounts counts;
  const std::int64_t B = config_.train.batch_size;
  for (std::int64_t first = 0; first < s.used; first += B) {
    const Batch b = makeBatch(s, order, first, std::min(B, s.used - first));
    torch::Tensor losses, predicted;
    {
      AutocastGuard autocast(ctx_.bf16);
      const torch::Tensor l = logits(b);
      losses = torch::nll_loss(torch::log_softmax(l, -1, torch::kFloat), b.labels, {},
                               at::Reduction::None);
      predicted = l.argmax(-1);
    }
    const torch::Tensor loss = losses.to(torch::kCPU, torch::kDouble);
    const torch::Tensor gold = b.labels.to(torch::kCPU), pred = predicted.to(torch::kCPU);
    const auto* g = gold.data_ptr<std::int64_t>();
    const auto* p = pred.data_ptr<std::int64_t>();
    const auto* l = loss.data_ptr<double>();
    for (std::int64_t i = 0; i < b.rows; ++i)
      counts.add(static_cast<int>(g[i]), static_cast<int>(p[i]), l[i]);
  }
  if (was_training) module().train();

  EvalEvent e;
  e.split = split;
  counts.fill(e);
  e.truncated = s.pairs.truncated;
  return e;
}

bool SnliTaskBase::improves(const EvalEvent& valid, const TrainerState& state) const {
  return valid.accuracy > state.best_valid_accuracy;  // ties keep the earlier checkpoint
}

void SnliTaskBase::recordValidation(const EvalEvent& valid, bool best, TrainerState& state) const {
  state.final_valid_accuracy = valid.accuracy;
  if (best) {
    state.best_valid_accuracy = valid.accuracy;
    state.best_step = valid.step;
  }
}

std::map<std::string, std::string> SnliTaskBase::bestMetadata(const EvalEvent& valid) const {
  return {{"step", std::to_string(valid.step)}, {"valid_accuracy", std::to_string(valid.accuracy)}};
}

void SnliTaskBase::fillSummary(const TrainerState& state, const EvalEvent* test,
                               RunSummary& summary) const {
  summary.task = "snli";
  // The trainer state keeps -1 for "none yet" (its file's format): missing in the summary.
  if (state.best_valid_accuracy >= 0) summary.best_valid_accuracy = state.best_valid_accuracy;
  summary.best_step = state.best_step;
  if (state.final_valid_accuracy >= 0) summary.final_valid_accuracy = state.final_valid_accuracy;
  if (test) {
    summary.test_accuracy = test->accuracy;
    summary.test_per_class_accuracy = test->per_class_accuracy;
  }
}

nlohmann::ordered_json SnliTaskBase::dataProvenance() const {
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

std::string SnliTaskBase::trainSplitName() const {
  const bool sample = train_.data.file.find("snli_1.0_train_0.01") != std::string::npos;
  return sample ? "the embedded 1% sample" : "full";
}

}  // namespace gwb
