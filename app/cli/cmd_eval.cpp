// `gwb eval --model-config M --weights W.safetensors --ids I.json`: loss and logit checksums of a
// model on a batch of ids (the golden comparison with the reference reproduction), and
// `gwb eval RUN_DIR [--checkpoint best|last] [--split valid|test|all]`: perplexity of a run.
#include <cmath>
#include <filesystem>
#include <memory>

#include "app/cli/cli_common.h"
#include "engine/data/token_cache.h"
#include "engine/data/wikitext.h"
#include "engine/io/safetensors.h"
#include "engine/io/tensor_io.h"
#include "engine/model/language_model.h"
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
  std::string model_config, weights, ids;
  std::string precision = "fp32";
};

ModelConfig readModel(const std::string& path) {
  const std::string text = readFileBytes(path);
  checkUtf8(text, path);
  ModelConfig model;
  if (nlohmann::json::parse(text, nullptr, false).contains("model")) {
    RunConfig config = parseRunConfig(text, path);
    resolveRunConfig(config, knownVocabSize(config.data.tokenizer));
    model = config.model;
  } else {
    model = parseModelConfig(text, path);
  }
  RunConfig check;
  check.model = model;
  check.data.seq_len = 2;
  check.data.tokenizer.clear();  // a bare model section: no tokenizer to compare vocab_size with
  for (const ConfigProblem& p : configProblems(check, false)) {
    if (p.key.rfind("model.", 0) == 0) throw InputError({path, 0, p.key}, p.message);
  }
  if (model.vocab_size <= 0 || model.max_len <= 0) {
    throw InputError({path, 0, model.vocab_size <= 0 ? "model.vocab_size" : "model.max_len"},
                     expectedGot("a positive integer in a model section", "0 or none"));
  }
  return model;
}

torch::Tensor readIds(const std::string& path, const ModelConfig& model) {
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
  if (T < 2 || T > model.max_len) {
    throw InputError({path}, expectedGot("rows of 2.." + std::to_string(model.max_len) + " ids",
                                         std::to_string(T)));
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
  ModelConfig model_config = readModel(o.model_config);
  model_config.dropout = 0;  // evaluation: dropout off
  LanguageModel model(model_config);
  loadModuleWeights(*model, o.weights);
  if (o.precision == "fp64") model->to(torch::kDouble);
  model->eval();
  const torch::Tensor ids = readIds(o.ids, model_config);
  torch::NoGradGuard no_grad;
  const torch::Tensor logits = model->forward(ids).to(torch::kDouble);  // (B, T, V)
  const std::int64_t B = ids.size(0), T = ids.size(1), V = logits.size(2);
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
  out["logits_last"] = values(logits[B - 1][T - 1].narrow(0, V - k, k));
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
  cmd->add_option("--weights", o->weights, "Weights (safetensors, reference names)");
  cmd->add_option("--ids", o->ids, "B x T array of token ids (JSON)");
  cmd->add_option("--precision", o->precision, "fp32 (default) or fp64 arithmetic for --ids");
  cmd->callback([o, &action] {
    action = [o] {
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
