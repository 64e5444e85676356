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
    if (key == "provenance" || key == "config_sha256") continue;  // config.json's, the trainer's
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
    const KeyEntry* entry = findEntry(section, key);
    if (!entry) {
      throw InputError({"", 0, "--set " + path},
                       expectedGot("a configuration key such as train.lr", "an unknown key"));
    }
    Json value;
    try {
      value = Json::parse(text);
    } catch (const Json::exception&) {
      value = text;  // not JSON: a string
    }
    RunConfig scratch;  // a wrong type is the --set's fault, not the file's: say so
    entry->read(scratch, value, "--set " + set);
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

// One block of the language model's body (SPEC §1-2, §8). A Grassmann block has ln1 unless
// its form is post, the mixer's own LayerNorm in the forms pre and post, and mix_proj if asked.
Count blockCount(Count d, Count ff, bool grassmann, const std::string& norm, Count r, Count plucker,
                 bool mix_proj = false) {
  const Count ln = 2 * d;
  Count block = ln /* ln2 */ + linearCount(d, ff) + linearCount(ff, d);  // FFN
  if (grassmann) {
    if (norm != "post") block += ln;                   // ln1
    if (norm == "pre" || norm == "post") block += ln;  // the mixer's layer_norm
    block += linearCount(d, r) + linearCount(plucker, d) + linearCount(2 * d, d);
    if (mix_proj) block += linearCount(d, d);
  } else {
    block += ln + linearCount(d, 3 * d) + linearCount(d, d);  // ln1, qkv, out
  }
  return block;
}

Count bodyCount(const ModelConfig& m, bool with_head) {
  const Count d = static_cast<Count>(m.d_model), r = static_cast<Count>(m.r);
  const Count block = blockCount(d, static_cast<Count>(m.d_ff), m.arch == "grassmann", m.norm, r,
                                 r * (r - 1) / 2, m.mix_proj);
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
    block = blockCount(d, ff, grassmann, "pre", r, groups * per * (per - 1) / 2);
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

const std::vector<std::string>& recipeNames() {
  static const std::vector<std::string> names = {"paper",   "reference", "arledge", "kanenorman",
                                                 "youdie6", "youdie12",  "grasslm"};
  return names;
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
