// `gwb eval --model-config M --weights W.safetensors --ids I.json`: loss and logit checksums of a
// model on a batch of ids (the golden comparison with the reference reproduction);
// `gwb eval --model-config M --weights W --features F`: an SNLI head's logits on given backbone
// outputs (the backbone not run); and `gwb eval RUN_DIR [--checkpoint best|last] [--split
// valid|test|all]`: perplexity of a run.
#include <cmath>
#include <filesystem>
#include <memory>

#include "app/cli/cli_common.h"
#include "engine/data/backbone_folder.h"
#include "engine/data/token_cache.h"
#include "engine/data/wikitext.h"
#include "engine/io/safetensors.h"
#include "engine/model/language_model.h"
#include "engine/model/snli_head.h"
#include "engine/model/tensor_io.h"
#include "engine/runtime/device.h"
#include "engine/tokenizers/tokenizer.h"
#include "engine/train/evaluation.h"
#include "engine/train/train_step.h"
#include "engine/train/trainer.h"
#include "engine/util/error.h"
#include "engine/util/file_io.h"
#include "engine/util/paths.h"

namespace fs = std::filesystem;

namespace gwb::cli {
namespace {

struct EvalOptions {
  std::string run_dir;
  std::string checkpoint = "best";
  std::string split = "all";
  std::string model_config, weights, ids, features;
  std::string names;  ///< the weights' naming scheme ("": recognised from the names)
  std::string precision = "fp32";
};

// The model section of M, and whether M says data.targets next (a whole configuration only).
struct ModelSpec {
  ModelConfig model;
  bool targets_next = false;
};

ModelSpec readModel(const std::string& path) {
  const std::string text = readFileBytes(path);
  checkUtf8(text, path);
  ModelSpec spec;
  ModelConfig& model = spec.model;
  if (nlohmann::json::parse(text, nullptr, false).contains("model")) {
    RunConfig config = parseRunConfig(text, path);
    resolveRunConfig(config, knownVocabSize(config.data.tokenizer));
    model = config.model;
    spec.targets_next = config.data.targets == "next";
    if (config.data.targets != "shift" && config.data.targets != "next") {
      throw InputError({path, 0, "data.targets"},
                       expectedGot("shift or next", "\"" + config.data.targets + "\""));
    }
  } else {
    model = parseModelConfig(text, path);
  }
  RunConfig check;
  check.model = model;
  // The longest chunk this model reads: it bounds the offsets that can pair (run_config_checks).
  check.data.seq_len = model.max_len > 0 ? model.max_len : 2;
  check.data.tokenizer.clear();  // a bare model section: no tokenizer to compare vocab_size with
  for (const ConfigProblem& p : configProblems(check, false)) {
    if (p.key.rfind("model.", 0) == 0) throw InputError({path, 0, p.key}, p.message);
  }
  if (model.vocab_size <= 0 || model.max_len <= 0) {
    throw InputError({path, 0, model.vocab_size <= 0 ? "model.vocab_size" : "model.max_len"},
                     expectedGot("a positive integer in a model section", "0 or none"));
  }
  return spec;
}

// A B x T array of ids; under data.targets next a row may be max_len + 1 long (its last id only a
// target).
torch::Tensor readIds(const std::string& path, const ModelConfig& model, bool targets_next) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(readFileBytes(path));
  } catch (const nlohmann::json::exception& e) {  // also a number that overflows
    throw InputError({path}, expectedGot("a JSON array of id arrays", e.what()));
  }
  if (!j.is_array() || j.empty() || !j[0].is_array())
    throw InputError({path}, expectedGot("a B x T array of ids", j.type_name()));
  const std::int64_t B = static_cast<std::int64_t>(j.size()),
                     T = static_cast<std::int64_t>(j[0].size());
  const std::int64_t longest = model.max_len + (targets_next ? 1 : 0);
  if (T < 2 || T > longest) {
    throw InputError(
        {path}, expectedGot("rows of 2.." + std::to_string(longest) + " ids", std::to_string(T)));
  }
  torch::Tensor ids = torch::empty({B, T}, torch::kLong);
  for (std::int64_t b = 0; b < B; ++b) {
    if (!j[b].is_array() || static_cast<std::int64_t>(j[b].size()) != T) {
      throw InputError({path, 0, "[" + std::to_string(b) + "]"},
                       expectedGot(std::to_string(T) + " ids", j[b].dump().substr(0, 40)));
    }
    for (std::int64_t t = 0; t < T; ++t) {
      const auto& v = j[b][t];
      if (!v.is_number_integer() || v.get<std::int64_t>() < 0 ||
          v.get<std::int64_t>() >= model.vocab_size) {
        throw InputError(
            {path, 0, "[" + std::to_string(b) + "][" + std::to_string(t) + "]"},
            expectedGot("an id in 0.." + std::to_string(model.vocab_size - 1), v.dump()));
      }
      ids[b][t] = v.get<std::int64_t>();
    }
  }
  return ids;
}

