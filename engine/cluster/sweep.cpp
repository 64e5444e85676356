// Sweep folders: making, writing and reading them, submitting and cancelling their tasks.
#include "engine/cluster/sweep.h"

#include <ctime>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "engine/util/error.h"
#include "engine/util/file_io.h"
#include "engine/util/paths.h"
#include "engine/util/utc_time.h"

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

namespace gwb::cluster {
namespace {

// Folders and files of every task follow from the id.
void assignPaths(Sweep& s) {
  s.dir = (fs::path(s.runs_dir) / "sweeps" / s.id).string();
  s.script = s.dir + "/sweep.sbatch";
  for (SweepTask& t : s.tasks) {
    t.config = s.dir + "/" + std::to_string(t.index) + "-" + t.name + ".json";
    if (!t.fixed_run_dir)
      t.run_dir = (fs::path(s.runs_dir) /
                   (s.id + "-" + std::to_string(t.index) + "-s" + std::to_string(t.seed)))
                      .string();
    t.output = s.dir + "/logs/task-" + std::to_string(t.index) + ".out";
  }
}

void checkOption(const std::string& key, const std::string& value, bool directive) {
  if (value.find_first_of(directive ? "\n\r\"" : "\n\r") != std::string::npos) {
    throw InputError({"", 0, key}, expectedGot(directive ? "a value without line breaks or quotes"
                                                         : "a line without line breaks",
                                               "\"" + quoteForMessage(value) + "\""));
  }
}

Json toJson(const Sweep& s) {
  Json j;
  j["id"] = s.id;
  j["task"] = s.task;
  j["family"] = s.family;
  j["seeds"] = s.seeds;
  j["sets"] = s.sets;
  j["created"] = s.created;
  j["runs_dir"] = s.runs_dir;
  j["gwb"] = s.gwb;
  j["script"] = s.script;
  const ClusterOptions& o = s.options;
  j["options"] = {{"partition", o.partition},
                  {"gres", o.gres},
                  {"time", o.time},
                  {"account", o.account},
                  {"cpus_per_task", o.cpus_per_task},
                  {"mem", o.mem},
                  {"setup", o.setup},
                  {"grace_s", o.grace_s}};
  j["tasks"] = Json::array();
  for (const SweepTask& t : s.tasks) {
    j["tasks"].push_back({{"index", t.index},
                          {"preset", t.preset},
                          {"name", t.name},
                          {"arch", t.arch},
                          {"seed", t.seed},
                          {"config", t.config},
                          {"run_dir", t.run_dir},
                          {"output", t.output},
                          {"total_steps", t.total_steps}});
  }
  j["job_id"] = s.jobId().empty() ? Json() : Json(s.jobId());
  j["submissions"] = Json::array();
  for (const Submission& sub : s.submissions) {
    j["submissions"].push_back({{"job_id", sub.job_id}, {"tasks", sub.tasks}, {"time", sub.time}});
  }
  return j;
}

void save(const Sweep& s) { writeFileAtomic(s.dir + "/sweep.json", toJson(s).dump(2) + "\n"); }

std::vector<std::int64_t> chosenTasks(const Sweep& s, const std::vector<std::int64_t>& tasks) {
  std::vector<std::int64_t> all;
  for (const SweepTask& t : s.tasks) all.push_back(t.index);
  if (tasks.empty()) return all;
  for (const std::int64_t i : tasks) {
    if (i < 0 || i >= static_cast<std::int64_t>(s.tasks.size())) {
      throw InputError(
          {s.dir, 0, "--tasks"},
          expectedGot("task indices 0-" + std::to_string(s.tasks.size() - 1), std::to_string(i)));
    }
  }
  return tasks;
}

}  // namespace

Sweep makeSweep(const SweepPlan& plan, const std::string& runs_dir, const ClusterOptions& options,
                const std::string& gwb) {
  for (const auto& [key, value] :
       std::vector<std::pair<std::string, std::string>>{{"--partition", options.partition},
                                                        {"--gres", options.gres},
                                                        {"--time", options.time},
                                                        {"--account", options.account},
                                                        {"--mem", options.mem}}) {
    checkOption(key, value, /*directive=*/true);
  }
  for (const std::string& line : options.setup) checkOption("--setup", line, false);
  if (options.cpus_per_task < 0) {
    throw InputError({"", 0, "--cpus-per-task"},
                     expectedGot("a positive count", std::to_string(options.cpus_per_task)));
  }
  Sweep s;
  s.task = plan.task;
  s.family = plan.family;
  s.seeds = plan.seeds;
  s.sets = plan.sets;
  s.runs_dir = absolutePath(runs_dir);
  s.gwb = gwb;
  s.options = options;
  s.created = utcNow("%Y-%m-%dT%H:%M:%SZ");
  s.id = utcNow("%Y%m%d-%H%M%S") + "-" + plan.task + "-" + plan.family;
  for (std::size_t i = 0; i < plan.runs.size(); ++i) {
    SweepTask t;
    t.index = static_cast<std::int64_t>(i);
    t.preset = plan.runs[i].preset;
    t.name = plan.runs[i].config.name;
    t.arch = plan.runs[i].config.model.arch;
    t.seed = plan.runs[i].config.seed;
    t.fixed_run_dir = !plan.runs[i].run_dir.empty();
    if (t.fixed_run_dir) t.run_dir = absolutePath(plan.runs[i].run_dir);
    s.tasks.push_back(t);
  }
  assignPaths(s);
  return s;
}

void writeSweep(Sweep& s, const SweepPlan& plan) {
  std::error_code ec;
  const fs::path parent = fs::path(s.runs_dir) / "sweeps";
  fs::create_directories(parent, ec);
  if (ec) throw InputError({parent.string()}, expectedGot("a writable folder", ec.message()));
  const std::string base = s.id;
  for (int n = 1;; ++n) {
    if (n == 10000) throw InputError({parent.string()}, expectedGot("a free sweep name", "none"));
    const std::string id = n == 1 ? base : base + "-" + std::to_string(n);
    if (fs::create_directory(parent / id, ec)) {  // atomic: another sweep cannot take it too
      s.id = id;
      break;
    }
    if (ec) throw InputError({(parent / id).string()}, expectedGot("a new folder", ec.message()));
  }
  assignPaths(s);
  fs::create_directories(s.dir + "/logs", ec);
  std::map<std::string, std::int64_t> steps;  // one count per data set and recipe
  for (SweepTask& t : s.tasks) {
    RunConfig config = plan.runs[static_cast<std::size_t>(t.index)].config;
    // A node's CPUs are shared: train on the ones the task was given, not on all of the node's.
    if (s.options.cpus_per_task > 0 && config.train.threads == 0)
      config.train.threads = s.options.cpus_per_task;
    writeFileAtomic(t.config, runConfigToJson(config) + "\n");
    const std::string key =
        config.data.task + "|" + config.data.dir + "|" + config.data.format + "|" +
        config.data.tokenizer + "|" + config.data.vocab_dir + "|" +
        std::to_string(config.data.seq_len) + "|" + std::to_string(config.data.max_train_tokens) +
        "|" + std::to_string(config.train.batch_size) + "|" + std::to_string(config.train.epochs) +
        "|" + std::to_string(config.train.max_steps);
    if (!steps.count(key)) steps[key] = estimateTotalSteps(config);
    t.total_steps = steps[key];
  }
  writeFileAtomic(s.script, sbatchScript(s));
  fs::permissions(s.script, fs::perms::owner_exec | fs::perms::group_exec | fs::perms::others_exec,
                  fs::perm_options::add, ec);
  save(s);
}

Sweep readSweep(const std::string& dir_arg) {
  const std::string dir = absolutePath(dir_arg);
  const std::string path = dir + "/sweep.json";
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) {
    throw InputError({dir}, expectedGot("a sweep folder (with sweep.json)", "none there"));
  }
  const Json j = Json::parse(readFileBytes(path), nullptr, false);
  if (!j.is_object() || !j.contains("tasks") || !j["tasks"].is_array()) {
    throw InputError({path}, expectedGot("a sweep's JSON object with tasks", "something else"));
  }
  Sweep s;
  try {
    s.id = j.value("id", "");
    s.task = j.value("task", "");
    s.family = j.value("family", "");
    s.seeds = j.value("seeds", std::int64_t{1});
    s.sets = j.value("sets", std::vector<std::string>{});
    s.created = j.value("created", "");
    s.runs_dir = j.value("runs_dir", "");
    s.gwb = j.value("gwb", "");
    s.script = j.value("script", dir + "/sweep.sbatch");
    s.dir = dir;
    if (j.contains("options") && j["options"].is_object()) {
      const Json& o = j["options"];
      s.options.partition = o.value("partition", "");
      s.options.gres = o.value("gres", "");
      s.options.time = o.value("time", "");
      s.options.account = o.value("account", "");
      s.options.cpus_per_task = o.value("cpus_per_task", std::int64_t{0});
      s.options.mem = o.value("mem", "");
      s.options.setup = o.value("setup", std::vector<std::string>{});
      s.options.grace_s = o.value("grace_s", std::int64_t{120});
    }
    for (const Json& t : j["tasks"]) {
      SweepTask task;
      task.index = t.at("index").get<std::int64_t>();
      task.preset = t.value("preset", "");
      task.name = t.value("name", "");
      task.arch = t.value("arch", "");
      task.seed = t.value("seed", std::int64_t{0});
      task.config = t.at("config").get<std::string>();
      task.run_dir = t.at("run_dir").get<std::string>();
      task.output = t.value("output", dir + "/logs/task-" + std::to_string(task.index) + ".out");
      task.total_steps = t.value("total_steps", std::int64_t{0});
      s.tasks.push_back(task);
    }
    if (j.contains("submissions") && j["submissions"].is_array()) {
      for (const Json& sub : j["submissions"]) {
        s.submissions.push_back(
            {sub.at("job_id").get<std::string>(), sub.value("tasks", ""), sub.value("time", "")});
      }
    }
  } catch (const nlohmann::json::exception& e) {
    throw InputError({path}, expectedGot("the fields of a sweep", e.what()));
  }
  return s;
}

