// Sweep plans: the families' presets, seeds and overrides; the step estimate from the data.
#include "engine/cluster/sweep_plan.h"

#include <algorithm>

#include "engine/config/presets.h"
#include "engine/data/data_stats.h"
#include "engine/data/wikitext.h"
#include "engine/util/error.h"
#include "engine/util/paths.h"

namespace gwb {
namespace {

std::string joinOr(const std::vector<std::string>& names) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    out += (i == 0 ? "" : i + 1 == names.size() ? " or " : ", ") + names[i];
  }
  return out;
}

}  // namespace

std::vector<std::string> sweepFamilies(const std::string& task) {
  if (canonicalTask(task, "TASK") == "snli") return {"scratch", "paper", "reference", "cpu-small"};
  return {"reference", "paper", "paper-perlayer", "arledge", "recipes", "cpu-small"};
}

std::vector<std::string> sweepPresets(const std::string& task, const std::string& family,
                                      const std::vector<std::string>& recipes) {
  const std::string canonical = canonicalTask(task, "TASK");
  const std::vector<std::string> families = sweepFamilies(canonical);
  if (std::find(families.begin(), families.end(), family) == families.end()) {
    throw InputError({"", 0, "--preset-family"},
                     expectedGot(joinOr(families) + " (" + canonical + ")", "\"" + family + "\""));
  }
  if (!recipes.empty() && family != "recipes") {
    throw InputError({"", 0, "--recipes"},
                     expectedGot("--preset-family recipes beside it", "\"" + family + "\""));
  }
  for (const std::string& r : recipes) {
    if (std::find(recipeNames().begin(), recipeNames().end(), r) == recipeNames().end())
      throw InputError({"", 0, "--recipes"}, expectedGot(joinOr(recipeNames()), "\"" + r + "\""));
  }
  std::vector<std::string> presets;
  if (family == "recipes") {  // recipe-<name>-<arch>-n<N>-l<L>, in the recipes' table order
    for (const std::string& recipe : recipeNames()) {
      if (!recipes.empty() && std::find(recipes.begin(), recipes.end(), recipe) == recipes.end())
        continue;
      for (const std::string& name : presetNames()) {
        if (name.rfind("recipe-" + recipe + "-", 0) == 0) presets.push_back(name);
      }
    }
  } else if (canonical == "snli") {
    for (const char* arch : {"transformer", "grassmann"}) {
      presets.push_back(family == "cpu-small" ? std::string("cpu-small-snli-") + arch
                                              : "snli-" + family + "-" + arch);
    }
  } else if (family == "cpu-small") {
    presets = {"cpu-small-transformer", "cpu-small-grassmann"};
  } else {
    for (const int n : {6, 12}) {
      for (const int l : {128, 256}) {
        for (const char* arch : {"transformer", "grassmann"}) {
          presets.push_back(family + "-" + arch + "-n" + std::to_string(n) + "-l" +
                            std::to_string(l));
        }
      }
    }
  }
  return presets;
}

SweepPlan planSweep(const SweepRequest& request) {
  SweepPlan plan;
  plan.task = canonicalTask(request.task, "TASK");
  plan.family = request.family.empty() ? sweepFamilies(plan.task).front() : request.family;
  plan.seeds = request.seeds;
  plan.sets = request.sets;
  if (request.seeds < 1) {
    throw InputError({"", 0, "--seeds"},
                     expectedGot("a positive count", std::to_string(request.seeds)));
  }
  for (const std::string& preset : sweepPresets(plan.task, plan.family, request.recipes)) {
    if (presetPath(preset).empty()) {
      throw InputError({"", 0, "--preset-family"},
                       expectedGot("a preset " + preset + " in " + presetsDir(),
                                   "none (family \"" + plan.family + "\")"));
    }
    for (std::int64_t k = 0; k < request.seeds; ++k) {
      PlannedRun run{preset, {}, {}};
      run.config = loadConfigArgument(preset, request.sets, &run.source);
      run.config.seed += k;
      if (request.seeds > 1) run.config.name += "-s" + std::to_string(run.config.seed);
      plan.runs.push_back(run);
    }
  }
  return plan;
}

std::int64_t estimateTotalSteps(const RunConfig& config) {
  const TrainConfig& t = config.train;
  try {
    DataStatsRequest request;
    request.task = config.data.task;
    request.tokenizer = config.data.tokenizer;
    request.dir = config.data.dir;
    request.format = config.data.format;
    request.vocab_dir = config.data.vocab_dir;
    const bool snli = canonicalTask(config.data.task) == "snli";
    const std::int64_t seq_len = config.data.seq_len > 0 ? config.data.seq_len : 256;
    request.seq_len = seq_len;
    request.targets = config.data.targets;
    request.gpt2_rows = config.data.gpt2_rows;
    const DataStats stats = computeDataStats(
        request, [](const SplitStats&) { return false; });  // the train split is enough
    if (stats.splits.empty() || t.batch_size < 1) return std::max<std::int64_t>(0, t.max_steps);
    const SplitStats& train = stats.splits.front();
    std::int64_t examples = snli ? train.kept : train.chunks;
    if (!snli && config.data.max_train_tokens > 0) {
      examples = std::min(examples,
                          std::max<std::int64_t>(1, config.data.max_train_tokens /
                                                        chunkLength(seq_len, config.data.targets)));
    }
    const std::int64_t per_epoch = t.drop_last ? std::max<std::int64_t>(1, examples / t.batch_size)
                                               : (examples + t.batch_size - 1) / t.batch_size;
    std::int64_t total = t.epochs * per_epoch;
    if (t.max_steps > 0) total = std::min(total, t.max_steps);
    return total;
  } catch (const std::exception&) {
    return std::max<std::int64_t>(0, t.max_steps);
  }
}

}  // namespace gwb
