// Strict JSON <-> RunConfig. One table lists every key with its section, type and member; reading,
// writing, --set and "unknown key" errors all come from it, so a new key is one line here.
#include "engine/config/run_config.h"

#include "engine/config/config_table.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>
#include <sstream>

#include "engine/util/error.h"
#include "engine/util/file_io.h"

namespace gwb {
namespace {

using detail::Json;
using detail::KeyEntry;
using detail::keyTable;

const std::vector<std::string>& sections() {
  static const std::vector<std::string> names = {"model", "data", "train", "probes"};
  return names;
}

std::string keysOf(const std::string& section) {
  std::string keys;
  for (const KeyEntry& e : keyTable()) {
    if (e.key.section == section) keys += (keys.empty() ? "" : ", ") + e.key.key;
  }
  if (section.empty()) keys += ", model, data, train, probes";
  return keys;
}

const KeyEntry* findEntry(const std::string& section, const std::string& key) {
  for (const KeyEntry& e : keyTable()) {
    if (e.key.section == section && e.key.key == key) return &e;
  }
  return nullptr;
}

[[noreturn]] void typeError(const std::string& source, const std::string& key,
                            const std::string& expected, const Json& got) {
  std::string text = got.dump();
  if (text.size() > 60) text = text.substr(0, 60) + "...";
  throw InputError({source, 0, key}, expectedGot(expected, text));
}

Json parseJson(const std::string& text, const std::string& source) {
  try {
    return Json::parse(text);
  } catch (const Json::parse_error& e) {
    const long line =
        countNewlines(std::string_view(text).substr(0, std::min(e.byte, text.size()))) + 1;
    throw InputError({source, line}, expectedGot("a JSON configuration", e.what()));
  } catch (const Json::exception& e) {  // out_of_range: a number that overflows
    throw InputError({source}, expectedGot("a JSON configuration", e.what()));
  }
}

void readSection(RunConfig& config, const std::string& section, const Json& object,
                 const std::string& source) {
  if (!object.is_object()) typeError(source, section, "an object", object);
  for (const auto& [key, value] : object.items()) {
    const KeyEntry* e = findEntry(section, key);
    if (!e) {
      throw InputError({source, 0, section.empty() ? key : section + "." + key},
                       expectedGot("a key of " +
                                       (section.empty() ? std::string("the configuration")
                                                        : "the " + section + " section") +
                                       " (" + keysOf(section) + ")",
                                   "an unknown key"));
    }
    e->read(config, value, source);
  }
}

bool oneOf(const std::string& value, std::initializer_list<const char*> allowed) {
  for (const char* a : allowed) {
    if (value == a) return true;
  }
  return false;
}

}  // namespace

std::vector<std::int64_t> ModelConfig::layerWindows(std::int64_t layer) const {
  if (window_mode == "per_layer") {
    return layer >= 0 && layer < static_cast<std::int64_t>(windows.size())
               ? std::vector<std::int64_t>{windows[layer]}
               : std::vector<std::int64_t>{};
  }
  return windows;
}

RunConfig parseRunConfig(const std::string& json_text, const std::string& source) {
  const Json root = parseJson(json_text, source);
  if (!root.is_object()) typeError(source, "", "a JSON object", root);
  RunConfig config;
  Json top_level = Json::object();
  for (const auto& [key, value] : root.items()) {
    if (key == "provenance") continue;  // written into config.json by the trainer
    if (std::find(sections().begin(), sections().end(), key) != sections().end()) {
      readSection(config, key, value, source);
    } else {
      top_level[key] = value;
    }
  }
  readSection(config, "", top_level, source);
  return config;
}

RunConfig loadRunConfig(const std::string& path) {
  const std::string text = readFileBytes(path);
  checkUtf8(text, path);
  return parseRunConfig(text, path);
}

ModelConfig parseModelConfig(const std::string& json_text, const std::string& source) {
  const Json root = parseJson(json_text, source);
  if (!root.is_object()) typeError(source, "", "a JSON object", root);
  if (root.contains("model")) return parseRunConfig(json_text, source).model;
  RunConfig config;
  readSection(config, "model", root, source);
  return config.model;
}

std::string applyOverrides(const std::string& json_text, const std::vector<std::string>& sets,
                           const std::string& source) {
  Json root = parseJson(json_text, source);
  for (const std::string& set : sets) {
    const auto eq = set.find('=');
    if (eq == std::string::npos || eq == 0) {
      throw InputError({"", 0, "--set"}, expectedGot("KEY=VALUE", quoteForMessage(set)));
    }
    const std::string path = set.substr(0, eq);
    const std::string text = set.substr(eq + 1);
    const auto dot = path.find('.');
    const std::string section = dot == std::string::npos ? "" : path.substr(0, dot);
    const std::string key = dot == std::string::npos ? path : path.substr(dot + 1);
    if (!findEntry(section, key)) {
      throw InputError({"", 0, "--set " + path},
                       expectedGot("a configuration key such as train.lr", "an unknown key"));
    }
    Json value;
    try {
      value = Json::parse(text);
    } catch (const Json::exception&) {
      value = text;  // not JSON: a string
    }
    if (section.empty()) {
      root[key] = value;
    } else {
      root[section][key] = value;
    }
  }
  return root.dump(2);
}

namespace {

// Parameter arithmetic in long double, saturated at int64's maximum: a typo such as d_model 1e12
// must give a huge count, never an overflow.
using Count = long double;
std::int64_t saturate(Count n) {
  constexpr Count kMax = static_cast<Count>(std::numeric_limits<std::int64_t>::max());
  return n >= kMax ? std::numeric_limits<std::int64_t>::max() : static_cast<std::int64_t>(n);
}
Count linearCount(Count in, Count out, bool bias = true) { return in * out + (bias ? out : 0); }

// One block of the language model's body (SPEC §1-2).
Count blockCount(Count d, Count ff, bool grassmann, bool pre_norm, Count r, Count plucker) {
  const Count ln = 2 * d;
  Count block = ln /* ln2 */ + linearCount(d, ff) + linearCount(ff, d);  // FFN
  if (grassmann) {
    if (pre_norm) block += ln;  // ln1 (post-LN has none)
    block += linearCount(d, r) + linearCount(plucker, d) + linearCount(2 * d, d) + ln;
  } else {
    block += ln + linearCount(d, 3 * d) + linearCount(d, d);  // ln1, qkv, out
  }
  return block;
}

Count bodyCount(const ModelConfig& m, bool with_head) {
  const Count d = static_cast<Count>(m.d_model), r = static_cast<Count>(m.r);
  const Count block = blockCount(d, static_cast<Count>(m.d_ff), m.arch == "grassmann",
                                 m.norm == "pre", r, r * (r - 1) / 2);
  const Count embeddings =
      static_cast<Count>(m.vocab_size) * d * (with_head && !m.tie_embeddings ? 2 : 1);
  return embeddings + static_cast<Count>(m.max_len) * d + static_cast<Count>(m.n_layers) * block +
         2 * d;
}

Count headCount(const ModelConfig& m) {
  const Count bd = static_cast<Count>(m.backbone_dim > 0 ? m.backbone_dim : 768);
  const Count d = static_cast<Count>(m.head_d_model), ff = static_cast<Count>(m.head_d_ff);
  const Count r = static_cast<Count>(m.head_r);
  const bool grassmann = m.arch == "grassmann";
  Count block = 0;
  if (m.head_variant == "reference") {
    if (grassmann) {  // to_reduced, from_plucker (2,016 at r = 64), gate.0, ln1, ln2, ffn
      block = linearCount(d, r) + linearCount(r * (r - 1) / 2, d) + linearCount(2 * d, d) + 4 * d +
              linearCount(d, ff) + linearCount(ff, d);
    } else {  // torch.nn.TransformerEncoderLayer: in_proj, out_proj, linear1/2, norm1/2
      block = linearCount(d, 3 * d) + linearCount(d, d) + linearCount(d, ff) + linearCount(ff, d) +
              4 * d;
    }
  } else {
    const Count groups = static_cast<Count>(std::max<std::int64_t>(1, m.head_groups));
    const Count per = r / groups;
    block = blockCount(d, ff, grassmann, /*pre_norm=*/true, r, groups * per * (per - 1) / 2);
  }
  return linearCount(bd, d) + static_cast<Count>(m.head_layers) * block + linearCount(d, 3);
}

Count trainedCount(const RunConfig& c) {
  if (!c.data.isSnli()) return bodyCount(c.model, /*with_head=*/true);
  if (c.model.hasBackbone()) return headCount(c.model);
  const Count d = static_cast<Count>(c.model.d_model);
  return bodyCount(c.model, /*with_head=*/false) +
         linearCount(c.data.separatePairs() ? 4 * d : d, 3);
}

}  // namespace

std::int64_t countParameters(const ModelConfig& m) { return saturate(bodyCount(m, true)); }

std::int64_t countTrainedParameters(const RunConfig& config) {
  return saturate(trainedCount(config));
}

std::int64_t countTwinParameters(const RunConfig& config) {
  RunConfig twin = config;
  twin.model.arch = config.model.arch == "grassmann" ? "transformer" : "grassmann";
  return countTrainedParameters(twin);
}

std::int64_t knownVocabSize(const std::string& tokenizer) {
  if (tokenizer == "gpt2") return 50257;
  if (tokenizer == "bert") return 30522;
  return 0;
}

std::int64_t defaultSeqLen(const DataConfig& data) {
  if (!data.isSnli()) return 256;
  return data.pair_encoding == "separate" ? 48 : 96;
}

void resolveRunConfig(RunConfig& config, std::int64_t tokenizer_vocab_size) {
  if (config.data.task == "wikitext") config.data.task = "wikitext2";
  if (config.data.seq_len == 0) config.data.seq_len = defaultSeqLen(config.data);
  if (config.model.vocab_size == 0) config.model.vocab_size = tokenizer_vocab_size;
  if (config.model.max_len == 0) config.model.max_len = config.data.seq_len;
}

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
  need(oneOf(m.norm, {"pre", "post"}), "model.norm", "pre or post", str(m.norm));
  if (m.arch == "transformer") {
    need(m.heads >= 1 && m.d_model % std::max<std::int64_t>(m.heads, 1) == 0, "model.heads",
         "a divisor of d_model " + num(m.d_model), num(m.heads));
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
  need(oneOf(t.schedule, {"cosine", "cosine_per_epoch", "constant"}), "train.schedule",
       "cosine, cosine_per_epoch or constant", str(t.schedule));
  need(t.weight_decay >= 0, "train.weight_decay", "a number >= 0", num(t.weight_decay));
  need(
      t.betas.size() == 2 && t.betas[0] >= 0 && t.betas[0] < 1 && t.betas[1] >= 0 && t.betas[1] < 1,
      "train.betas", "two numbers in [0, 1)", num(t.betas.size()) + " values");
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

namespace {

Json sectionJson(const RunConfig& config, const std::string& section) {
  Json out = Json::object();
  for (const KeyEntry& e : keyTable()) {
    if (e.key.section == section) out[e.key.key] = e.write(config);
  }
  return out;
}

}  // namespace

std::string runConfigToJson(const RunConfig& config, int indent) {
  Json out = sectionJson(config, "");
  for (const std::string& section : sections()) out[section] = sectionJson(config, section);
  return out.dump(indent);
}

std::string modelConfigToJson(const ModelConfig& model, int indent) {
  RunConfig config;
  config.model = model;
  return sectionJson(config, "model").dump(indent);
}

}  // namespace gwb
