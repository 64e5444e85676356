// The SLURM back-end of gwb speedrun.
#include "app/cli/speedrun_cluster.h"

#include "app/cli/cli_common.h"
#include "engine/util/error.h"
#include "engine/util/paths.h"

namespace gwb::cli {

void addBackendOptions(CLI::App* cmd, BackendOptions& o) {
  cmd->add_option("--backend", o.backend, "local (default: threads here) or slurm (a job array)");
  cmd->add_option("--partition", o.cluster.partition, "slurm: partition");
  cmd->add_option("--gres", o.cluster.gres, "slurm: generic resources per task, e.g. gpu:1");
  cmd->add_option("--time", o.cluster.time, "slurm: time limit per task, e.g. 12:00:00");
  cmd->add_option("--account", o.cluster.account, "slurm: account to charge");
  cmd->add_option("--cpus-per-task", o.cluster.cpus_per_task, "slurm: CPUs per task");
  cmd->add_option("--mem", o.cluster.mem, "slurm: memory per task, e.g. 32G");
  cmd->add_option("--setup", o.cluster.setup,
                  "slurm: a shell line the script runs before gwb (repeatable), e.g. 'module load "
                  "cuda'");
}

bool usesClusterBackend(const BackendOptions& o) {
  if (o.backend != "local" && o.backend != "slurm") {
    throw InputError({"", 0, "--backend"}, expectedGot("local or slurm", "\"" + o.backend + "\""));
  }
  return o.backend == "slurm";
}

int runClusterSpeedrun(const SweepRequest& request, const BackendOptions& o,
                       const std::string& runs, bool dry_run) {
  const SweepPlan plan = planSweep(request);
  cluster::Sweep sweep =
      cluster::makeSweep(plan, runsDir(runs), o.cluster, executableDir() + "/gwb");
  cluster::writeSweep(sweep, plan);
  progress("wrote " + sweep.script + " (" + std::to_string(sweep.tasks.size()) + " tasks)");
  std::string job;
  if (!dry_run) {
    try {
      job = cluster::submitSweep(sweep, {});
    } catch (const InputError& e) {
      progress("the sweep is written but not submitted; submit it with: gwb sweep submit " +
               sweep.dir);
      throw;
    }
    progress("submitted job " + job + "; follow it with: gwb sweep status " + sweep.dir);
  }
  printJson(nlohmann::ordered_json::parse(cluster::submittedJson(sweep, job, sweep.tasks.size())));
  return kExitOk;
}

}  // namespace gwb::cli