int evalIds(const EvalOptions& o) {
  if (o.weights.empty() || o.ids.empty()) {
    throw InputError({"", 0, "gwb eval"},
                     expectedGot("--model-config, --weights and --ids together", "only some"));
  }
  if (o.precision != "fp32" && o.precision != "fp64") {
    throw InputError({"", 0, "--precision"},
                     expectedGot("fp32 or fp64", "\"" + o.precision + "\""));
  }
  const ModelSpec spec = readModel(o.model_config);
  ModelConfig model_config = spec.model;
  model_config.dropout = 0;  // evaluation: dropout off
  model_config.attn_dropout = 0;
  LanguageModel model(model_config);
  model->setTargetsNext(spec.targets_next);
  const std::string scheme = loadModuleWeightsNamed(*model, o.weights, o.names);
  progress("weights read under the " + scheme + " names");
  if (o.precision == "fp64") model->to(torch::kDouble);
  model->eval();
  const torch::Tensor ids = readIds(o.ids, model_config, spec.targets_next);
  torch::NoGradGuard no_grad;
  // shift: the model sees all T ids and predicts ids[:, 1:] from its first T - 1 positions; next:
  // it sees the first T - 1 and predicts from every one.
  const torch::Tensor seen = model->inputIds(ids);
  const torch::Tensor logits = model->forward(seen).to(torch::kDouble);  // (B, T or T - 1, V)
  const std::int64_t B = ids.size(0), T = ids.size(1), V = logits.size(2);
  const std::int64_t S = logits.size(1);
  const torch::Tensor shifted = logits.narrow(1, 0, T - 1).reshape({-1, V});
  const double loss =
      torch::nn::functional::cross_entropy(shifted, ids.narrow(1, 1, T - 1).reshape({-1}))
          .item<double>();
  const auto values = [](const torch::Tensor& t) {
    std::vector<double> v(static_cast<std::size_t>(t.numel()));
    for (std::int64_t i = 0; i < t.numel(); ++i) v[i] = t[i].item<double>();
    return v;
  };
  const std::int64_t k = std::min<std::int64_t>(8, V);
  nlohmann::ordered_json out;
  out["loss"] = loss;
  out["ppl"] = std::exp(loss);
  out["tokens"] = B * (T - 1);
  out["logits_sum"] = logits.sum().item<double>();
  out["logits_abs_sum"] = logits.abs().sum().item<double>();
  out["logits_first"] = values(logits[0][0].narrow(0, 0, k));
  out["logits_last"] = values(logits[B - 1][S - 1].narrow(0, V - k, k));
  out["names"] = scheme;
  printJson(out);
  return kExitOk;
}

// The head section of M for --features: backbone distilbert, the head keys, the feature width
// (backbone_dim, else the config.json of a backbone_dir), and the layout's segment (a whole
// configuration with data.pair_encoding separate: each sentence's seq_len).
struct HeadSpec {
  ModelConfig model;
  std::int64_t feature_dim = 0;
  std::int64_t segment = 0;
};

