// SNLI heads on a frozen DistilBERT (SPEC §7.3): the backbone (model.backbone_dir, resolved by the
// trainer) runs in eval mode without gradients and is no part of module(), so it is neither
// trained, optimised nor checkpointed; only the head trains. What the head reads: the token
// features of each pair (head_variant paper; with the separate encoding the two sentences' parts
// of seq_len each, concatenated) or the mean-pooled joint pair (reference). Those are cached on
// disk per split (feature_cache.h) when they fit data.feature_cache_gb, so that later epochs read
// them instead of running the backbone; otherwise the backbone runs inside each step. Both paths
// give the head the same tensors, laid out by the same code.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <numeric>

#include "engine/data/backbone_folder.h"
#include "engine/data/feature_cache.h"
#include "engine/model/distilbert.h"
#include "engine/model/snli_head.h"
#include "engine/tokenizers/tokenizer.h"
#include "engine/train/snli_common.h"
#include "engine/train/tasks.h"
#include "engine/util/error.h"
#include "engine/util/paths.h"

namespace gwb {
namespace {

using Clock = std::chrono::steady_clock;

// Pairs per backbone pass while a cache is built.
constexpr std::int64_t kBuildBatch = 64;
// Training batches between two reports of the backbone's time.
constexpr std::int64_t kBackboneReportEvery = 20;

std::string megabytes(std::int64_t bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f MB", static_cast<double>(bytes) / 1e6);
  return text;
}

// The backbone's outputs of one split: where each pair's rows start, and the cached rows.
struct SplitFeatures {
  std::vector<std::int64_t> offset;  // pair i's first row (one row per token, or per pair)
  torch::Tensor rows;                // (rows, D) on the host, mapped from the cache; or undefined
  std::shared_ptr<MappedFeatureCache> file;
  std::string state = "not cached";  // for the provenance: built, read, not cached (why)
  std::string path;
  std::int64_t bytes = 0;
};

class SnliBackboneTask final : public SnliTaskBase {
 public:
  SnliBackboneTask(const RunConfig& config, const TaskContext& ctx) : SnliTaskBase(config, ctx) {
    folder_ = inspectBackboneFolder(config_.model.backbone_dir, /*with_sha256=*/true);
    const auto problems = backboneProblems(config_, folder_, ctx_.tokenizer->vocabSize());
    if (!problems.empty())
      throw InputError({"", 0, problems.front().key}, problems.front().message);
    backbone_ = loadDistilBert(folder_, ctx_.device, ctx_.bf16);
    model_ = HeadModel(config_.model, folder_.shape.dim, ctx_.generator, kSnliClasses);
    model_->to(ctx_.device);
    model_->train();
    pooled_ = model_->readsPooled();
    segment_ = separate_ ? config_.data.seq_len : 0;
    if (ctx_.log) {
      ctx_.log("backbone: DistilBERT " + folder_.dir + " (dim " +
               std::to_string(folder_.shape.dim) + ", " + std::to_string(folder_.shape.n_layers) +
               " layers, " + std::to_string(folder_.parameters) + " parameters, frozen, " +
               precision() + "; model.safetensors sha256 " + folder_.weights_sha256 + ")");
    }
    prepareFeatures();
  }

  torch::nn::Module& module() override { return *model_; }
  std::vector<std::pair<std::string, std::int64_t>> parameterCounts() const override {
    return model_->parameterCounts();
  }
  std::int64_t frozenParameters() const override { return folder_.parameters; }
  nlohmann::ordered_json frozenProvenance() const override {
    nlohmann::ordered_json p;
    p["dir"] = folder_.dir;
    p["weights_sha256"] = folder_.weights_sha256;
    p["dim"] = folder_.shape.dim;
    p["n_layers"] = folder_.shape.n_layers;
    p["parameters"] = folder_.parameters;
    p["precision"] = precision();
    p["reads"] = pooled_ ? "pooled" : "tokens";
    const std::initializer_list<std::pair<const char*, const SplitFeatures*>> splits = {
        {"train", &train_features_}, {"valid", &valid_features_}, {"test", &test_features_}};
    for (const auto& [name, f] : splits) {
      p["feature_cache"][name] = {{"state", f->state}, {"file", f->path}, {"bytes", f->bytes}};
    }
    return p;
  }

