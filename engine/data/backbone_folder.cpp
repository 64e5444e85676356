// config.json parsing and the header-only check of model.safetensors.
#include "engine/data/backbone_folder.h"

#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "engine/catalog/verify.h"
#include "engine/io/safetensors.h"
#include "engine/util/error.h"
#include "engine/util/file_io.h"
#include "engine/util/paths.h"

namespace fs = std::filesystem;

namespace gwb {
namespace {

constexpr const char* kPrefix = "distilbert.";

std::string shapeText(const std::vector<std::int64_t>& shape) {
  std::string out = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) out += (i ? ", " : "") + std::to_string(shape[i]);
  return out + "]";
}

}  // namespace

DistilBertShape parseDistilBertConfig(const std::string& json_text, const std::string& source) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(json_text);
  } catch (const nlohmann::json::exception& e) {
    throw InputError({source}, expectedGot("a JSON object (Hugging Face config.json)", e.what()));
  }
  if (!j.is_object()) throw InputError({source}, expectedGot("a JSON object", j.type_name()));
  if (j.contains("model_type") &&
      !(j["model_type"].is_string() && j["model_type"].get<std::string>() == "distilbert")) {
    throw InputError({source, 0, "model_type"},
                     expectedGot("\"distilbert\"", j["model_type"].dump()));
  }
  DistilBertShape s;
  const auto integer = [&](const char* key, std::int64_t& out) {
    if (!j.contains(key)) return;
    if (!j[key].is_number_integer() || j[key].get<std::int64_t>() < 1)
      throw InputError({source, 0, key}, expectedGot("a positive integer", j[key].dump()));
    out = j[key].get<std::int64_t>();
  };
  integer("vocab_size", s.vocab_size);
  integer("dim", s.dim);
  integer("n_layers", s.n_layers);
  integer("n_heads", s.n_heads);
  integer("hidden_dim", s.hidden_dim);
  integer("max_position_embeddings", s.max_position_embeddings);
  if (s.dim % s.n_heads != 0) {
    throw InputError(
        {source, 0, "n_heads"},
        expectedGot("a divisor of dim " + std::to_string(s.dim), std::to_string(s.n_heads)));
  }
  if (j.contains("activation")) {
    if (!j["activation"].is_string() || (j["activation"] != "gelu" && j["activation"] != "relu")) {
      throw InputError({source, 0, "activation"},
                       expectedGot("\"gelu\" or \"relu\"", j["activation"].dump()));
    }
    s.activation = j["activation"].get<std::string>();
  }
  return s;
}

std::vector<std::pair<std::string, std::vector<std::int64_t>>> distilBertTensors(
    const DistilBertShape& s) {
  std::vector<std::pair<std::string, std::vector<std::int64_t>>> out = {
      {"embeddings.word_embeddings.weight", {s.vocab_size, s.dim}},
      {"embeddings.position_embeddings.weight", {s.max_position_embeddings, s.dim}},
      {"embeddings.LayerNorm.weight", {s.dim}},
      {"embeddings.LayerNorm.bias", {s.dim}}};
  for (std::int64_t i = 0; i < s.n_layers; ++i) {
    const std::string layer = "transformer.layer." + std::to_string(i) + ".";
    for (const char* lin : {"q_lin", "k_lin", "v_lin", "out_lin"}) {
      out.push_back({layer + "attention." + lin + ".weight", {s.dim, s.dim}});
      out.push_back({layer + "attention." + lin + ".bias", {s.dim}});
    }
    out.push_back({layer + "sa_layer_norm.weight", {s.dim}});
    out.push_back({layer + "sa_layer_norm.bias", {s.dim}});
    out.push_back({layer + "ffn.lin1.weight", {s.hidden_dim, s.dim}});
    out.push_back({layer + "ffn.lin1.bias", {s.hidden_dim}});
    out.push_back({layer + "ffn.lin2.weight", {s.dim, s.hidden_dim}});
    out.push_back({layer + "ffn.lin2.bias", {s.dim}});
    out.push_back({layer + "output_layer_norm.weight", {s.dim}});
    out.push_back({layer + "output_layer_norm.bias", {s.dim}});
  }
  return out;
}

std::int64_t distilBertParameters(const DistilBertShape& shape) {
  std::int64_t n = 0;
  for (const auto& [name, dims] : distilBertTensors(shape)) {
    std::int64_t e = 1;
    for (const std::int64_t d : dims) e *= d;
    n += e;
  }
  return n;
}

bool ignoredBackboneTensor(const std::string& name) {
  for (const char* head : {"vocab_transform.", "vocab_layer_norm.", "vocab_projector."}) {
    if (name.rfind(head, 0) == 0) return true;
  }
  return name == "embeddings.position_ids";
}