HeadSpec readHeadSpec(const std::string& path) {
  const std::string text = readFileBytes(path);
  checkUtf8(text, path);
  HeadSpec spec;
  RunConfig check;
  if (nlohmann::json::parse(text, nullptr, false).contains("model")) {
    check = parseRunConfig(text, path);
    check.data.task = "snli";
    resolveRunConfig(check, knownVocabSize(check.data.tokenizer));
    if (check.data.separatePairs()) spec.segment = check.data.seq_len;
  } else {
    check.model = parseModelConfig(text, path);
    check.data.task = "snli";
    check.data.tokenizer = "bert";
  }
  spec.model = check.model;
  if (!spec.model.hasBackbone()) {
    throw InputError({path, 0, "model.backbone"},
                     expectedGot("distilbert (an SNLI head on backbone outputs)",
                                 "\"" + spec.model.backbone + "\""));
  }
  for (const ConfigProblem& p : configProblems(check, false)) {
    if (p.key.rfind("model.", 0) == 0) throw InputError({path, 0, p.key}, p.message);
  }
  spec.feature_dim = spec.model.backbone_dim;
  if (spec.feature_dim <= 0 && !spec.model.backbone_dir.empty())
    spec.feature_dim = inspectBackboneFolder(spec.model.backbone_dir).shape.dim;
  if (spec.feature_dim <= 0) {
    throw InputError({path, 0, "model.backbone_dim"},
                     expectedGot("the width of the features (or a model.backbone_dir)", "0"));
  }
  return spec;
}

// The tensor `name` of a features file, with `dims` dimensions; InputError naming it otherwise.
torch::Tensor featureTensor(const std::map<std::string, torch::Tensor>& tensors,
                            const std::string& path, const std::string& name, std::int64_t dims,
                            const std::string& shape) {
  const auto it = tensors.find(name);
  if (it == tensors.end()) throw InputError({path, 0, name}, expectedGot(shape, "none"));
  if (it->second.dim() != dims) {
    throw InputError({path, 0, name},
                     expectedGot(shape, std::to_string(it->second.dim()) + " dimensions"));
  }
  return it->second;
}

int evalFeatures(const EvalOptions& o) {
  if (o.weights.empty()) {
    throw InputError({"", 0, "gwb eval"},
                     expectedGot("--model-config, --weights and --features together", "only some"));
  }
  if (o.precision != "fp32" && o.precision != "fp64") {
    throw InputError({"", 0, "--precision"},
                     expectedGot("fp32 or fp64", "\"" + o.precision + "\""));
  }
  HeadSpec spec = readHeadSpec(o.model_config);
  spec.model.dropout = 0;  // evaluation: dropout off
  HeadModel model(spec.model, spec.feature_dim);
  loadModuleWeights(*model, o.weights);
  const auto dtype = o.precision == "fp64" ? torch::kDouble : torch::kFloat;
  model->to(dtype);
  model->eval();
  const std::map<std::string, torch::Tensor> tensors = loadTensors(o.features);
  const std::string D = std::to_string(spec.feature_dim);
  HeadInput input;
  input.segment = spec.segment;
  if (model->readsPooled()) {
    input.features = featureTensor(tensors, o.features, "pooled", 2, "B x " + D + " (pooled)");
  } else {
    input.features = featureTensor(tensors, o.features, "features", 3, "B x T x " + D);
    input.mask = featureTensor(tensors, o.features, "mask", 2, "B x T (1 = token)") != 0;
    if (input.mask.size(0) != input.features.size(0) ||
        input.mask.size(1) != input.features.size(1)) {
      throw InputError(
          {o.features, 0, "mask"},
          expectedGot("the features' B x T", std::to_string(input.mask.size(0)) + " x " +
                                                 std::to_string(input.mask.size(1))));
    }
    if (spec.segment > 0 && input.features.size(1) != 2 * spec.segment) {
      throw InputError({o.features, 0, "features"},
                       expectedGot("T = 2 x seq_len " + std::to_string(spec.segment) +
                                       " (two sentences, separate encoding)",
                                   std::to_string(input.features.size(1))));
    }
  }
  if (input.features.size(-1) != spec.feature_dim) {
    throw InputError({o.features, 0, model->readsPooled() ? "pooled" : "features"},
                     expectedGot("width " + D + " (model.backbone_dim)",
                                 std::to_string(input.features.size(-1))));
  }
  input.features = input.features.to(dtype);
  torch::NoGradGuard no_grad;
  const torch::Tensor logits = model->logits(input).to(torch::kDouble).contiguous();  // (B, 3)
  nlohmann::ordered_json out;
  out["logits"] = nlohmann::ordered_json::array();
  out["predictions"] = nlohmann::ordered_json::array();
  const torch::Tensor predicted = logits.argmax(-1);
  for (std::int64_t b = 0; b < logits.size(0); ++b) {
    const double* row = logits[b].data_ptr<double>();
    out["logits"].push_back({row[0], row[1], row[2]});
    out["predictions"].push_back(predicted[b].item<std::int64_t>());
  }
  printJson(out);
  return kExitOk;
}

