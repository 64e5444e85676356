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
#include "app/cli/speedrun_cluster.h"
#include "app/cli/train_support.h"
#include "engine/config/presets.h"
#include "engine/config/sweep_plan.h"
#include "engine/report/report.h"
#include "engine/report/snli_report.h"
#include "engine/train/footprint.h"
#include "engine/train/scheduler.h"
#include "engine/util/error.h"
#include "engine/util/paths.h"

namespace gwb::cli {
namespace {

using Clock = std::chrono::steady_clock;

struct SpeedrunOptions {
  std::string task;
  std::string family;  ///< "": the task's default
  std::int64_t seeds = 1;
  std::string jobs = "1";
  bool dry_run = false;
  std::string runs;
  std::vector<std::string> sets;
  BackendOptions backend;
};

std::string duration(double seconds) {
  char buf[32];
  const long s = static_cast<long>(seconds + 0.5);
  std::snprintf(buf, sizeof buf, "%ldh%02ldm%02lds", s / 3600, (s / 60) % 60, s % 60);
  return buf;
}

int run(const SpeedrunOptions& o) {
  if (usesClusterBackend(o.backend)) {
    return runClusterSpeedrun({o.task, o.family, o.seeds, o.sets}, o.backend, o.runs, o.dry_run);
  }
  if (o.task != "wikitext2" && o.task != "wikitext" && o.task != "snli") {
    throw InputError({"", 0, "TASK"}, expectedGot("wikitext2 or snli", "\"" + o.task + "\""));
  }
  if (o.seeds < 1)
    throw InputError({"", 0, "--seeds"}, expectedGot("a positive count", std::to_string(o.seeds)));
  std::int64_t jobs = 1;
  if (o.jobs != "auto") {
    try {
      jobs = std::stoll(o.jobs);
    } catch (const std::exception&) {
      jobs = 0;
    }
    if (jobs < 1)
      throw InputError({"", 0, "--jobs"},
                       expectedGot("a positive count or auto", "\"" + o.jobs + "\""));
  }
  const SweepPlan sweep = planSweep({o.task, o.family, o.seeds, o.sets});
  const std::vector<PlannedRun>& runs = sweep.runs;
  // --jobs auto: the scheduler: one run at a time on a CPU; on a GPU as many as the free memory
  // holds given the largest measured footprint (estimated from the shapes in a dry run).
  std::vector<std::int64_t> footprints;
  DeviceCapacity capacity;
  if (o.jobs == "auto") {
    capacity = deviceCapacity(runs.front().config.train.device);
    std::map<std::string, std::int64_t> measured;  // one measurement per configuration
    for (const PlannedRun& r : runs) {
      RunConfig c = prepareConfig(r.config, r.source).config;
      const std::string key = configGroupKey(c);
      if (!measured.count(key)) {
        const bool bf16 = usesBf16(c.train, capacity.cuda);
        if (o.dry_run || !capacity.cuda) {
          measured[key] = estimateFootprint(c, bf16);
        } else {
          try {
            measured[key] = measureFootprint(c);
          } catch (const std::exception& e) {  // the sweep goes on with the shapes' estimate
            measured[key] = estimateFootprint(c, bf16);
            progress("--jobs auto: measuring " + c.name + " failed (" + e.what() +
                     "); using the estimate from its shapes");
          }
        }
      }
      footprints.push_back(measured[key]);
    }
    jobs = decideJobs(capacity, footprints);
    progress("--jobs auto: " + std::to_string(jobs) + " at a time (" +
             (capacity.cuda ? "CUDA, " + std::to_string(capacity.free_bytes >> 20) + " MiB free"
                            : std::string("CPU")) +
             ", largest footprint " +
             std::to_string(*std::max_element(footprints.begin(), footprints.end()) >> 20) +
             " MiB)");
  }
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
  installStopHandlers();
  std::mutex mutex;
  std::size_t next = 0, done = 0;
  double spent = 0;
  std::vector<std::string> dirs(runs.size());
  bool stopped = false, failed = false;
  const auto start = Clock::now();
  const auto worker = [&] {
    for (;;) {
      std::size_t index;
      {
        std::lock_guard<std::mutex> lock(mutex);
        if (next == runs.size() || stopFlag().load()) return;
        index = next++;
      }
      const PlannedRun& planned = runs[index];
      const std::string prefix = "[" + std::to_string(index + 1) + "/" +
                                 std::to_string(runs.size()) + " " + planned.config.name + "] ";
      TrainRequest request;
      request.config = planned.config;
      request.source = planned.source;
      request.runs_dir = runsDir(o.runs);
      request.stop = &stopFlag();
      ProgressPrinter printer(prefix, /*print_run_dir=*/false, /*interval_s=*/30);
      const auto t0 = Clock::now();
      TrainOutcome outcome;
      try {
        outcome = runTraining(request, printer);
      } catch (const std::exception& e) {
        outcome.summary.status = "failed";
        outcome.summary.error = e.what();
      }
      const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
      std::lock_guard<std::mutex> lock(mutex);
      dirs[index] = outcome.run_dir;
      stopped |= outcome.summary.status == "stopped";
      failed |= outcome.summary.status == "failed";
      ++done;
      spent += seconds;
      const double eta = spent / static_cast<double>(done) *
                         static_cast<double>(runs.size() - done) /
                         static_cast<double>(std::min<std::size_t>(
                             jobs, std::max<std::size_t>(1, runs.size() - done)));
      // A run stopped or failed before its first evaluation has no perplexity yet (0 in the
      // summary); a stopped sweep starts nothing more, so it has no ETA.
      const auto number = [](double v, double scale, const char* unit) {
        char text[32];
        std::snprintf(text, sizeof text, "%.2f%s", v * scale, unit);
        return v > 0 ? std::string(text) : std::string("-");
      };
      const RunSummary& s = outcome.summary;
      const std::string measured =
          s.task == "snli" ? ", best valid accuracy " + number(s.best_valid_accuracy, 100, "%") +
                                 ", test accuracy " + number(s.test_accuracy, 100, "%")
                           : ", best valid ppl " + number(s.best_valid_ppl, 1, "") + ", test ppl " +
                                 number(s.test_ppl, 1, "");
      const std::string line = prefix + s.status + " in " + duration(seconds) + measured + "; " +
                               std::to_string(done) + "/" + std::to_string(runs.size()) + " done" +
                               (stopFlag().load() ? "" : ", ETA " + duration(eta));
      progress(outcome.summary.error.empty() ? line : line + " (" + outcome.summary.error + ")");
    }
  };
  std::vector<std::thread> threads;
  for (std::int64_t j = 0; j < std::min<std::int64_t>(jobs, static_cast<std::int64_t>(runs.size()));
       ++j) {
    threads.emplace_back(worker);
  }
  for (std::thread& t : threads) t.join();
  progress("speedrun done in " +
           duration(std::chrono::duration<double>(Clock::now() - start).count()));
  std::vector<RunRecord> records;
  for (const std::string& d : dirs) {
    if (!d.empty()) records.push_back(readRunRecord(d));
  }
  std::cout << combinedJson(buildReport(records, loadReportedNumbers(reportedNumbersPath())),
                            buildSnliReport(records, loadReportedSnli(reportedNumbersPath())))
            << "\n"
            << std::flush;
  if (stopped || stopFlag().load()) return kExitStopped;
  return failed ? kExitFailed : kExitOk;
}

}  // namespace

void addSpeedrunCommand(CLI::App& app, Action& action) {
  auto o = std::make_shared<SpeedrunOptions>();
  CLI::App* cmd = app.add_subcommand("speedrun", "Train a preset family's sweep and report it");
  cmd->add_option("TASK", o->task, "wikitext2 or snli")->required();
  cmd->add_option("--preset-family", o->family,
                  "wikitext2: reference (default), paper, paper-perlayer, arledge or cpu-small; "
                  "snli: scratch (default), paper, reference or cpu-small");
  cmd->add_option("--seeds", o->seeds, "Seeds per configuration (default 1)");
  cmd->add_option("--jobs", o->jobs, "Runs at a time, or auto (default 1)");
  cmd->add_flag("--dry-run", o->dry_run, "Print the plan only");
  cmd->add_option("--runs", o->runs, "Runs folder (default $GWB_RUNS_DIR, else ./runs)");
  cmd->add_option("--set", o->sets, "Override a key in every run: a.b=VALUE");
  addBackendOptions(cmd, o->backend);
  cmd->callback([o, &action] { action = [o] { return run(*o); }; });
}

}  // namespace gwb::cli
