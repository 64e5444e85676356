// A sweep on a SLURM cluster (CONTRACTS.md, "Clusters"): DIR/sweeps/<id>/ holds sweep.sbatch (a
// readable job array, one task per configuration x seed), each task's configuration, logs/ (each
// task's SLURM output, appended across restarts, and the job that last started it) and sweep.json
// (the tasks, every submission's job id). Each task runs `gwb train <config> --run-dir
// DIR/<id>-<index>-s<seed>`: started again, it resumes; finished, it exits at once. Status joins
// squeue/scontrol with the run directories' own progress. Torch-free, Qt-free; any thread.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/cluster/slurm.h"
#include "engine/cluster/sweep_plan.h"
#include "engine/runs/run_progress.h"

namespace gwb::cluster {

/// What the job array asks of the cluster; an empty (or 0) field is left to its defaults.
struct ClusterOptions {
  std::string partition;           ///< --partition
  std::string gres;                ///< --gres, e.g. "gpu:1"
  std::string time;                ///< --time limit per task, e.g. "12:00:00"
  std::string account;             ///< --account
  std::int64_t cpus_per_task = 0;  ///< --cpus-per-task
  std::string mem;                 ///< --mem, e.g. "32G"
  std::vector<std::string> setup;  ///< shell lines the script runs before gwb (module load ...)
  std::int64_t grace_s = 120;      ///< SIGTERM this long before the time limit (--signal)
};

/// One array task.
struct SweepTask {
  std::int64_t index = 0;
  std::string preset, name;
  std::string arch;  ///< model.arch of its configuration
  std::int64_t seed = 0;
  std::string config;            ///< its configuration file (absolute, beside the script)
  std::string run_dir;           ///< <runs>/<sweep id>-<index>-s<seed> (absolute), or the plan's
  bool fixed_run_dir = false;    ///< run_dir came from the plan (a study's run), not the id
  std::string output;            ///< its SLURM output file (absolute)
  std::int64_t total_steps = 0;  ///< estimated when written (0: unknown)
};

/// One sbatch of (some of) the tasks.
struct Submission {
  std::string job_id;  ///< the array's job id
  std::string tasks;   ///< the indices submitted, "0-7" or "1,3"
  std::string time;    ///< UTC, ISO 8601
};

struct Sweep {
  std::string id;      ///< <yyyymmdd-hhmmss UTC>-<task>-<family>[-2...]
  std::string dir;     ///< <runs>/sweeps/<id> (absolute)
  std::string script;  ///< <dir>/sweep.sbatch
  std::string task, family;
  std::int64_t seeds = 1;
  std::vector<std::string> sets;
  std::string runs_dir;  ///< absolute
  std::string gwb;       ///< the gwb the tasks run (the script lets $GWB override it)
  std::string created;   ///< UTC, ISO 8601
  ClusterOptions options;
  std::vector<SweepTask> tasks;
  std::vector<Submission> submissions;

  /// The first submission's job id ("" if never submitted).
  std::string jobId() const { return submissions.empty() ? "" : submissions.front().job_id; }
};

/// The sweep of `plan` in `runs_dir`, named for now; nothing is written (previews use this).
/// InputError for options that cannot go into a script (line breaks, quotes in #SBATCH values).
Sweep makeSweep(const SweepPlan& plan, const std::string& runs_dir, const ClusterOptions& options,
                const std::string& gwb);
/// The text of sweep.sbatch.
std::string sbatchScript(const Sweep& sweep);
/// Writes the sweep's folder (taking -2, -3... if its id exists, which renames its paths), the
/// task configurations of `plan` (train.threads set to --cpus-per-task where it was 0, "all the
/// node's cores"), logs/ and sweep.json; estimates each task's steps.
void writeSweep(Sweep& sweep, const SweepPlan& plan);
/// Reads <dir>/sweep.json. InputError if `dir` is not a sweep folder.
Sweep readSweep(const std::string& dir);

/// Submits `tasks` (every task if empty) with `sbatch --parsable --array=LIST`, records the job
/// id in sweep.json and returns it. Tasks still queued or running are refused (InputError).
std::string submitSweep(Sweep& sweep, const std::vector<std::int64_t>& tasks,
                        const ClientOptions& options = {});
/// Cancels the queued or running ones of `tasks` (every task if empty); returns the job ids
/// cancelled ("12_3").
std::vector<std::string> cancelSweep(const Sweep& sweep, const std::vector<std::int64_t>& tasks,
                                     const ClientOptions& options = {});

/// One task now.
struct TaskStatus {
  SweepTask task;
  std::string job_id;        ///< "12_3" of its latest submission ("" if never submitted)
  std::string state;         ///< SLURM's (PENDING, RUNNING, COMPLETED, FAILED, CANCELLED...), else
                             ///< from the run: COMPLETED / FAILED, UNKNOWN, or UNSUBMITTED
  std::string state_source;  ///< "squeue/scontrol", "run_dir" or "none"
  std::string reason;        ///< SLURM's pending or end reason
  int exit_code = -1;
  std::int64_t restarts = 0;
  RunProgress run;
  std::int64_t total_steps = 0;  ///< the run's final step once finished, else the estimate
  std::optional<double> eta_s;   ///< while running, at the run's recent pace
  std::string error;             ///< why it failed: its output's last "gwb: error:" line
};

struct SweepStatus {
  std::string sweep_dir, job_id;
  std::vector<TaskStatus> tasks;
  std::string cluster_error;  ///< why SLURM could not be asked ("" if it answered)
};

/// Run directories already followed, by path (the GUI keeps one across polls).
using ProgressReaders = std::map<std::string, RunProgressReader>;

/// logs/task-<index>.job: the array job id the script writes when the task starts, so that status
/// follows jobs that gwb did not submit (the script resubmitted with sbatch by hand).
std::string jobFile(const SweepTask& task);

/// The status of every task. A cluster that cannot be asked (tools missing, controller down) is
/// not an exception here unless `strict`: cluster_error says why and the states come from the run
/// directories.
SweepStatus sweepStatus(const Sweep& sweep, const ClientOptions& options = {},
                        ProgressReaders* readers = nullptr, bool strict = false);
/// What a task's state means for a queue of runs: "queued", "running", "stopped" (resumable:
/// cancelled, preempted, out of time, not submitted), "finished" or "failed".
std::string queueState(const TaskStatus& task);

/// "" if this machine can submit (sbatch on PATH), else a sentence saying why not.
std::string submitUnavailable();

/// `gwb sweep status` JSON: {"sweep_dir","job_id","tasks":[{"index","config","seed","run_dir",
/// "state","step","total_steps","best","eta_s",...}],"states":{STATE: count}}.
std::string sweepStatusJson(const SweepStatus& status, int indent = -1);
/// What speedrun and `gwb sweep submit` print: {"sweep_dir","job_id","tasks","script"}; an empty
/// job id (a dry run) is null; `tasks` counts the tasks submitted.
std::string submittedJson(const Sweep& sweep, const std::string& job_id, std::size_t tasks,
                          int indent = -1);

}  // namespace gwb::cluster