BackboneFolder inspectBackboneFolder(const std::string& dir, bool with_sha256) {
  BackboneFolder f;
  f.dir = absolutePath(dir);
  std::error_code ec;
  if (!fs::is_directory(f.dir, ec)) {
    throw InputError({f.dir, 0, "model.backbone_dir"},
                     expectedGot("a DistilBERT folder (config.json, model.safetensors)",
                                 fs::exists(f.dir, ec) ? "a file" : "no such folder"));
  }
  f.config_path = (fs::path(f.dir) / "config.json").string();
  f.weights_path = (fs::path(f.dir) / "model.safetensors").string();
  for (const std::string& file : {f.config_path, f.weights_path}) {
    if (!fs::is_regular_file(file, ec)) {
      throw InputError({file}, expectedGot("a file of the DistilBERT folder (Hugging Face's "
                                           "save_pretrained writes config.json and "
                                           "model.safetensors)",
                                           "none"));
    }
  }
  const std::string config_text = readFileBytes(f.config_path);
  checkUtf8(config_text, f.config_path);
  f.shape = parseDistilBertConfig(config_text, f.config_path);
  f.parameters = distilBertParameters(f.shape);

  const SafetensorsHeader header = readSafetensorsHeader(f.weights_path);
  std::map<std::string, std::pair<std::string, const StTensorInfo*>> found;  // bare -> file name
  for (const auto& [name, info] : header.tensors) {
    const bool prefixed = name.rfind(kPrefix, 0) == 0;
    const std::string bare = prefixed ? name.substr(std::string(kPrefix).size()) : name;
    if (ignoredBackboneTensor(bare)) {
      f.ignored.push_back(name);
      continue;
    }
    if (found.count(bare)) {
      throw InputError(
          {f.weights_path, 0, name},
          expectedGot("each tensor once", "both " + found[bare].first + " and " + name));
    }
    found[bare] = {name, &info};
  }
  std::set<std::string> expected;
  for (const auto& [name, shape] : distilBertTensors(f.shape)) {
    expected.insert(name);
    const auto it = found.find(name);
    if (it == found.end()) {
      throw InputError({f.weights_path, 0, name},
                       expectedGot("this DistilBertModel tensor " + shapeText(shape) +
                                       " (with or without the distilbert. prefix)",
                                   "none"));
    }
    const StTensorInfo& info = *it->second.second;
    if (info.shape != shape) {
      throw InputError(
          {f.weights_path, 0, it->second.first},
          expectedGot("shape " + shapeText(shape) + " (config.json)", shapeText(info.shape)));
    }
    if (info.dtype != StDtype::F32 && info.dtype != StDtype::F16 && info.dtype != StDtype::BF16 &&
        info.dtype != StDtype::F64) {
      throw InputError({f.weights_path, 0, it->second.first},
                       expectedGot("a floating-point dtype", stDtypeName(info.dtype)));
    }
    f.file_names[name] = it->second.first;
  }
  for (const auto& [bare, entry] : found) {
    if (!expected.count(bare)) {
      throw InputError({f.weights_path, 0, entry.first},
                       expectedGot("only DistilBertModel tensors (the masked-LM head is ignored)",
                                   "a tensor DistilBertModel does not have"));
    }
  }
  if (with_sha256) f.weights_sha256 = sha256File(f.weights_path);
  return f;
}

std::vector<ConfigProblem> backboneProblems(const RunConfig& config, const BackboneFolder& folder,
                                            std::int64_t tokenizer_vocab) {
  std::vector<ConfigProblem> out;
  const DistilBertShape& s = folder.shape;
  if (tokenizer_vocab > s.vocab_size) {
    out.push_back({"data.vocab_dir",
                   expectedGot("a vocabulary of at most the backbone's vocab_size " +
                                   std::to_string(s.vocab_size) + " (" + folder.config_path + ")",
                               std::to_string(tokenizer_vocab) + " tokens")});
  }
  const std::int64_t L = config.data.seq_len > 0 ? config.data.seq_len : defaultSeqLen(config.data);
  if (L > s.max_position_embeddings) {
    out.push_back({"data.seq_len", expectedGot("at most the backbone's max_position_embeddings " +
                                                   std::to_string(s.max_position_embeddings),
                                               std::to_string(L))});
  }
  if (config.model.backbone_dim > 0 && config.model.backbone_dim != s.dim) {
    out.push_back(
        {"model.backbone_dim", expectedGot("0 or the backbone's dim " + std::to_string(s.dim),
                                           std::to_string(config.model.backbone_dim))});
  }
  return out;
}

}  // namespace gwb
