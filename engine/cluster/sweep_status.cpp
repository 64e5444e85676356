// Sweep status: each task's latest submission as squeue/scontrol report it, joined with its run
// directory's progress and, for a failed task, the error its output file ends with.
#include <algorithm>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "engine/cluster/sweep.h"
#include "engine/util/child_process.h"
#include "engine/util/error.h"

using Json = nlohmann::ordered_json;

namespace gwb::cluster {
namespace {

constexpr std::size_t kOutputTail = 64 * 1024;  ///< bytes of an output file searched for errors

// The last "gwb: error:" line of the task's latest attempt (after the script's last start
// banner), else "".
std::string outputError(const Sweep& s, const SweepTask& t) {
  std::ifstream in(t.output, std::ios::binary | std::ios::ate);
  if (!in) return {};
  const std::streamoff size = in.tellg();
  const std::streamoff from = size > static_cast<std::streamoff>(kOutputTail)
                                  ? size - static_cast<std::streamoff>(kOutputTail)
                                  : 0;
  in.seekg(from);
  std::string text(static_cast<std::size_t>(size - from), '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  const std::string banner = "gwb sweep " + s.id + ": task ";
  const std::size_t start = text.rfind(banner);
  std::string found;
  std::size_t pos = start == std::string::npos ? 0 : start;
  for (std::size_t at; (at = text.find("gwb: error: ", pos)) != std::string::npos; pos = at + 1) {
    found = text.substr(at, text.find('\n', at) - at);
  }
  return found;
}

// The array job id the task's last start wrote to logs/task-<index>.job ("" if none or garbled).
std::string startedJob(const SweepTask& t) {
  std::ifstream in(jobFile(t));
  std::string id;
  if (!(in >> id) || id.empty() || id.size() > 18 ||
      id.find_first_not_of("0123456789") != std::string::npos)
    return {};
  return id;
}

}  // namespace

std::string jobFile(const SweepTask& t) {
  const std::string suffix = ".out";
  const std::string& out = t.output;
  return (out.size() > suffix.size() &&
                  out.compare(out.size() - suffix.size(), suffix.size(), suffix) == 0
              ? out.substr(0, out.size() - suffix.size())
              : out) +
         ".job";
}

SweepStatus sweepStatus(const Sweep& s, const ClientOptions& options, ProgressReaders* readers,
                        bool strict) {
  SweepStatus status;
  status.sweep_dir = s.dir;
  status.job_id = s.jobId();
  // The latest submission of each task.
  std::map<std::int64_t, std::string> latest;
  std::vector<std::string> job_ids;
  for (const Submission& sub : s.submissions) {
    job_ids.push_back(sub.job_id);
    try {
      for (const std::int64_t i : parseIndexList(sub.tasks, "tasks")) latest[i] = sub.job_id;
    } catch (const InputError&) {
      for (const SweepTask& t : s.tasks) latest[t.index] = sub.job_id;
    }
  }
  // A task started by a job gwb did not submit (the script edited and sent with sbatch) says so
  // in logs/task-<index>.job; SLURM's job ids grow, so the larger id is the later job.
  for (const SweepTask& t : s.tasks) {
    const std::string started = startedJob(t);
    const auto known_job = latest.find(t.index);
    if (started.empty() ||
        (known_job != latest.end() && std::stoll(known_job->second) >= std::stoll(started)))
      continue;
    latest[t.index] = started;
    if (std::find(job_ids.begin(), job_ids.end(), started) == job_ids.end())
      job_ids.push_back(started);
  }
  std::map<std::string, JobState> known;  // by "12_3"
  try {
    for (const JobState& j : queryJobs(job_ids, options)) known[j.job_id] = j;
  } catch (const std::exception& e) {
    if (strict) throw;
    status.cluster_error = e.what();
  }
  ProgressReaders local;
  ProgressReaders& reading = readers ? *readers : local;
  for (const SweepTask& t : s.tasks) {
    TaskStatus ts;
    ts.task = t;
    auto reader = reading.find(t.run_dir);
    if (reader == reading.end())
      reader = reading.emplace(t.run_dir, RunProgressReader(t.run_dir)).first;
    ts.run = reader->second.poll();
    ts.total_steps = ts.run.status == "finished" ? ts.run.step : t.total_steps;
    const auto sub = latest.find(t.index);
    if (sub != latest.end()) ts.job_id = sub->second + "_" + std::to_string(t.index);
    const auto job = known.find(ts.job_id);
    if (job != known.end()) {
      ts.state = job->second.state;
      ts.state_source = "squeue/scontrol";
      ts.reason = job->second.reason;
      ts.exit_code = job->second.exit_code;
      ts.restarts = job->second.restarts;
    } else if (ts.run.status == "finished") {
      ts.state = "COMPLETED";
      ts.state_source = "run_dir";
    } else if (ts.run.status == "failed") {
      ts.state = "FAILED";
      ts.state_source = "run_dir";
    } else {
      ts.state = ts.job_id.empty() ? "UNSUBMITTED" : "UNKNOWN";
      ts.state_source = "none";
    }
    const bool running = ts.state == "RUNNING" || ts.state == "COMPLETING";
    if (ts.state == "COMPLETED" && ts.run.status == "finished") {
      ts.eta_s = 0.0;
    } else if (running && ts.total_steps > 0 && ts.run.seconds_per_step > 0) {
      ts.eta_s = static_cast<double>(std::max<std::int64_t>(0, ts.total_steps - ts.run.step)) *
                 ts.run.seconds_per_step;
    }
    if (ts.state != "COMPLETED" && ts.state != "RUNNING" && ts.state != "PENDING") {
      ts.error = outputError(s, t);
      if (ts.error.empty() && ts.run.status == "failed") ts.error = ts.run.error;
    }
    status.tasks.push_back(ts);
  }
  return status;
}

std::string queueState(const TaskStatus& t) {
  const std::string state = t.state.substr(0, t.state.find(' '));
  if (state == "COMPLETED") return t.run.status == "failed" ? "failed" : "finished";
  if (state == "RUNNING" || state == "COMPLETING") return "running";
  if (state == "PENDING" || state == "CONFIGURING" || state == "REQUEUED" ||
      state == "REQUEUE_HOLD" || state == "REQUEUE_FED" || state == "RESIZING" ||
      state == "SUSPENDED" || state == "STAGE_OUT" || state == "SIGNALING")
    return "queued";
  if (state == "FAILED" || state == "NODE_FAIL" || state == "BOOT_FAIL" ||
      state == "OUT_OF_MEMORY") {
    // A task that stopped with a checkpoint (exit 130 after a time-limit warning) can resume.
    return t.run.status == "stopped" ? "stopped" : "failed";
  }
  return "stopped";  // CANCELLED, PREEMPTED, TIMEOUT, DEADLINE, UNSUBMITTED, UNKNOWN
}

std::string submitUnavailable() {
  if (!findOnPath("sbatch").empty()) return {};
  return "sbatch is not on PATH, so this machine cannot submit to a SLURM cluster (Debian package "
         "slurm-client); the sweep's files can still be written here and submitted with sbatch "
         "where it exists.";
}

std::string sweepStatusJson(const SweepStatus& status, int indent) {
  Json j;
  j["sweep_dir"] = status.sweep_dir;
  j["job_id"] = status.job_id.empty() ? Json() : Json(status.job_id);
  j["tasks"] = Json::array();
  std::map<std::string, int> counts;
  for (const TaskStatus& t : status.tasks) {
    ++counts[t.state];
    Json o;
    o["index"] = t.task.index;
    o["config"] = t.task.config;
    o["seed"] = t.task.seed;
    o["run_dir"] = t.task.run_dir;
    o["state"] = t.state;
    o["step"] = t.run.step;
    o["total_steps"] = t.total_steps > 0 ? Json(t.total_steps) : Json();
    o["best"] = t.run.best ? Json(*t.run.best) : Json();
    o["eta_s"] = t.eta_s ? Json(*t.eta_s) : Json();
    o["name"] = t.task.name;
    o["preset"] = t.task.preset;
    o["arch"] = t.task.arch;
    o["job_id"] = t.job_id.empty() ? Json() : Json(t.job_id);
    o["state_source"] = t.state_source;
    o["reason"] = t.reason;
    o["exit_code"] = t.exit_code >= 0 ? Json(t.exit_code) : Json();
    o["restarts"] = t.restarts;
    // How the run's last session ended; "running" / "incomplete" (killed, or between attempts).
    if (!t.run.status.empty()) {
      o["run_status"] = t.run.status;
    } else if (t.run.exists) {
      o["run_status"] = t.state == "RUNNING" ? "running" : "incomplete";
    } else {
      o["run_status"] = Json();
    }
    o["best_metric"] = t.run.best_metric.empty() ? Json() : Json(t.run.best_metric);
    o["resumes"] = t.run.resumes;
    o["output"] = t.task.output;
    o["error"] = t.error.empty() ? Json() : Json(t.error);
    j["tasks"].push_back(o);
  }
  j["states"] = Json::object();
  for (const auto& [state, n] : counts) j["states"][state] = n;
  j["cluster_error"] = status.cluster_error.empty() ? Json() : Json(status.cluster_error);
  return j.dump(indent);
}

}  // namespace gwb::cluster
