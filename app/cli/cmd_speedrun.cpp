// `gwb speedrun wikitext2|snli [--preset-family F] [--seeds K] [--jobs N|auto] [--dry-run]`
// (wikitext2: reference|paper|paper-perlayer|arledge|cpu-small; snli: scratch|paper|reference|
// cpu-small): the family's configurations (sweep_plan.h), K seeds
// each, N runs at a time; one progress line per run on stderr with an ETA; prints the `gwb report
// --json` of the sweep at the end. `--backend slurm` submits the same plan as a SLURM job array
// instead (speedrun_cluster.h).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "app/cli/cli_common.h"
#include "app/cli/local_queue.h"
#include "app/cli/speedrun_cluster.h"
#include "app/cli/train_support.h"
#include "engine/cluster/scheduler.h"
#include "engine/cluster/sweep_plan.h"
#include "engine/config/presets.h"
#include "engine/report/report.h"
#include "engine/report/snli_report.h"
#include "engine/train/footprint.h"
#include "engine/util/error.h"
#include "engine/util/paths.h"

namespace gwb::cli {
namespace {

struct SpeedrunOptions {
  std::string task;
  std::string family;  ///< "": the task's default
  std::int64_t seeds = 1;
  std::string jobs = "1";
  bool dry_run = false;
  std::string runs;
  std::vector<std::string> sets;
  std::string recipes;  ///< family recipes: "a,b" picks some
  BackendOptions backend;
};

int run(const SpeedrunOptions& o) {
  if (usesClusterBackend(o.backend)) {
    return runClusterSpeedrun({o.task, o.family, o.seeds, o.sets, splitList(o.recipes)}, o.backend,
                              o.runs, o.dry_run);
  }
  if (o.task != "wikitext2" && o.task != "wikitext" && o.task != "snli") {
    throw InputError({"", 0, "TASK"}, expectedGot("wikitext2 or snli", "\"" + o.task + "\""));
  }
  if (o.seeds < 1)
    throw InputError({"", 0, "--seeds"}, expectedGot("a positive count", std::to_string(o.seeds)));
  const SweepPlan sweep = planSweep({o.task, o.family, o.seeds, o.sets, splitList(o.recipes)});
  const std::vector<PlannedRun>& runs = sweep.runs;
  std::vector<QueuedRun> queue;
  for (const PlannedRun& r : runs) {
    QueuedRun q;
    q.request.config = r.config;
    q.request.source = r.source;
    q.request.runs_dir = runsDir(o.runs);
    queue.push_back(q);
  }
  std::vector<TrainRequest> requests;
  for (const QueuedRun& q : queue) requests.push_back(q.request);
  const std::int64_t jobs = decideLocalJobs(o.jobs, requests, o.dry_run);
  if (o.dry_run) {
    nlohmann::ordered_json out;
    out["task"] = o.task == "snli" ? "snli" : "wikitext2";
    out["family"] = sweep.family;
    out["jobs"] = jobs;
    out["runs"] = nlohmann::ordered_json::array();
    for (const PlannedRun& r : runs) {
      const PreparedConfig prepared = prepareConfig(r.config, r.source);
      out["runs"].push_back(
          {{"name", r.config.name},
           {"preset", r.preset},
           {"seed", r.config.seed},
           {"parameters", prepared.parameters},
           {"config", nlohmann::ordered_json::parse(runConfigToJson(prepared.config))}});
    }
    printJson(out);
    return kExitOk;
  }
  const auto start = std::chrono::steady_clock::now();
  const QueueResult result = trainLocally(queue, jobs);
  progress("speedrun done in " +
           durationText(
               std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()));
  std::vector<std::string> dirs;
  for (const TrainOutcome& outcome : result.outcomes) dirs.push_back(outcome.run_dir);
  std::vector<RunRecord> records;
  for (const std::string& d : dirs) {
    if (!d.empty()) records.push_back(readRun(d));
  }
  const ReportedNumbers& reported = reportedNumbers();
  std::cout << combinedJson(buildReport(records, reported.wikitext2),
                            buildSnliReport(records, reported.snli))
            << "\n"
            << std::flush;
  if (result.stopped) return kExitStopped;
  return result.failed ? kExitFailed : kExitOk;
}

}  // namespace

void addSpeedrunCommand(CLI::App& app, Action& action) {
  auto o = std::make_shared<SpeedrunOptions>();
  CLI::App* cmd = app.add_subcommand("speedrun", "Train a preset family's sweep and report it");
  cmd->add_option("TASK", o->task, "wikitext2 or snli")->required();
  cmd->add_option("--preset-family", o->family,
                  "wikitext2: reference (default), paper, paper-perlayer, arledge, recipes or "
                  "cpu-small; snli: scratch (default), paper, reference or cpu-small");
  cmd->add_option("--recipes", o->recipes,
                  "Family recipes: which recipes, e.g. kanenorman,youdie6 (default: all)");
  cmd->add_option("--seeds", o->seeds, "Seeds per configuration (default 1)");
  cmd->add_option("--jobs", o->jobs, "Runs at a time, or auto (default 1)");
  cmd->add_flag("--dry-run", o->dry_run, "Print the plan only");
  cmd->add_option("--runs", o->runs, "Runs folder (default $GWB_RUNS_DIR, else ./runs)");
  cmd->add_option("--set", o->sets, "Override a key in every run: a.b=VALUE");
  addBackendOptions(cmd, o->backend);
  cmd->callback([o, &action] { action = [o] { return run(*o); }; });
}

}  // namespace gwb::cli
