// `gwb bench --config C [--steps N] [--warmup W] [--set a.b=V]...`: training and inference
// throughput of a configuration's model on random tokens, with the step the trainer runs.
#include <chrono>
#include <cmath>
#include <memory>

#include "app/cli/cli_common.h"
#include "engine/config/presets.h"
#include "engine/model/language_model.h"
#include "engine/runtime/device.h"
#include "engine/runtime/torch_runtime.h"
#include "engine/train/train_step.h"
#include "engine/train/trainer.h"
#include "engine/util/error.h"

namespace gwb::cli {
namespace {

using Clock = std::chrono::steady_clock;

struct BenchOptions {
  std::string config;
  std::vector<std::string> sets;
  std::int64_t steps = 20;
  std::int64_t warmup = 3;
};

int run(const BenchOptions& o) {
  if (o.steps < 1 || o.warmup < 0) {
    throw InputError({"", 0, o.steps < 1 ? "--steps" : "--warmup"},
                     expectedGot("a positive count", "less"));
  }
  std::string source;
  const PreparedConfig prepared = [&] {
    try {
      return prepareConfig(loadConfigArgument(o.config, o.sets, &source), source);
    } catch (const InputError& e) {
      throw blameOverride(e, o.sets);
    }
  }();
  const RunConfig& config = prepared.config;
  const torch::Device device = resolveDevice(config.train.device);
  if (device.is_cpu()) initTorchThreads(static_cast<int>(config.train.threads));
  const bool bf16 = usesBf16(config.train, device.is_cuda());
  const std::int64_t B = config.train.batch_size, L = config.data.seq_len;
  torch::manual_seed(static_cast<std::uint64_t>(config.seed));
  LanguageModel model(config.model);
  model->to(device);
  model->train();
  TrainStep step(model, config.train, bf16);
  const torch::Tensor batch = randomBatch(config, device);

  const auto timeIt = [&](std::int64_t n, const auto& body) {
    for (std::int64_t i = 0; i < o.warmup; ++i) body();
    synchronize(device);
    const auto start = Clock::now();
    for (std::int64_t i = 0; i < n; ++i) body();
    synchronize(device);
    return std::chrono::duration<double>(Clock::now() - start).count() / static_cast<double>(n);
  };
  progress("benchmarking " + config.name + " (" + std::to_string(prepared.parameters) +
           " parameters) on " + deviceName(device));
  torch::Tensor last_loss;
  const double train_s =
      timeIt(o.steps, [&] { last_loss = step.run(batch, config.train.lr).loss; });
  const double infer_s = timeIt(o.steps, [&] {
    torch::NoGradGuard no_grad;
    model->eval();
    AutocastGuard autocast(bf16);
    model->forward(batch);
    model->train();
  });
  nlohmann::ordered_json out;
  out["device"] = deviceName(device);
  out["config"] = config.name;
  out["batch_size"] = B;
  out["seq_len"] = L;
  out["precision"] = bf16 ? "bf16" : "fp32";
  out["threads"] = device.is_cpu() ? runtimeInfo().threads : 0;
  out["train"] = {{"tokens_per_s", static_cast<double>(B * L) / train_s},
                  {"ms_per_step", 1000.0 * train_s}};
  out["infer"] = {{"tokens_per_s", static_cast<double>(B * L) / infer_s},
                  {"ms_per_step", 1000.0 * infer_s}};
  out["params"] = prepared.parameters;
  out["flops_per_token"] = trainingFlopsPerToken(config.model, L);
  out["peak_memory_bytes"] = peakMemoryBytes(device);
  const double loss = last_loss.item<double>();
  out["loss"] = loss;
  printJson(out);
  if (!std::isfinite(loss)) {  // numbers from a diverged step are no measurement
    progress("error: the last training loss is not finite: the throughput above is not valid");
    return kExitFailed;
  }
  return kExitOk;
}

}  // namespace

void addBenchCommand(CLI::App& app, Action& action) {
  auto o = std::make_shared<BenchOptions>();
  CLI::App* cmd =
      app.add_subcommand("bench", "Training and inference throughput of a configuration");
  cmd->add_option("--config", o->config, "Configuration file or preset name")->required();
  cmd->add_option("--set", o->sets, "Override a key: a.b=VALUE");
  cmd->add_option("--steps", o->steps, "Timed steps (default 20)");
  cmd->add_option("--warmup", o->warmup, "Untimed steps first (default 3)");
  cmd->callback([o, &action] { action = [o] { return run(*o); }; });
}

}  // namespace gwb::cli
