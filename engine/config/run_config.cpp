// Strict JSON <-> RunConfig. One table lists every key with its section, type and member; reading,
// writing, --set and "unknown key" errors all come from it, so a new key is one line here.
#include "engine/config/run_config.h"

#include <algorithm>
#include <functional>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "engine/util/error.h"
#include "engine/util/file_io.h"

namespace gwb {
namespace {

using Json = nlohmann::ordered_json;

std::string describe(const Json& value) {
  if (value.is_string()) return quoteForMessage(value.get<std::string>());
  std::string text = value.dump();
  return text.size() > 60 ? text.substr(0, 60) + "..." : text;
}

[[noreturn]] void typeError(const std::string& source, const std::string& key,
                            const std::string& expected, const Json& got) {
  throw InputError({source, 0, key}, expectedGot(expected, describe(got)));
}

void read(const Json& v, std::int64_t& out, const std::string& src, const std::string& key) {
  if (v.is_number_integer()) {
    out = v.get<std::int64_t>();
  } else if (v.is_number_float() &&
             v.get<double>() == static_cast<double>(static_cast<std::int64_t>(v.get<double>()))) {
    out = static_cast<std::int64_t>(v.get<double>());  // 1e3 written for 1000
  } else {
    typeError(src, key, "an integer", v);
  }
}
void read(const Json& v, double& out, const std::string& src, const std::string& key) {
  if (!v.is_number()) typeError(src, key, "a number", v);
  out = v.get<double>();
}
void read(const Json& v, bool& out, const std::string& src, const std::string& key) {
  if (!v.is_boolean()) typeError(src, key, "true or false", v);
  out = v.get<bool>();
}
void read(const Json& v, std::string& out, const std::string& src, const std::string& key) {
  if (!v.is_string()) typeError(src, key, "a string", v);
  out = v.get<std::string>();
}
template <typename T>
void read(const Json& v, std::vector<T>& out, const std::string& src, const std::string& key) {
  if (!v.is_array()) typeError(src, key, "an array", v);
  out.clear();
  for (std::size_t i = 0; i < v.size(); ++i) {
    T item{};
    read(v[i], item, src, key + "[" + std::to_string(i) + "]");
    out.push_back(item);
  }
}

struct Field {
  std::string section;  // "" for top-level keys
  std::string key;
  std::function<void(RunConfig&, const Json&, const std::string& source)> read;
  std::function<Json(const RunConfig&)> write;
  std::string path() const { return section.empty() ? key : section + "." + key; }
};

template <typename S, typename T>
Field field(const char* section, S RunConfig::*sec, const char* key, T S::*member) {
  const std::string path = std::string(section) + "." + key;
  return {section, key,
          [=](RunConfig& c, const Json& v, const std::string& src) {
            read(v, c.*sec.*member, src, path);
          },
          [=](const RunConfig& c) { return Json(c.*sec.*member); }};
}
template <typename T>
Field top(const char* key, T RunConfig::*member) {
  return {
      "", key,
      [=](RunConfig& c, const Json& v, const std::string& src) { read(v, c.*member, src, key); },
      [=](const RunConfig& c) { return Json(c.*member); }};
}

const std::vector<Field>& fields() {
  static const std::vector<Field> table = [] {
    using M = ModelConfig;
    using D = DataConfig;
    using T = TrainConfig;
    using P = ProbesConfig;
    const auto m = &RunConfig::model;
    const auto d = &RunConfig::data;
    const auto t = &RunConfig::train;
    const auto p = &RunConfig::probes;
    return std::vector<Field>{
        top("name", &RunConfig::name),
        top("description", &RunConfig::description),
        top("seed", &RunConfig::seed),
        field("model", m, "arch", &M::arch),
        field("model", m, "vocab_size", &M::vocab_size),
        field("model", m, "max_len", &M::max_len),
        field("model", m, "d_model", &M::d_model),
        field("model", m, "n_layers", &M::n_layers),
        field("model", m, "d_ff", &M::d_ff),
        field("model", m, "dropout", &M::dropout),
        field("model", m, "norm", &M::norm),
        field("model", m, "tie_embeddings", &M::tie_embeddings),
        field("model", m, "heads", &M::heads),
        field("model", m, "r", &M::r),
        field("model", m, "windows", &M::windows),
        field("model", m, "window_mode", &M::window_mode),
        field("model", m, "normalize_plucker", &M::normalize_plucker),
        field("model", m, "plucker_eps", &M::plucker_eps),
        field("model", m, "pairing", &M::pairing),
        field("data", d, "task", &D::task),
        field("data", d, "dir", &D::dir),
        field("data", d, "format", &D::format),
        field("data", d, "tokenizer", &D::tokenizer),
        field("data", d, "vocab_dir", &D::vocab_dir),
        field("data", d, "seq_len", &D::seq_len),
        field("data", d, "max_train_tokens", &D::max_train_tokens),
        field("data", d, "max_eval_tokens", &D::max_eval_tokens),
        field("train", t, "epochs", &T::epochs),
        field("train", t, "batch_size", &T::batch_size),
        field("train", t, "lr", &T::lr),
        field("train", t, "min_lr", &T::min_lr),
        field("train", t, "warmup_steps", &T::warmup_steps),
        field("train", t, "schedule", &T::schedule),
        field("train", t, "weight_decay", &T::weight_decay),
        field("train", t, "betas", &T::betas),
        field("train", t, "adam_eps", &T::adam_eps),
        field("train", t, "clip", &T::clip),
        field("train", t, "precision", &T::precision),
        field("train", t, "device", &T::device),
        field("train", t, "cuda_graph", &T::cuda_graph),
        field("train", t, "eval_every", &T::eval_every),
        field("train", t, "probe_every", &T::probe_every),
        field("train", t, "checkpoint_every", &T::checkpoint_every),
        field("train", t, "log_every", &T::log_every),
        field("train", t, "max_steps", &T::max_steps),
        field("train", t, "threads", &T::threads),
        field("probes", p, "alpha_bins", &P::alpha_bins),
        field("probes", p, "plucker_bins", &P::plucker_bins),
        field("probes", p, "probe_batch", &P::probe_batch),
    };
  }();
  return table;
}

const std::vector<std::string>& sections() {
  static const std::vector<std::string> names = {"model", "data", "train", "probes"};
  return names;
}

std::string keysOf(const std::string& section) {
  std::string keys;
  for (const Field& f : fields()) {
    if (f.section == section) keys += (keys.empty() ? "" : ", ") + f.key;
  }
  if (section.empty()) keys += ", model, data, train, probes";
  return keys;
}

const Field* findField(const std::string& section, const std::string& key) {
  for (const Field& f : fields()) {
    if (f.section == section && f.key == key) return &f;
  }
  return nullptr;
}

Json parseJson(const std::string& text, const std::string& source) {
  try {
    return Json::parse(text);
  } catch (const Json::parse_error& e) {
    const long line =
        countNewlines(std::string_view(text).substr(0, std::min(e.byte, text.size()))) + 1;
    throw InputError({source, line}, expectedGot("a JSON configuration", e.what()));
  }
}

void readSection(RunConfig& config, const std::string& section, const Json& object,
                 const std::string& source) {
  if (!object.is_object()) typeError(source, section, "an object", object);
  for (const auto& [key, value] : object.items()) {
    const Field* f = findField(section, key);
    if (!f) {
      throw InputError({source, 0, section.empty() ? key : section + "." + key},
                       expectedGot("a key of " +
                                       (section.empty() ? std::string("the configuration")
                                                        : "the " + section + " section") +
                                       " (" + keysOf(section) + ")",
                                   "an unknown key"));
    }
    f->read(config, value, source);
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
    if (!findField(section, key)) {
      throw InputError({"", 0, "--set " + path},
                       expectedGot("a configuration key such as train.lr", "an unknown key"));
    }
    Json value;
    try {
      value = Json::parse(text);
    } catch (const Json::parse_error&) {
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

std::int64_t countParameters(const ModelConfig& m) {
  const std::int64_t d = m.d_model, ln = 2 * d;
  std::int64_t block = ln /* ln2 */ + (d * m.d_ff + m.d_ff) + (m.d_ff * d + d);  // FFN
  if (m.arch == "grassmann") {
    if (m.norm == "pre") block += ln;  // ln1 (post-LN has none)
    block += (d * m.r + m.r) + (m.pluckerDim() * d + d) + (2 * d * d + d) +
             ln;  // W_red, W_plu, W_gate, LN
  } else {
    block += ln + (d * 3 * d + 3 * d) + (d * d + d);  // ln1, qkv, out
  }
  return m.vocab_size * d * (m.tie_embeddings ? 1 : 2) + m.max_len * d + m.n_layers * block + ln;
}

std::int64_t knownVocabSize(const std::string& tokenizer) {
  if (tokenizer == "gpt2") return 50257;
  if (tokenizer == "bert") return 30522;
  return 0;
}

void resolveRunConfig(RunConfig& config, std::int64_t tokenizer_vocab_size) {
  if (config.data.task == "wikitext") config.data.task = "wikitext2";
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
  need(d.seq_len >= 2, "data.seq_len", "an integer >= 2", num(d.seq_len));
  if (m.max_len > 0) {
    need(d.seq_len <= m.max_len, "data.seq_len", "at most model.max_len " + num(m.max_len),
         num(d.seq_len));
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
  for (const Field& f : fields()) {
    if (f.section == section) out[f.key] = f.write(config);
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
