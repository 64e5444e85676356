// `gwb eval RUN_DIR`: a checkpoint of a run evaluated with the task, data copy, device and threads
// the run trained with.
#include <filesystem>
#include <nlohmann/json.hpp>

#include "engine/data/data_source.h"
#include "engine/runtime/device.h"
#include "engine/runtime/torch_runtime.h"
#include "engine/train/run.h"
#include "engine/util/error.h"
#include "engine/util/file_io.h"
#include "engine/util/paths.h"

namespace fs = std::filesystem;

namespace gwb {

using namespace train_detail;

std::vector<EvalEvent> evaluateRunCheckpoint(
    const std::string& run_dir, const std::string& checkpoint,
    const std::vector<std::string>& splits,
    const std::function<void(const std::string&)>& progress) {
  const std::string dir = absolutePath(run_dir);
  const std::string config_path = dir + "/config.json";
  if (!fs::is_regular_file(config_path))
    throw InputError({dir}, expectedGot("a run directory with config.json", "none"));
  const std::string weights = dir + "/checkpoints/" + checkpoint + ".safetensors";
  if (!fs::is_regular_file(weights))
    throw InputError({weights}, expectedGot("a checkpoint", "no such file"));
  RunConfig config = loadRunConfig(config_path);
  if (config.train.device != "cpu") config.train.device = "auto";
  const auto tokenizer = loadTokenizer(parseTokenizerKind(config.data.tokenizer, "data.tokenizer"),
                                       config.data.vocab_dir);
  resolveAndValidate(config, config_path, tokenizer->vocabSize());
  // The data copy the run trained on (its provenance), else today's resolution.
  RunConfig task_config = config;
  const nlohmann::json stored = nlohmann::json::parse(readFileBytes(config_path));
  const auto p = stored.find("provenance");
  if (p != stored.end() && p->is_object() && p->contains("data_dir") &&
      (*p)["data_dir"].is_string()) {
    task_config.data.dir = (*p)["data_dir"].get<std::string>();
    const std::string format = p->value("data_format", std::string());
    if (!format.empty()) task_config.data.format = format;
  } else {
    task_config.data.dir =
        resolveTaskData(config.data.task, config.data.dir, config.data.format).dir;
  }
  const torch::Device device = resolveDevice(config.train.device);
  // The run's own thread count (train.threads; 0 = every core), as its training used.
  if (device.is_cpu()) initTorchThreads(static_cast<int>(config.train.threads));
  TaskContext ctx;
  ctx.device = device;
  ctx.bf16 = usesBf16(config.train, device.is_cuda());
  ctx.generator = makeRunGenerator(static_cast<std::uint64_t>(config.seed));
  ctx.tokenizer = tokenizer.get();
  ctx.progress = progress;
  const std::unique_ptr<Task> task = makeTask(task_config, ctx);
  loadModuleWeights(task->module(), weights);
  const auto meta = readSafetensors(weights).metadata;
  std::int64_t step = 0;
  if (meta.count("step")) step = std::strtoll(meta.at("step").c_str(), nullptr, 10);
  std::vector<EvalEvent> out;
  for (const std::string& split : splits) {
    EvalEvent e = task->evaluate(split);
    e.step = step;
    out.push_back(e);
  }
  return out;
}

}  // namespace gwb