std::string submitSweep(Sweep& s, const std::vector<std::int64_t>& tasks,
                        const ClientOptions& options) {
  const std::vector<std::int64_t> chosen = chosenTasks(s, tasks);
  if (!s.submissions.empty()) {
    // Two jobs must not train one run directory (its lock would fail the second one anyway).
    const SweepStatus now = sweepStatus(s, options, nullptr, /*strict=*/true);
    const std::set<std::int64_t> wanted(chosen.begin(), chosen.end());
    for (const TaskStatus& t : now.tasks) {
      if (wanted.count(t.task.index) && t.state_source == "squeue/scontrol" &&
          !isFinalState(t.state)) {
        throw InputError({s.dir, 0, "task " + std::to_string(t.task.index)},
                         expectedGot("no job of it in the queue",
                                     t.state + " (job " + t.job_id + "); cancel it first"));
      }
    }
  }
  const std::string list = formatIndexList(chosen);
  const std::string job = submitBatch(s.script, {"--array=" + list}, options);
  s.submissions.push_back({job, list, utcNow("%Y-%m-%dT%H:%M:%SZ")});
  save(s);
  return job;
}

std::vector<std::string> cancelSweep(const Sweep& s, const std::vector<std::int64_t>& tasks,
                                     const ClientOptions& options) {
  const std::vector<std::int64_t> chosen = chosenTasks(s, tasks);
  const std::set<std::int64_t> wanted(chosen.begin(), chosen.end());
  const SweepStatus now = sweepStatus(s, options, nullptr, /*strict=*/true);
  std::vector<std::string> ids;
  for (const TaskStatus& t : now.tasks) {
    if (wanted.count(t.task.index) && t.state_source == "squeue/scontrol" &&
        !isFinalState(t.state)) {
      ids.push_back(t.job_id);
    }
  }
  cancelJobs(ids, options);
  return ids;
}

std::string submittedJson(const Sweep& s, const std::string& job_id, std::size_t tasks,
                          int indent) {
  Json j;
  j["sweep_dir"] = s.dir;
  j["job_id"] = job_id.empty() ? Json() : Json(job_id);
  j["tasks"] = tasks;
  j["script"] = s.script;
  return j.dump(indent);
}

}  // namespace gwb::cluster