  Batch trainBatch(const std::vector<std::int64_t>& order, std::int64_t first,
                   std::int64_t count) const override {
    return makeBatch(train_, order, first, count);
  }
  torch::Tensor loss(const Batch& batch) override {
    return torch::nll_loss(torch::log_softmax(logits(batch), -1, torch::kFloat), batch.labels);
  }

  ProbeResult probe(const ProbesConfig& config) override {
    if (config_.model.arch != "grassmann") return {};
    const std::int64_t n = std::min(config.probe_batch, valid_.pairs.size());
    std::vector<std::int64_t> order(static_cast<std::size_t>(n));
    std::iota(order.begin(), order.end(), 0);
    const Batch b = makeBatch(valid_, order, 0, n);
    torch::NoGradGuard no_grad;
    const bool was_training = model_->is_training();
    model_->eval();
    std::vector<GrassmannCapture> captures;
    model_->logits({b.features, b.mask, b.segment}, &captures);
    if (was_training) model_->train();
    return probeEvents(captures, config_.model.plucker_eps, config);
  }

 protected:
  Batch makeBatch(const PairSplit& split, const std::vector<std::int64_t>& order,
                  std::int64_t first, std::int64_t count) const override {
    const SplitFeatures& f = featuresOf(split);
    Batch b;
    b.rows = count;
    bool cached = f.rows.defined();  // and holds every pair asked for (probes may ask for more)
    for (std::int64_t i = 0; i < count; ++i) {
      b.tokens += split.pairs.pairTokens(order[first + i]);
      cached = cached && order[first + i] < static_cast<std::int64_t>(f.offset.size());
    }
    const auto start = Clock::now();
    const torch::Tensor rows = cached ? cachedRows(split, f, order, first, count)
                                      : backboneRows(split, order, first, count);
    if (!cached && &split == &train_ && ctx_.device.is_cpu()) noteBackboneTime(start);
    layOut(split, rows.to(ctx_.device), order, first, count, b);
    b.labels = labels(split, order, first, count);
    return b;
  }
  torch::Tensor logits(const Batch& batch) override {
    return model_->logits({batch.features, batch.mask, batch.segment});
  }

 private:
  std::string precision() const { return ctx_.bf16 ? "bf16" : "fp32"; }

  const SplitFeatures& featuresOf(const PairSplit& split) const {
    return &split == &train_   ? train_features_
           : &split == &valid_ ? valid_features_
                               : test_features_;
  }

  // Rows of a pair: its tokens (both sentences: a then b), or 1 (pooled).
  std::int64_t pairRows(const PairSplit& split, std::int64_t i) const {
    return pooled_ ? 1 : split.pairs.pairTokens(i);
  }

  // The backbone's rows of pairs order[first, first + count), in pair order: (rows, D) on the
  // device in the backbone's dtype.
  torch::Tensor backboneRows(const PairSplit& split, const std::vector<std::int64_t>& order,
                             std::int64_t first, std::int64_t count) const {
    torch::NoGradGuard no_grad;
    const std::int32_t pad = ctx_.tokenizer->paddingId();
    std::int64_t tokens = 0;
    const auto run = [&](const std::vector<std::vector<std::int32_t>>& seqs) {
      auto [ids, mask] = paddedIds(seqs, order, first, count, pad, &tokens);
      mask = mask.to(ctx_.device);
      return std::make_pair(backbone_->forward(ids.to(ctx_.device), mask), mask);  // (B, T, D)
    };
    const auto [hidden_a, mask_a] = run(split.pairs.a);
    if (pooled_) return maskedMean(hidden_a, mask_a).to(backbone_->dtype());  // (B, D)
    std::vector<torch::Tensor> parts = {hidden_a.reshape({-1, hidden_a.size(2)})};
    const std::int64_t Ta = hidden_a.size(1);
    std::int64_t Tb = 0;
    if (separate_) {
      const auto [hidden_b, mask_b] = run(split.pairs.b);
      Tb = hidden_b.size(1);
      parts.push_back(hidden_b.reshape({-1, hidden_b.size(2)}));
    }
    std::vector<std::int64_t> index;  // rows of the flat (B Ta [+ B Tb], D) in pair order
    for (std::int64_t i = 0; i < count; ++i) {
      const auto p = static_cast<std::size_t>(order[first + i]);
      for (std::size_t t = 0; t < split.pairs.a[p].size(); ++t)
        index.push_back(i * Ta + static_cast<std::int64_t>(t));
      if (separate_) {
        for (std::size_t t = 0; t < split.pairs.b[p].size(); ++t)
          index.push_back(count * Ta + i * Tb + static_cast<std::int64_t>(t));
      }
    }
    const torch::Tensor flat = parts.size() == 1 ? parts[0] : torch::cat(parts);
    return flat.index_select(0, torch::tensor(index, torch::kLong).to(ctx_.device));
  }