int evalRun(const EvalOptions& o) {
  if (o.checkpoint != "best" && o.checkpoint != "last") {
    throw InputError({"", 0, "--checkpoint"},
                     expectedGot("best or last", "\"" + o.checkpoint + "\""));
  }
  if (o.split != "valid" && o.split != "test" && o.split != "all") {
    throw InputError({"", 0, "--split"}, expectedGot("valid, test or all", "\"" + o.split + "\""));
  }
  std::vector<std::string> splits;
  for (const char* split : {"valid", "test"}) {
    if (o.split == "all" || o.split == split) splits.push_back(split);
  }
  const std::string dir = absolutePath(o.run_dir);
  const std::vector<EvalEvent> results = evaluateRunCheckpoint(dir, o.checkpoint, splits, progress);
  nlohmann::ordered_json out;
  out["run_dir"] = dir;
  out["checkpoint"] = o.checkpoint;
  out["step"] = results.empty() ? 0 : results.front().step;
  out["splits"] = nlohmann::ordered_json::object();
  static const char* const kClasses[3] = {"entailment", "neutral", "contradiction"};
  for (const EvalEvent& e : results) {
    nlohmann::ordered_json j;
    j["loss"] = e.loss;
    if (e.classification) {
      j["accuracy"] = e.accuracy;
      for (int k = 0; k < 3 && k < static_cast<int>(e.per_class_accuracy.size()); ++k)
        j["per_class_accuracy"][kClasses[k]] = e.per_class_accuracy[static_cast<std::size_t>(k)];
      j["confusion"] = e.confusion;
      j["examples"] = e.examples;
      j["truncated"] = e.truncated;
      progress(e.split + ": accuracy " + std::to_string(100 * e.accuracy) + "%");
    } else {
      j["ppl"] = e.ppl;
      j["tokens"] = e.eval_tokens;
      progress(e.split + ": ppl " + std::to_string(e.ppl));
    }
    out["splits"][e.split] = j;
  }
  printJson(out);
  return kExitOk;
}

}  // namespace

void addEvalCommand(CLI::App& app, Action& action) {
  auto o = std::make_shared<EvalOptions>();
  CLI::App* cmd =
      app.add_subcommand("eval", "Evaluate a run's checkpoint, or a model on a batch of ids");
  cmd->add_option("RUN_DIR", o->run_dir, "Run directory");
  cmd->add_option("--checkpoint", o->checkpoint, "best or last (default best)");
  cmd->add_option("--split", o->split, "valid, test or all (default all)");
  cmd->add_option("--model-config", o->model_config, "Model section or whole configuration (JSON)");
  cmd->add_option("--weights", o->weights,
                  "Weights (safetensors, the workbench's or another reproduction's names)");
  cmd->add_option("--names", o->names,
                  "Naming scheme of --weights: reference, arledge, kanenorman, youdie006 or "
                  "grasslm (default: recognised from the names)");
  cmd->add_option("--ids", o->ids, "B x T array of token ids (JSON)");
  cmd->add_option("--features", o->features,
                  "Backbone outputs for an SNLI head (safetensors: features + mask, or pooled)");
  cmd->add_option("--precision", o->precision,
                  "fp32 (default) or fp64 arithmetic for --ids and --features");
  cmd->callback([o, &action] {
    action = [o] {
      if (!o->model_config.empty() && !o->features.empty()) return evalFeatures(*o);
      if (!o->model_config.empty()) return evalIds(*o);
      if (o->run_dir.empty()) {
        throw InputError({"", 0, "gwb eval"},
                         expectedGot("RUN_DIR or --model-config/--weights/--ids", "neither"));
      }
      return evalRun(*o);
    };
  });
}

}  // namespace gwb::cli
