// gwb-profile-step: where the time of a training step goes. Runs the trainer's step (the same
// TrainStep as `gwb train` and `gwb bench`) of a configuration on random tokens under LibTorch's
// Kineto profiler, saves the Chrome trace where LibTorch can, and prints the kernels (CUDA) or
// operators (CPU) that take the most time, summed over the profiled steps, as JSON lines.
//   gwb-profile-step --config reference-grassmann-n6-l256 [--set a.b=V]... [--steps 10]
//                    [--warmup 8] [--trace FILE] [--top 15]
#include <torch/csrc/autograd/profiler_kineto.h>
#include <torch/torch.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "engine/config/presets.h"
#include "engine/config/run_config.h"
#include "engine/model/language_model.h"
#include "engine/runtime/device.h"
#include "engine/runtime/torch_runtime.h"
#include "engine/train/train_step.h"

namespace {

struct Totals {
  double us = 0;
  long count = 0;
};

double durationUs(const torch::autograd::profiler::KinetoEvent& e) {
#if TORCH_VERSION_MAJOR >= 2
  return static_cast<double>(e.durationNs()) / 1000.0;
#else
  return static_cast<double>(e.durationUs());
#endif
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Profile the training step of a configuration (LibTorch Kineto)"};
  std::string config_arg, trace = "profile_trace.json";
  std::vector<std::string> sets;
  int steps = 10, warmup = 8, top = 15;
  app.add_option("--config", config_arg, "Configuration file or preset name")->required();
  app.add_option("--set", sets, "Override a key: a.b=VALUE");
  app.add_option("--steps", steps, "Profiled steps (default 10)");
  app.add_option("--warmup", warmup, "Steps before profiling (default 8; CUDA graphs capture)");
  app.add_option("--trace", trace, "Chrome trace to write (default profile_trace.json)");
  app.add_option("--top", top, "Rows of the table (default 15)");
  CLI11_PARSE(app, argc, argv);
  try {
    gwb::RunConfig config = gwb::loadConfigArgument(config_arg, sets);
    gwb::resolveRunConfig(config, gwb::knownVocabSize(config.data.tokenizer));
    const torch::Device device = gwb::resolveDevice(config.train.device);
    if (device.is_cpu()) gwb::initTorchThreads(static_cast<int>(config.train.threads));
    const bool bf16 = gwb::usesBf16(config.train, device.is_cuda());
    torch::manual_seed(static_cast<std::uint64_t>(config.seed));
    gwb::LanguageModel model(config.model);
    model->to(device);
    model->train();
    gwb::TrainStep step(model, config.train, bf16);
    const torch::Tensor batch = gwb::randomBatch(config, device);
    for (int i = 0; i < warmup; ++i) step.run(batch, config.train.lr);
    gwb::synchronize(device);
    // The step's wall time without the profiler: beside the kernels' sum it says how busy the
    // device is (a step bound by launches or the host leaves it idle between kernels).
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < steps; ++i) step.run(batch, config.train.lr);
    gwb::synchronize(device);
    const double wall_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count() /
        steps;

    namespace profiler = torch::autograd::profiler;
    using torch::profiler::impl::ActivityType;
    const torch::profiler::impl::ProfilerConfig profile_config(
        torch::profiler::impl::ProfilerState::KINETO);
    std::set<ActivityType> activities{ActivityType::CPU};
    if (device.is_cuda()) activities.insert(ActivityType::CUDA);
    profiler::prepareProfiler(profile_config, activities);
    profiler::enableProfiler(profile_config, activities);
    for (int i = 0; i < steps; ++i) step.run(batch, config.train.lr);
    gwb::synchronize(device);
    const auto result = profiler::disableProfiler();
    try {
      result->save(trace);  // needs a LibTorch built with Kineto (PyTorch's is; Debian's is not)
    } catch (const std::exception&) {
      std::fprintf(stderr, "gwb-profile-step: no trace saved (this LibTorch lacks Kineto)\n");
    }
    // Device kernels on CUDA; on a CPU, operators (nested, so their times overlap).
    const c10::DeviceType wanted = device.is_cuda() ? c10::DeviceType::CUDA : c10::DeviceType::CPU;
    std::map<std::string, Totals> totals;
    for (const auto& e : result->events()) {
      if (e.deviceType() != wanted) continue;
      Totals& t = totals[e.name()];
      t.us += durationUs(e);
      ++t.count;
    }
    std::vector<std::pair<std::string, Totals>> rows(totals.begin(), totals.end());
    std::sort(rows.begin(), rows.end(),
              [](const auto& a, const auto& b) { return a.second.us > b.second.us; });
    double all = 0;
    for (const auto& [name, t] : rows) all += t.us;
    std::printf("%s: %d steps, %s, wall %.2f ms per step, %s %.2f ms per step (%zu distinct)\n",
                config.name.c_str(), steps, step.usesGraph() ? "graph" : "eager", wall_ms,
                device.is_cuda() ? "kernel time" : "operator time (nested)", all / 1000.0 / steps,
                rows.size());
    for (int i = 0; i < std::min<int>(top, static_cast<int>(rows.size())); ++i) {
      const auto& [name, t] = rows[static_cast<std::size_t>(i)];
      nlohmann::json j{{"name", name},
                       {"ms_per_step", t.us / 1000.0 / steps},
                       {"share", all > 0 ? t.us / all : 0.0},
                       {"calls_per_step", static_cast<double>(t.count) / steps}};
      std::printf("%s\n", j.dump().c_str());
    }
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "gwb-profile-step: error: %s\n", e.what());
    return 1;
  }
}
