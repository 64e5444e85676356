// `gwb sample RUN_DIR --prompt TEXT [--tokens N] [--temperature T] [--top-k K]`: what a trained
// model writes after a prompt (temperature 0: greedy), with the context cut to max_len.
#include <filesystem>
#include <memory>

#include "app/cli/cli_common.h"
#include "engine/model/language_model.h"
#include "engine/model/tensor_io.h"
#include "engine/tokenizers/tokenizer.h"
#include "engine/util/error.h"
#include "engine/util/paths.h"

namespace fs = std::filesystem;

namespace gwb::cli {
namespace {

struct SampleOptions {
  std::string run_dir;
  std::string prompt;
  std::string checkpoint = "best";
  std::int64_t tokens = 50;
  double temperature = 0.8;
  std::int64_t top_k = 40;
  std::int64_t seed = 0;
};

int run(const SampleOptions& o) {
  if (o.tokens < 1)
    throw InputError({"", 0, "--tokens"},
                     expectedGot("a positive count", std::to_string(o.tokens)));
  if (o.temperature < 0)
    throw InputError({"", 0, "--temperature"},
                     expectedGot("a number >= 0", std::to_string(o.temperature)));
  const std::string dir = absolutePath(o.run_dir);
  if (!fs::is_regular_file(dir + "/config.json"))
    throw InputError({dir}, expectedGot("a run directory", "no config.json"));
  RunConfig config = loadRunConfig(dir + "/config.json");
  const auto tokenizer = loadTokenizer(parseTokenizerKind(config.data.tokenizer, "data.tokenizer"),
                                       config.data.vocab_dir);
  resolveRunConfig(config, tokenizer->vocabSize());
  std::string weights = dir + "/checkpoints/" + o.checkpoint + ".safetensors";
  if (!fs::is_regular_file(weights) && o.checkpoint == "best")
    weights = dir + "/checkpoints/last.safetensors";
  if (!fs::is_regular_file(weights))
    throw InputError({weights}, expectedGot("a checkpoint", "no such file"));
  LanguageModel model(config.model);
  loadModuleWeights(*model, weights);
  model->eval();
  torch::NoGradGuard no_grad;
  torch::manual_seed(static_cast<std::uint64_t>(o.seed));
  std::vector<std::int32_t> ids = tokenizer->encode(o.prompt);
  if (ids.empty())
    throw InputError({"", 0, "--prompt"},
                     expectedGot("text with at least one token", "an empty prompt"));
  const std::size_t prompt_len = ids.size();
  for (std::int64_t n = 0; n < o.tokens; ++n) {
    const std::size_t start = ids.size() > static_cast<std::size_t>(config.model.max_len)
                                  ? ids.size() - config.model.max_len
                                  : 0;
    const torch::Tensor context =
        torch::tensor(std::vector<std::int64_t>(ids.begin() + start, ids.end())).unsqueeze(0);
    torch::Tensor logits = model->forward(context)[0][-1].to(torch::kFloat);  // (V)
    std::int64_t next = 0;
    if (o.temperature == 0) {
      next = logits.argmax().item<std::int64_t>();
    } else {
      logits = logits / o.temperature;
      if (o.top_k > 0 && o.top_k < logits.size(0)) {
        const torch::Tensor kth = std::get<0>(logits.topk(o.top_k)).min();
        logits = logits.masked_fill(logits < kth, -INFINITY);
      }
      next = torch::multinomial(logits.softmax(-1), 1).item<std::int64_t>();
    }
    ids.push_back(static_cast<std::int32_t>(next));
  }
  const std::vector<std::int32_t> completion(ids.begin() + static_cast<std::ptrdiff_t>(prompt_len),
                                             ids.end());
  nlohmann::ordered_json out;
  out["run_dir"] = dir;
  out["checkpoint"] = weights;
  out["prompt"] = o.prompt;
  out["completion"] = tokenizer->decode(completion);
  out["ids"] = completion;
  printJson(out);
  return kExitOk;
}

}  // namespace

void addSampleCommand(CLI::App& app, Action& action) {
  auto o = std::make_shared<SampleOptions>();
  CLI::App* cmd = app.add_subcommand("sample", "Generate text from a trained run");
  cmd->add_option("RUN_DIR", o->run_dir, "Run directory")->required();
  cmd->add_option("--prompt", o->prompt, "Text to continue")->required();
  cmd->add_option("--tokens", o->tokens, "Tokens to generate (default 50)");
  cmd->add_option("--temperature", o->temperature, "Sampling temperature (0: greedy; default 0.8)");
  cmd->add_option("--top-k", o->top_k,
                  "Sample among the k most likely tokens (0: all; default 40)");
  cmd->add_option("--checkpoint", o->checkpoint, "best or last (default best)");
  cmd->add_option("--seed", o->seed, "Sampling seed (default 0)");
  cmd->callback([o, &action] { action = [o] { return run(*o); }; });
}

}  // namespace gwb::cli