  // The cached rows of the same pairs, (rows, D) on the host.
  torch::Tensor cachedRows(const PairSplit& split, const SplitFeatures& f,
                           const std::vector<std::int64_t>& order, std::int64_t first,
                           std::int64_t count) const {
    std::vector<std::int64_t> index;
    for (std::int64_t i = 0; i < count; ++i) {
      const std::int64_t p = order[first + i];
      const std::int64_t begin = f.offset[static_cast<std::size_t>(p)];
      for (std::int64_t r = 0; r < pairRows(split, p); ++r) index.push_back(begin + r);
    }
    return f.rows.index_select(0, torch::tensor(index, torch::kLong));
  }

  // The head's input from rows in pair order: pooled (B, D) as they are; token features
  // (B, T, D) zero at padding, T the longest joint pair or 2 x seq_len (separate: each sentence
  // at the start of its half), with the mask.
  void layOut(const PairSplit& split, const torch::Tensor& rows,
              const std::vector<std::int64_t>& order, std::int64_t first, std::int64_t count,
              Batch& b) const {
    b.segment = segment_;
    if (pooled_) {
      b.features = rows;
      return;
    }
    std::int64_t T = 1;
    if (separate_) {
      T = 2 * segment_;
    } else {
      for (std::int64_t i = 0; i < count; ++i)
        T = std::max<std::int64_t>(
            T, split.pairs.a[static_cast<std::size_t>(order[first + i])].size());
    }
    std::vector<std::int64_t> dest;  // row r of `rows` goes to position dest[r] of (B T)
    dest.reserve(static_cast<std::size_t>(rows.size(0)));
    for (std::int64_t i = 0; i < count; ++i) {
      const auto p = static_cast<std::size_t>(order[first + i]);
      for (std::size_t t = 0; t < split.pairs.a[p].size(); ++t)
        dest.push_back(i * T + static_cast<std::int64_t>(t));
      if (separate_) {
        for (std::size_t t = 0; t < split.pairs.b[p].size(); ++t)
          dest.push_back(i * T + segment_ + static_cast<std::int64_t>(t));
      }
    }
    const torch::Tensor where = torch::tensor(dest, torch::kLong).to(rows.device());
    const std::int64_t D = rows.size(1);
    b.features = torch::zeros({count * T, D}, rows.options())
                     .index_copy_(0, where, rows)
                     .view({count, T, D});
    b.mask = torch::zeros({count * T}, rows.options().dtype(torch::kBool))
                 .index_fill_(0, where, true)
                 .view({count, T});
  }

