// `gwb speedrun ... --backend slurm`: the sweep as one SLURM job array (engine/cluster/) instead
// of threads on this machine. Kept apart from cmd_speedrun.cpp, which only registers these options
// and hands the plan over.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "engine/cluster/sweep.h"
#include "engine/cluster/sweep_plan.h"

namespace gwb::cli {

/// The back-end and what a cluster back-end asks of the cluster.
struct BackendOptions {
  std::string backend = "local";  ///< "local" or "slurm"
  cluster::ClusterOptions cluster;
};

/// Adds --backend, --partition, --gres, --time, --account, --cpus-per-task, --mem, --setup.
void addBackendOptions(CLI::App* cmd, BackendOptions& options);

/// InputError unless the back-end is local or slurm; true for slurm.
bool usesClusterBackend(const BackendOptions& options);

/// Writes the sweep of `request` under `runs` (--runs, $GWB_RUNS_DIR, ./runs), submits it unless
/// `dry_run`, prints {"sweep_dir","job_id","tasks","script"}. Returns the exit code.
int runClusterSpeedrun(const SweepRequest& request, const BackendOptions& options,
                       const std::string& runs, bool dry_run);

}  // namespace gwb::cli
