// `gwb sweep status SWEEP_DIR`, `gwb sweep cancel SWEEP_DIR [--tasks LIST]` and `gwb sweep submit
// SWEEP_DIR [--tasks LIST]`: follow, stop and (re)submit a sweep that `gwb speedrun --backend
// slurm` wrote. Status prints even when the cluster cannot be asked (cluster_error says why, the
// states then come from the run directories); cancel and submit fail then (exit 2).
#include <memory>

#include "app/cli/cli_common.h"
#include "engine/cluster/sweep.h"
#include "engine/util/error.h"

namespace gwb::cli {
namespace {

struct SweepOptions {
  std::string dir;
  std::string tasks;  ///< "" = all
};

std::vector<std::int64_t> taskList(const SweepOptions& o) {
  return o.tasks.empty() ? std::vector<std::int64_t>{}
                         : cluster::parseIndexList(o.tasks, "--tasks");
}

int status(const SweepOptions& o) {
  const cluster::Sweep sweep = cluster::readSweep(o.dir);
  const cluster::SweepStatus now = cluster::sweepStatus(sweep);
  if (!now.cluster_error.empty()) progress("warning: " + now.cluster_error);
  printJson(nlohmann::ordered_json::parse(cluster::sweepStatusJson(now)));
  return kExitOk;
}

int cancel(const SweepOptions& o) {
  const cluster::Sweep sweep = cluster::readSweep(o.dir);
  const std::vector<std::string> ids = cluster::cancelSweep(sweep, taskList(o));
  progress(ids.empty() ? "nothing queued or running to cancel"
                       : "cancelled " + std::to_string(ids.size()) + " task(s)");
  printJson({{"sweep_dir", sweep.dir}, {"cancelled", ids}});
  return kExitOk;
}

int submit(const SweepOptions& o) {
  cluster::Sweep sweep = cluster::readSweep(o.dir);
  const std::vector<std::int64_t> tasks = taskList(o);
  const std::string job = cluster::submitSweep(sweep, tasks);
  progress("submitted job " + job);
  printJson(nlohmann::ordered_json::parse(
      cluster::submittedJson(sweep, job, tasks.empty() ? sweep.tasks.size() : tasks.size())));
  return kExitOk;
}

}  // namespace

void addSweepCommand(CLI::App& app, Action& action) {
  CLI::App* cmd = app.add_subcommand("sweep", "Follow, cancel or resubmit a cluster sweep");
  cmd->require_subcommand(1);
  const auto add = [&](const char* name, const char* help, int (*fn)(const SweepOptions&),
                       bool with_tasks) {
    auto o = std::make_shared<SweepOptions>();
    CLI::App* sub = cmd->add_subcommand(name, help);
    sub->add_option("SWEEP_DIR", o->dir, "The sweep's folder (RUNS/sweeps/<id>)")->required();
    if (with_tasks) sub->add_option("--tasks", o->tasks, "Task indices, e.g. 0-3,5 (default: all)");
    sub->callback([o, fn, &action] { action = [o, fn] { return fn(*o); }; });
  };
  add("status", "Each task's SLURM state and run progress (JSON)", status, false);
  add("cancel", "Cancel the sweep's queued and running tasks", cancel, true);
  add("submit", "Submit the sweep's tasks again (finished ones exit at once)", submit, true);
}

}  // namespace gwb::cli