  // Decides per split (train, valid, test: the pairs each run reads) whether its outputs fit the
  // budget left, and reads or builds the cache of those that do.
  void prepareFeatures() {
    const double budget = config_.data.feature_cache_gb * 1e9;
    double used = 0;
    const std::string dir = cacheDir();
    for (auto [name, split, f] : {std::make_tuple("train", &train_, &train_features_),
                                  std::make_tuple("valid", &valid_, &valid_features_),
                                  std::make_tuple("test", &test_, &test_features_)}) {
      const std::int64_t pairs = split == &train_ ? split->pairs.size() : split->used;
      f->offset.resize(static_cast<std::size_t>(pairs));
      std::int64_t rows = 0;
      for (std::int64_t i = 0; i < pairs; ++i) {
        f->offset[static_cast<std::size_t>(i)] = rows;
        rows += pairRows(*split, i);
      }
      FeatureCacheKey key;
      key.backbone_sha256 = folder_.weights_sha256;
      key.data_sha256 = split->data.source_sha256;
      key.tokenizer = ctx_.tokenizer->fingerprint();
      key.split = name;
      key.kind = pooled_ ? "pooled" : "tokens";
      key.encoding = config_.data.pair_encoding;
      key.seq_len = config_.data.seq_len;
      key.precision = precision();
      key.pairs = pairs;
      key.rows = rows;
      key.dim = folder_.shape.dim;
      f->bytes = key.dataBytes();
      if (budget <= 0 || used + static_cast<double>(f->bytes) > budget) {
        f->state = budget <= 0 ? "not cached (data.feature_cache_gb 0)"
                               : "not cached (" + megabytes(f->bytes) + " over the " +
                                     megabytes(static_cast<std::int64_t>(budget - used)) +
                                     " left of data.feature_cache_gb)";
        log(std::string("feature cache ") + name + ": " + f->state +
            ": the backbone runs in every batch");
        continue;
      }
      used += static_cast<double>(f->bytes);
      f->path = dir + "/" + key.fileName();
      f->file = MappedFeatureCache::open(dir, key, ctx_.progress);
      if (f->file) {
        f->state = "read";
        log(std::string("feature cache ") + name + ": read " + f->path + " (" +
            megabytes(f->bytes) + ")");
      } else {
        const auto start = Clock::now();
        build(*split, key, dir);
        f->file = MappedFeatureCache::open(dir, key, ctx_.progress);
        if (!f->file)
          throw std::runtime_error("feature cache " + f->path + " unreadable after writing it");
        const double s = std::chrono::duration<double>(Clock::now() - start).count();
        f->state = "built";
        char text[64];
        std::snprintf(text, sizeof text, " in %.1f s", s);
        log(std::string("feature cache ") + name + ": built " + f->path + " (" +
            megabytes(f->bytes) + text + ")");
      }
      // The rows stay in the mapping; the tensor only borrows them (the cache outlives it).
      f->rows = torch::from_blob(
          const_cast<void*>(f->file->data()), {rows, key.dim},
          torch::TensorOptions().dtype(ctx_.bf16 ? torch::kBFloat16 : torch::kFloat));
    }
  }

  // One backbone pass over the split's first key.pairs pairs, written as they come.
  void build(const PairSplit& split, const FeatureCacheKey& key, const std::string& dir) const {
    if (ctx_.progress) {
      ctx_.progress("feature cache " + key.split + ": running the backbone over " +
                    std::to_string(key.pairs) + " pairs (" + megabytes(key.dataBytes()) + ")");
    }
    FeatureCacheWriter writer(dir, key);
    std::vector<std::int64_t> order(static_cast<std::size_t>(key.pairs));
    std::iota(order.begin(), order.end(), 0);
    for (std::int64_t first = 0; first < key.pairs; first += kBuildBatch) {
      const torch::Tensor rows =
          backboneRows(split, order, first, std::min(kBuildBatch, key.pairs - first))
              .to(torch::kCPU)
              .contiguous();
      writer.append(rows.data_ptr(), static_cast<std::size_t>(rows.numel() * rows.element_size()));
    }
    writer.commit();
  }

  // The backbone's share of a training step (CPU, where the clock sees the work as it is done):
  // its mean time per training batch, said every kBackboneReportEvery batches; the step's own
  // time is the metrics' step_ms.
  void noteBackboneTime(Clock::time_point start) const {
    backbone_seconds_ += std::chrono::duration<double>(Clock::now() - start).count();
    if (++backbone_batches_ % kBackboneReportEvery != 0 || !ctx_.progress) return;
    char text[160];
    std::snprintf(text, sizeof text,
                  "backbone: %.1f ms per training batch (mean of %lld batches, backbone run "
                  "inside the step)",
                  1000.0 * backbone_seconds_ / static_cast<double>(backbone_batches_),
                  static_cast<long long>(backbone_batches_));
    ctx_.progress(text);
  }

  void log(const std::string& message) const {
    if (ctx_.log) ctx_.log(message);
  }

  BackboneFolder folder_;
  mutable DistilBert backbone_{nullptr};  // frozen: running it changes nothing
  HeadModel model_{nullptr};
  bool pooled_ = false;
  std::int64_t segment_ = 0;
  SplitFeatures train_features_, valid_features_, test_features_;
  mutable double backbone_seconds_ = 0;        // the backbone's time in training batches
  mutable std::int64_t backbone_batches_ = 0;  // training batches it ran in
};

}  // namespace

std::unique_ptr<Task> makeSnliBackboneTask(const RunConfig& config, const TaskContext& ctx) {
  return std::make_unique<SnliBackboneTask>(config, ctx);
}

}  // namespace gwb
