// `gwb train CONFIG [--set a.b=VALUE]... [--runs DIR] [--dry-run]`, `gwb train CONFIG --run-dir
// DIR` (train into exactly DIR: a cluster task that may start again) and `gwb train --resume
// RUN_DIR`: stdout is JSON Lines, {"run_dir": ...} first and {"summary": ...} last; people read
// stderr. SIGINT / SIGTERM stop the run after the current step with a resumable checkpoint (exit
// 130); a second one leaves as soon as the write in progress is complete.
#include <memory>
#include <nlohmann/json.hpp>

#include "app/cli/cli_common.h"
#include "app/cli/train_support.h"
#include "engine/config/presets.h"
#include "engine/io/name_schemes.h"
#include "engine/runs/metrics_json.h"
#include "engine/train/trainer.h"
#include "engine/util/error.h"
#include "engine/util/paths.h"

namespace gwb::cli {
namespace {

struct TrainOptions {
  std::string config;
  std::vector<std::string> sets;
  std::string runs;
  std::string resume;
  std::string run_dir;
  std::string init_from, names;
  bool dry_run = false;
};

int train(const TrainOptions& o) {
  if (o.config.empty() == o.resume.empty()) {
    throw InputError({"", 0, "gwb train"}, expectedGot("CONFIG or --resume RUN_DIR (one of them)",
                                                       o.config.empty() ? "neither" : "both"));
  }
  TrainRequest request;
  request.runs_dir = runsDir(o.runs);
  request.stop = &stopFlag();
  request.progress = progress;
  if (!o.run_dir.empty() && !o.resume.empty()) {
    throw InputError({"", 0, "--run-dir"}, expectedGot("CONFIG --run-dir DIR", "--resume"));
  }
  if (!o.resume.empty()) {
    request.resume_dir = absolutePath(o.resume);
  } else {
    request.config = loadConfigArgument(o.config, o.sets, &request.source);
    if (!o.run_dir.empty()) request.run_dir = absolutePath(o.run_dir);
  }
  if (!o.init_from.empty()) {
    if (!o.resume.empty())
      throw InputError({"", 0, "--init-from"}, expectedGot("a CONFIG (a new run)", "--resume"));
    request.init_from = absolutePath(o.init_from);
    request.init_names = o.names.empty() ? "" : canonicalNameScheme(o.names);
  } else if (!o.names.empty()) {
    throw InputError({"", 0, "--names"}, expectedGot("--init-from W beside it", "none"));
  }
  if (o.dry_run) {
    if (!o.resume.empty())
      throw InputError({"", 0, "--dry-run"}, expectedGot("a CONFIG", "--resume"));
    printJson(dryRunJson(prepareConfig(request.config, request.source)));
    return kExitOk;
  }
  installStopHandlers();
  ProgressPrinter printer;
  const TrainOutcome outcome = runTraining(request, printer);
  if (outcome.already_finished) {
    progress(outcome.run_dir + " holds this configuration's finished run: nothing to train");
    printJson({{"run_dir", outcome.run_dir}});
  }
  printJson({{"summary", nlohmann::ordered_json::parse(summaryToJson(outcome.summary, -1))}});
  if (outcome.summary.status == "stopped") return kExitStopped;
  return outcome.summary.status == "finished" ? kExitOk : kExitFailed;
}

int run(const TrainOptions& o) {
  try {
    return train(o);
  } catch (const InputError& e) {
    throw blameOverride(e, o.sets);
  }
}

}  // namespace

void addTrainCommand(CLI::App& app, Action& action) {
  auto o = std::make_shared<TrainOptions>();
  CLI::App* cmd =
      app.add_subcommand("train", "Train a model (a configuration file or a preset name)");
  cmd->add_option("CONFIG", o->config, "Configuration file or preset name (see resources/presets)");
  cmd->add_option("--set", o->sets, "Override a key: a.b=VALUE (VALUE as JSON, else a string)");
  cmd->add_option("--runs", o->runs, "Runs folder (default $GWB_RUNS_DIR, else ./runs)");
  cmd->add_option("--resume", o->resume, "Continue a stopped run from its last checkpoint");
  cmd->add_option("--run-dir", o->run_dir,
                  "Train into exactly this folder; resume it if it holds this configuration's "
                  "run (a cluster task)");
  cmd->add_option("--init-from", o->init_from,
                  "Start from these weights (safetensors; any reproduction's names): weights "
                  "only, a fresh optimizer, step 0");
  cmd->add_option("--names", o->names,
                  "Naming scheme of --init-from: reference, arledge, kanenorman, youdie006, "
                  "grasslm (default: recognised)");
  cmd->add_flag("--dry-run", o->dry_run,
                "Print the resolved configuration and parameter counts only");
  cmd->callback([o, &action] { action = [o] { return run(*o); }; });
}

}  // namespace gwb::cli
