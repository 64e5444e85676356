// The SLURM command-line tools as gwb uses them: sbatch (submit), squeue and scontrol (job states:
// sacct needs a database most small clusters lack), scancel, each a child process with a timeout
// whose output is parsed here and whose stderr goes into any error. The only code that knows SLURM
// besides the script writer (sweep_script.h). Torch-free, Qt-free; callable from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace gwb::cluster {

/// One array task (or plain job) as SLURM reports it.
struct JobState {
  std::string array_job_id;   ///< the array's job id ("12"); the job id itself for a plain job
  std::int64_t task = -1;     ///< array index; -1 for a plain job
  std::string job_id;         ///< "12_3" for an array task, "12" for a plain job
  std::string state;          ///< PENDING, RUNNING, COMPLETED, FAILED, CANCELLED, TIMEOUT...
  std::string reason;         ///< why it is pending or how it ended ("None" dropped)
  int exit_code = -1;         ///< scontrol's ExitCode before the colon (-1: not known)
  int exit_signal = 0;        ///< after the colon
  std::int64_t restarts = 0;  ///< requeues so far (scontrol's Restarts)
  std::string node;
};

/// How the tools are run.
struct ClientOptions {
  double timeout_s = 30;  ///< per command; a dead controller makes the tools hang ~9 s each
  /// When a command has not answered after this long, probe the controller's TCP port (from
  /// slurm.conf): refused means it is down, an error now rather than after the tools' own ~9 s of
  /// retries. A command that answers sooner never probes (slurmctld logs every empty connection).
  double probe_after_s = 1.5;  ///< <= 0: never probe
};

// ---- Parsing (pure functions; tested on captured output) ----

/// The job id `sbatch --parsable` printed ("12" or "12;cluster"). InputError if there is none.
std::string parseSbatchParsable(const std::string& out);
/// `squeue -h -r -o '%F|%K|%i|%T|%r|%N'` lines.
std::vector<JobState> parseSqueue(const std::string& out);
/// `scontrol show job -o` records (one per line, KEY=VALUE words); a pending array's remainder
/// (ArrayTaskId=2-5) becomes one JobState per index.
std::vector<JobState> parseScontrolJobs(const std::string& out);
/// "0-3,5,8-10%2" -> {0,1,2,3,5,8,9,10} (a throttle "%N" ignored). InputError naming `what` on
/// anything else.
std::vector<std::int64_t> parseIndexList(const std::string& text, const std::string& what);
/// {0,1,2,3,5} -> "0-3,5".
std::string formatIndexList(std::vector<std::int64_t> indices);
/// True for states after which the task runs no more (COMPLETED, FAILED, CANCELLED, TIMEOUT...).
bool isFinalState(const std::string& state);

// ---- Commands ----

/// Submits `script` with `sbatch --parsable` (plus `extra_args`, e.g. "--array=1,3" before the
/// script); returns the job id. InputError when sbatch is missing, times out, or refuses (its
/// stderr in the message).
std::string submitBatch(const std::string& script, const std::vector<std::string>& extra_args,
                        const ClientOptions& options = {});
/// Every array task of `job_ids` that squeue or scontrol still knows: squeue first (queued and
/// running tasks), scontrol for the rest (finished ones, until MinJobAge forgets them). Job ids
/// SLURM no longer knows give nothing. InputError when the tools are missing or fail.
std::vector<JobState> queryJobs(const std::vector<std::string>& job_ids,
                                const ClientOptions& options = {});
/// `scancel ID...` ("12" or "12_3"). InputError on failure.
void cancelJobs(const std::vector<std::string>& ids, const ClientOptions& options = {});

/// "" if the controller named by slurm.conf ($SLURM_CONF, else /etc/slurm/slurm.conf) accepts a
/// TCP connection within `timeout_s` or cannot be told from here (no readable slurm.conf, a
/// configless cluster); else why not ("localhost:6817 refused the connection"). An accepted probe
/// costs a line in slurmctld's log ("Zero Bytes were transmitted"): probe only when in doubt.
std::string probeController(double timeout_s = 2.0);

}  // namespace gwb::cluster
