// `gwb study plan|run|status|report` (CONTRACTS, SPEC §9): which switch moves the gap between the
// architectures, from recipe A to recipe B, with paired seeds. plan prints the cells and what
// would train; run writes <runs>/studies/<id>/study.json, trains only the runs that no finished
// run of the same hash and seed already holds (here N at a time, or as a SLURM job array through
// the sweep machinery) and prints the report (JSON on stdout, the Markdown tables on stderr);
// status lists the cells' runs; report prints the tables as Markdown, CSV, JSON or LaTeX.
#include <chrono>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <memory>

#include "app/cli/cli_common.h"
#include "app/cli/local_queue.h"
#include "app/cli/speedrun_cluster.h"
#include "engine/cluster/sweep.h"
#include "engine/study/study_report.h"
#include "engine/train/footprint.h"
#include "engine/util/error.h"
#include "engine/util/paths.h"

namespace gwb::cli {
namespace {

namespace fs = std::filesystem;

struct StudyOptions {
  std::vector<std::string> args;  // DESIGN A B, or (run, status, report) STUDY_DIR
  std::string order, switches;
  int orders = 1, fraction = 0, seeds = 3;
  std::string scale = "full";
  std::int64_t steps = 600;
  std::vector<std::string> sets;
  std::string runs;
  std::string jobs = "1";
  BackendOptions backend;
  bool markdown = false, csv = false, json = false, latex = false;
};

study::StudyRequest requestOf(const StudyOptions& o) {
  if (o.args.size() != 3)
    throw InputError({"", 0, "DESIGN A B"},
                     expectedGot("a design (path or factorial) and two recipes or configurations",
                                 std::to_string(o.args.size()) + " arguments"));
  study::StudyRequest r;
  r.design = o.args[0];
  r.a = o.args[1];
  r.b = o.args[2];
  r.order = splitList(o.order);
  r.orders = o.orders;
  r.switches = splitList(o.switches);
  r.fraction = o.fraction;
  r.seeds = o.seeds;
  r.scale = o.scale;
  r.steps = o.steps;
  r.sets = o.sets;
  if (r.design == "path" && !r.switches.empty())
    throw InputError({"", 0, "--switches"}, "is for a factorial; a path takes --order");
  if (r.design == "factorial" && (!r.order.empty() || r.orders != 1))
    throw InputError({"", 0, "--order"}, "is for a path; a factorial takes --switches");
  return r;
}

/// Whether the runs will train on a CUDA device: the hash holds the resolved precision.
bool trainsOnCuda(const StudyOptions& o, const std::string& device) {
  if (usesClusterBackend(o.backend)) return o.backend.cluster.gres.find("gpu") != std::string::npos;
  return deviceCapacity(device).cuda;
}

study::Study planned(const StudyOptions& o, std::int64_t now) {
  const study::StudyRequest request = requestOf(o);
  // The hash depends on the device only through the precision: plan once on the CPU's answer,
  // then again if the device says otherwise.
  study::StudyPlan plan = study::planStudy(request, false);
  if (trainsOnCuda(o, plan.a.grassmann.train.device)) plan = study::planStudy(request, true);
  const study::RunIndex index(runsDir(o.runs));
  return study::assignRuns(plan, runsDir(o.runs), study::studyId(plan, now), index);
}

/// The report: `format` "json" on stdout (what `gwb study run` ends with, and scripts read), else
/// the chosen text format on stdout; warnings on stderr.
int printReport(const study::Study& s, const std::string& format) {
  const study::StudyReport report = study::buildStudyReport(s);
  if (format == "json") {
    std::cout << study::reportJson(report) << "\n";
  } else if (format == "csv") {
    std::cout << study::reportCsv(report);
  } else if (format == "latex") {
    std::cout << study::reportLatex(report);
  } else {
    std::cout << study::reportMarkdown(report);
  }
  std::cout << std::flush;
  for (const std::string& w : report.warnings) progress("warning: " + w);
  return kExitOk;
}

int runPlan(const StudyOptions& o) {
  const study::Study s = planned(o, std::time(nullptr));
  const study::RunIndex index(runsDir(o.runs));
  const std::vector<study::RunToTrain> to_train = study::runsToTrain(s);
  printJson(
      nlohmann::ordered_json::parse(study::planJson(s, study::estimateSeconds(to_train, index))));
  return kExitOk;
}

int runStudy(const StudyOptions& o) {
  study::Study s;
  if (o.args.size() == 1) {  // a study folder: train what is unfinished
    s = study::readStudy(o.args[0]);
    for (const std::string& w : s.warnings) progress("warning: " + w);
  } else {
    s = planned(o, std::time(nullptr));
    const std::string base = s.dir;
    for (int n = 2; fs::exists(s.dir); ++n) s.dir = base + "-" + std::to_string(n);  // same second
    s.id = fs::path(s.dir).filename().string();
  }
  std::vector<study::RunToTrain> to_train = study::runsToTrain(s);
  const study::RunCounts counts = study::countRuns(s);
  progress("study " + s.id + ": " + std::to_string(s.plan.cells.size()) + " cells, " +
           std::to_string(counts.total) + " runs: " + std::to_string(counts.reused) + " reused, " +
           std::to_string(counts.finished) + " finished, " + std::to_string(to_train.size()) +
           " to train");

  if (usesClusterBackend(o.backend)) {
    SweepPlan plan;
    plan.task = "wikitext2";
    plan.family = "study";
    for (const study::RunToTrain& r : to_train)
      plan.runs.push_back({"study " + r.cell, r.config, s.dir + "/study.json", r.dir});
    study::writeStudy(s);
    progress("wrote " + s.dir + "/study.json");
    if (plan.runs.empty()) return printReport(s, "json");
    cluster::Sweep sweep =
        cluster::makeSweep(plan, s.runs_dir, o.backend.cluster, executableDir() + "/gwb");
    cluster::writeSweep(sweep, plan);
    const std::string job = cluster::submitSweep(sweep, {});
    progress("submitted job " + job + " (" + std::to_string(sweep.tasks.size()) +
             " runs); follow it with: gwb study status " + s.dir);
    printJson(
        nlohmann::ordered_json::parse(cluster::submittedJson(sweep, job, sweep.tasks.size())));
    return kExitOk;
  }

  std::vector<QueuedRun> queue;
  std::vector<TrainRequest> requests;
  for (const study::RunToTrain& r : to_train) {
    QueuedRun q;
    q.request.config = r.config;
    q.request.source = s.dir + "/study.json: cell " + r.cell;
    q.request.run_dir = r.dir;
    q.label = "cell " + r.cell + " " + r.arch + " s" + std::to_string(r.seed);
    requests.push_back(q.request);
    queue.push_back(q);
  }
  const std::int64_t jobs = decideLocalJobs(o.jobs, requests, /*estimate_only=*/false);
  study::writeStudy(s);  // before training: a study stopped half-way resumes from it
  progress("wrote " + s.dir + "/study.json");
  const auto start = std::chrono::steady_clock::now();
  const QueueResult result = trainLocally(queue, jobs);
  progress("study trained " + std::to_string(to_train.size()) + " runs in " +
           durationText(
               std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()));
  progress("report (gwb study report " + s.dir + "):\n" +
           study::reportMarkdown(study::buildStudyReport(s)));
  printReport(s, "json");
  if (result.stopped) return kExitStopped;
  return result.failed ? kExitFailed : kExitOk;
}

int runStatus(const StudyOptions& o) {
  if (o.args.size() != 1)
    throw InputError({"", 0, "STUDY_DIR"},
                     expectedGot("one study folder", std::to_string(o.args.size()) + " arguments"));
  const study::Study s = study::readStudy(o.args[0]);
  nlohmann::ordered_json out;
  out["study_dir"] = s.dir;
  out["design"] = s.plan.request.design;
  out["scale"] = s.plan.request.scale;
  std::map<std::string, int> states;
  nlohmann::ordered_json cells = nlohmann::ordered_json::array();
  std::map<std::string, std::string> seen;
  for (std::size_t c = 0; c < s.plan.cells.size(); ++c) {
    nlohmann::ordered_json runs = nlohmann::ordered_json::array();
    for (const study::CellRun& run : s.runs[c]) {
      nlohmann::ordered_json r;
      r["seed"] = run.seed;
      for (const std::string& arch : study::studyArchs()) {
        const std::string& dir = run.dir(arch);
        std::string state = "missing";
        std::int64_t step = 0;
        if (fs::exists(dir + "/config.json")) {
          const RunRecord record = readRun(dir);
          state = statusName(record.status);
          step = record.numbers.step();
        } else if (!fs::exists(dir)) {
          state = "not started";
        }
        r[arch] = {
            {"run_dir", dir}, {"state", state}, {"step", step}, {"reused", run.reused(arch)}};
        if (seen.emplace(dir, state).second) ++states[state];
      }
      runs.push_back(r);
    }
    cells.push_back({{"id", s.plan.cells[c].id}, {"runs", runs}});
  }
  out["cells"] = cells;
  out["states"] = states;
  out["warnings"] = s.warnings;
  printJson(out);
  return kExitOk;
}

int runReport(const StudyOptions& o) {
  if (o.args.size() != 1)
    throw InputError({"", 0, "STUDY_DIR"},
                     expectedGot("one study folder", std::to_string(o.args.size()) + " arguments"));
  if (o.markdown + o.csv + o.json + o.latex > 1)
    throw InputError({"", 0, "--markdown|--csv|--json|--latex"}, "expected one format");
  return printReport(study::readStudy(o.args[0]), o.csv     ? "csv"
                                                  : o.json  ? "json"
                                                  : o.latex ? "latex"
                                                            : "markdown");
}

void addDesignOptions(CLI::App* cmd, StudyOptions& o) {
  cmd->add_option("--order", o.order,
                  "path: the groups in order, e.g. block,mixer,init (default SPEC §9's order)");
  cmd->add_option("--orders", o.orders, "path: walk K orders (given, reverse, then random)");
  cmd->add_option("--switches", o.switches, "factorial: groups or keys, e.g. block,init,optimizer");
  cmd->add_option("--fraction", o.fraction,
                  "factorial: p of a 2^(k-p) fraction (resolution >= IV)");
  cmd->add_option("--seeds", o.seeds, "Seeds per cell, the same in every cell (default 3)");
  cmd->add_option("--scale", o.scale, "full (the recipes' sizes), small or cpu (default full)");
  cmd->add_option("--steps", o.steps, "cpu scale: steps per run (default 600)");
  cmd->add_option("--set", o.sets, "Override a key in every configuration: a.b=VALUE");
  cmd->add_option("--runs", o.runs, "Runs folder (default $GWB_RUNS_DIR, else ./runs)");
}

}  // namespace

void addStudyCommand(CLI::App& app, Action& action) {
  auto o = std::make_shared<StudyOptions>();
  CLI::App* study = app.add_subcommand(
      "study", "Which switch moves the Grassmann-Transformer gap: plan, run, status, report");
  study->require_subcommand(1);
  CLI::App* plan = study->add_subcommand("plan", "Print a study's cells and runs; create nothing");
  plan->add_option("DESIGN A B", o->args, "path|factorial, then two recipes or configurations")
      ->required();
  addDesignOptions(plan, *o);
  plan->callback([o, &action] { action = [o] { return runPlan(*o); }; });

  CLI::App* run = study->add_subcommand(
      "run", "Train a study's missing runs and report it (DESIGN A B, or a study folder)");
  run->add_option("ARGS", o->args, "path|factorial A B, or STUDY_DIR to finish one")->required();
  addDesignOptions(run, *o);
  run->add_option("--jobs", o->jobs, "Runs at a time here, or auto (default 1)");
  addBackendOptions(run, o->backend);
  run->callback([o, &action] { action = [o] { return runStudy(*o); }; });

  CLI::App* status = study->add_subcommand("status", "The cells of a study and their runs' states");
  status->add_option("STUDY_DIR", o->args, "<runs>/studies/<id>")->required();
  status->callback([o, &action] { action = [o] { return runStatus(*o); }; });

  CLI::App* report = study->add_subcommand("report", "A study's tables");
  report->add_option("STUDY_DIR", o->args, "<runs>/studies/<id>")->required();
  report->add_flag("--markdown", o->markdown, "Markdown (the default)");
  report->add_flag("--csv", o->csv, "CSV, long form");
  report->add_flag("--json", o->json, "JSON (CONTRACTS)");
  report->add_flag("--latex", o->latex, "LaTeX tables (booktabs)");
  report->callback([o, &action] { action = [o] { return runReport(*o); }; });
}

}  // namespace gwb::cli
