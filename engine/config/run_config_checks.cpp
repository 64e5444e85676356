// The combinations a configuration may not have (configProblems): every key's range, the keys that
// depend on others (heads and d_model, offsets and positions, the backbone and the head), and the
// device; each problem names its key. The parsing and the key table are run_config.cpp's.
#include <algorithm>
#include <cmath>
#include <limits>
#include <set>
#include <sstream>

#include "engine/config/run_config.h"
#include "engine/util/error.h"

namespace gwb {
namespace {

bool oneOf(const std::string& value, std::initializer_list<const char*> allowed) {
  for (const char* a : allowed) {
    if (value == a) return true;
  }
  return false;
}

}  // namespace

std::vector<ConfigProblem> configProblems(const RunConfig& c, bool device_is_cuda) {
  std::vector<ConfigProblem> out;
  const auto need = [&](bool ok, const std::string& key, const std::string& expected,
                        const std::string& got) {
    if (!ok) out.push_back({key, expectedGot(expected, got)});
  };
  const auto str = [](const std::string& s) { return "\"" + s + "\""; };
  const auto num = [](auto v) {
    std::ostringstream os;
    os << v;
    return os.str();
  };
  const ModelConfig& m = c.model;
  need(!c.name.empty() && c.name.find('/') == std::string::npos && c.name != "." && c.name != "..",
       "name", "a non-empty name without '/'", str(c.name));
  need(oneOf(m.arch, {"grassmann", "transformer"}), "model.arch", "grassmann or transformer",
       str(m.arch));
  need(m.vocab_size >= 0, "model.vocab_size", "a positive integer (0: the tokenizer's)",
       num(m.vocab_size));
  const std::int64_t tokenizer_size =
      c.data.vocab_dir.empty() ? knownVocabSize(c.data.tokenizer) : 0;
  if (m.vocab_size > 0 && tokenizer_size > 0) {
    need(m.vocab_size >= tokenizer_size, "model.vocab_size",
         "at least the tokenizer's " + num(tokenizer_size), num(m.vocab_size));
  }
  need(m.max_len >= 0, "model.max_len", "a positive integer (0: data.seq_len)", num(m.max_len));
  need(m.d_model >= 1, "model.d_model", "a positive integer", num(m.d_model));
  need(m.n_layers >= 1, "model.n_layers", "a positive integer", num(m.n_layers));
  need(m.d_ff >= 1, "model.d_ff", "a positive integer", num(m.d_ff));
  need(m.dropout >= 0 && m.dropout < 1, "model.dropout", "a number in [0, 1)", num(m.dropout));
  need(oneOf(m.norm, {"pre", "post", "pre_plain", "post_residual"}), "model.norm",
       "pre, post, pre_plain or post_residual", str(m.norm));
  need(oneOf(m.ffn_dropout, {"inner", "outer"}), "model.ffn_dropout", "inner or outer",
       str(m.ffn_dropout));
  need(oneOf(m.init, {"normal", "torch_default", "normal_xavier_qkv"}), "model.init",
       "normal, torch_default or normal_xavier_qkv", str(m.init));
  need(c.recipe.empty() ||
           std::find(recipeNames().begin(), recipeNames().end(), c.recipe) != recipeNames().end(),
       "recipe",
       "a recipe name (paper, reference, arledge, kanenorman, youdie6, youdie12, grasslm)",
       str(c.recipe));
  if (m.arch == "transformer") {
    need(m.heads >= 1 && m.d_model % std::max<std::int64_t>(m.heads, 1) == 0, "model.heads",
         "a divisor of d_model " + num(m.d_model), num(m.heads));
    need(m.attn_dropout >= 0 && m.attn_dropout < 1, "model.attn_dropout", "a number in [0, 1)",
         num(m.attn_dropout));
  }
  if (m.arch == "grassmann") {
    need(m.r >= 2, "model.r", "an integer >= 2", num(m.r));
    need(!m.windows.empty(), "model.windows", "at least one offset", "[]");
    for (std::size_t i = 0; i < m.windows.size(); ++i) {
      need(m.windows[i] >= 1, "model.windows", "offsets >= 1", num(m.windows[i]));
    }
    need(oneOf(m.window_mode, {"all", "per_layer"}), "model.window_mode", "all or per_layer",
         str(m.window_mode));
    if (m.window_mode == "per_layer") {
      need(static_cast<std::int64_t>(m.windows.size()) == m.n_layers, "model.windows",
           "one offset per layer (n_layers = " + num(m.n_layers) + ") with window_mode per_layer",
           num(m.windows.size()) + " offsets");
    }
    need(m.plucker_eps > 0, "model.plucker_eps", "a positive number", num(m.plucker_eps));
    need(oneOf(m.pairing, {"past", "future_leaky"}), "model.pairing", "past or future_leaky",
         str(m.pairing));
    need(oneOf(m.mix_output, {"blend", "gate_only"}), "model.mix_output", "blend or gate_only",
         str(m.mix_output));
    need(oneOf(m.offset_mean, {"project_then_mean", "mean_then_project"}), "model.offset_mean",
         "project_then_mean or mean_then_project", str(m.offset_mean));
  }
  const DataConfig& d = c.data;
  const bool snli = d.task == "snli";
  need(oneOf(m.pooling, {"mean", "cls", "last"}), "model.pooling", "mean, cls or last",
       str(m.pooling));
  if (!snli) {
    need(!m.bidirectional, "model.bidirectional",
         "false for data.task " + d.task +
             " (a bidirectional language model sees the token it "
             "predicts)",
         "true");
  }
  need(oneOf(m.backbone, {"none", "distilbert"}), "model.backbone", "none or distilbert",
       str(m.backbone));
  if (m.hasBackbone()) {
    need(snli, "model.backbone", "none for data.task " + d.task + " (a backbone feeds SNLI heads)",
         str(m.backbone));
    need(oneOf(m.head_variant, {"paper", "reference"}), "model.head_variant", "paper or reference",
         str(m.head_variant));
    need(m.backbone_dim >= 0, "model.backbone_dim", "an integer >= 0 (0: the backbone's)",
         num(m.backbone_dim));
    need(c.data.tokenizer.empty() || c.data.tokenizer == "bert", "data.tokenizer",
         "bert under model.backbone distilbert (the backbone's WordPiece ids)",
         str(c.data.tokenizer));
    if (m.head_variant == "reference") {
      need(c.data.pair_encoding != "separate", "data.pair_encoding",
           "joint with model.head_variant reference (its heads read one pooled vector of the "
           "joint pair)",
           str(c.data.pair_encoding));
    }
    const std::initializer_list<std::pair<const char*, std::int64_t>> head = {
        {"model.head_d_model", m.head_d_model}, {"model.head_layers", m.head_layers},
        {"model.head_d_ff", m.head_d_ff},       {"model.head_heads", m.head_heads},
        {"model.head_window", m.head_window},   {"model.head_stride", m.head_stride},
        {"model.head_groups", m.head_groups}};
    for (const auto& [key, value] : head) need(value >= 1, key, "a positive integer", num(value));
    if (m.arch == "transformer") {
      need(m.head_d_model % std::max<std::int64_t>(m.head_heads, 1) == 0, "model.head_heads",
           "a divisor of head_d_model " + num(m.head_d_model), num(m.head_heads));
    } else {
      need(m.head_r >= 2, "model.head_r", "an integer >= 2", num(m.head_r));
      const std::int64_t groups = std::max<std::int64_t>(m.head_groups, 1);
      need(m.head_r % groups == 0 && m.head_r / groups >= 2, "model.head_groups",
           "a divisor of head_r " + num(m.head_r) + " leaving at least 2 channels a group",
           num(m.head_groups));
      need(m.head_window >= 2, "model.head_window", "at least 2 tokens (a pair)",
           num(m.head_window));
    }
  }
  need(oneOf(d.task, {"wikitext2", "wikitext", "snli"}), "data.task", "wikitext2 or snli",
       str(d.task));
  need(oneOf(d.tokenizer, {"gpt2", "bert"}), "data.tokenizer", "gpt2 or bert", str(d.tokenizer));
  if (d.task == "snli") {
    need(oneOf(d.format, {"auto", "jsonl", "txt", "tsv"}), "data.format", "auto, jsonl, txt or tsv",
         str(d.format));
  } else {
    need(oneOf(d.format, {"auto", "tokens", "raw"}), "data.format", "auto, tokens or raw",
         str(d.format));
  }
  need(d.seq_len == 0 || d.seq_len >= 2, "data.seq_len", "an integer >= 2 (0: the task's default)",
       num(d.seq_len));
  need(oneOf(d.targets, {"shift", "next"}), "data.targets", "shift or next", str(d.targets));
  if (snli) {
    need(d.targets == "shift", "data.targets",
         "shift for data.task snli (targets next cuts language-model chunks of L + 1 tokens; a "
         "classifier has no next token)",
         str(d.targets));
  }
  need(oneOf(d.gpt2_rows, {"file", "nonempty"}), "data.gpt2_rows", "file or nonempty",
       str(d.gpt2_rows));
  if (snli) {
    need(oneOf(d.pair_encoding, {"joint", "separate"}), "data.pair_encoding", "joint or separate",
         str(d.pair_encoding));
    // A pair needs room for its special tokens and one token of each sentence.
    if (d.seq_len > 0 && d.tokenizer == "bert" && d.pair_encoding == "joint")
      need(d.seq_len >= 5, "data.seq_len", "at least 5 for BERT pairs ([CLS] a [SEP] b [SEP])",
           num(d.seq_len));
  }
  need(d.feature_cache_gb >= 0 && std::isfinite(d.feature_cache_gb), "data.feature_cache_gb",
       "a number >= 0 (0: never cache)", num(d.feature_cache_gb));
  if (m.max_len > 0 && !m.hasBackbone()) {
    const std::int64_t L = d.seq_len > 0 ? d.seq_len : defaultSeqLen(d);
    need(L <= m.max_len, "data.seq_len", "at most model.max_len " + num(m.max_len), num(L));
  }
  if (m.arch == "grassmann" && !m.hasBackbone()) {
    // A token pairs with the one `offset` before it in the same chunk of L tokens: an offset of L
    // or more never finds a partner, so its geometry would be silently empty.
    const std::int64_t L = d.seq_len > 0 ? d.seq_len : defaultSeqLen(d);
    for (const std::int64_t w : m.windows) {
      if (w < L) continue;
      need(false, "model.windows",
           "offsets below data.seq_len " + num(L) + " (offset " + num(w) +
               " never pairs inside a chunk of " + num(L) + " tokens)",
           num(w));
      break;
    }
  }
  need(d.max_train_tokens >= 0, "data.max_train_tokens", "an integer >= 0",
       num(d.max_train_tokens));
  need(d.max_eval_tokens >= 0, "data.max_eval_tokens", "an integer >= 0", num(d.max_eval_tokens));
  const TrainConfig& t = c.train;
  need(t.epochs >= 1, "train.epochs", "a positive integer", num(t.epochs));
  need(t.batch_size >= 1, "train.batch_size", "a positive integer", num(t.batch_size));
  need(t.lr > 0, "train.lr", "a positive number", num(t.lr));
  need(t.min_lr >= 0 && t.min_lr <= t.lr, "train.min_lr", "a number in [0, train.lr]",
       num(t.min_lr));
  need(t.warmup_steps >= 0, "train.warmup_steps", "an integer >= 0", num(t.warmup_steps));
  need(oneOf(t.schedule, {"cosine", "cosine_per_epoch", "constant", "cosine_epochwise"}),
       "train.schedule", "cosine, cosine_per_epoch, constant or cosine_epochwise", str(t.schedule));
  need(oneOf(t.warmup_from, {"one", "zero"}), "train.warmup_from", "one or zero",
       str(t.warmup_from));
  need(oneOf(t.eval_mean, {"tokens", "batches"}), "train.eval_mean", "tokens or batches",
       str(t.eval_mean));
  need(t.weight_decay >= 0, "train.weight_decay", "a number >= 0", num(t.weight_decay));
  need(
      t.betas.size() == 2 && t.betas[0] >= 0 && t.betas[0] < 1 && t.betas[1] >= 0 && t.betas[1] < 1,
      "train.betas", "two numbers in [0, 1)",
      countOf(static_cast<long long>(t.betas.size()), "value"));
  need(t.adam_eps > 0, "train.adam_eps", "a positive number", num(t.adam_eps));
  need(t.clip >= 0, "train.clip", "a number >= 0 (0: no clipping)", num(t.clip));
  need(oneOf(t.precision, {"auto", "fp32", "bf16"}), "train.precision", "auto, fp32 or bf16",
       str(t.precision));
  const bool cuda_named = t.device == "cuda" || t.device.rfind("cuda:", 0) == 0;
  need(t.device == "auto" || t.device == "cpu" || cuda_named, "train.device",
       "auto, cpu, cuda or cuda:N", str(t.device));
  if (cuda_named) need(device_is_cuda, "train.device", "an available CUDA device", "none");
  const bool on_cuda = device_is_cuda && t.device != "cpu";
  if (t.precision == "bf16") need(on_cuda, "train.precision", "fp32 or auto on a CPU", "bf16");
  const std::initializer_list<std::pair<const char*, std::int64_t>> counts = {
      {"train.eval_every", t.eval_every},
      {"train.probe_every", t.probe_every},
      {"train.checkpoint_every", t.checkpoint_every},
      {"train.log_every", t.log_every},
      {"train.max_steps", t.max_steps},
      {"train.threads", t.threads}};
  for (const auto& [key, value] : counts) {
    need(value >= 0, key, "an integer >= 0 (0: default or never)", num(value));
  }
  const ProbesConfig& p = c.probes;
  need(p.alpha_bins >= 1 && p.alpha_bins <= 10000, "probes.alpha_bins", "an integer in 1..10000",
       num(p.alpha_bins));
  need(p.plucker_bins >= 1 && p.plucker_bins <= 10000, "probes.plucker_bins",
       "an integer in 1..10000", num(p.plucker_bins));
  need(p.probe_batch >= 1, "probes.probe_batch", "a positive integer", num(p.probe_batch));
  return out;
}

bool usesBf16(const TrainConfig& train, bool on_cuda) {
  return on_cuda && train.precision != "fp32";
}

void validateRunConfig(const RunConfig& config, bool device_is_cuda, const std::string& source) {
  const std::vector<ConfigProblem> problems = configProblems(config, device_is_cuda);
  if (!problems.empty())
    throw InputError({source, 0, problems.front().key}, problems.front().message);
}

}  // namespace gwb
