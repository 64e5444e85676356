// `gwb report RUN_DIR... [--markdown|--csv|--json|--latex]`: one row per configuration (seeds
// grouped as mean ± std) with each run's status and step, beside the reported numbers (its own
// recipe's first) with the gap in % (Wikitext-2) or in points (SNLI, its own table). JSON unless a
// format is asked for. A folder of runs may be given instead of the runs themselves.
#include <filesystem>
#include <iostream>
#include <memory>

#include "app/cli/cli_common.h"
#include "engine/report/report.h"
#include "engine/report/snli_report.h"
#include "engine/runs/run_folder.h"
#include "engine/util/error.h"
#include "engine/util/paths.h"

namespace fs = std::filesystem;

namespace gwb::cli {
namespace {

struct ReportOptions {
  std::vector<std::string> dirs;
  bool markdown = false, csv = false, json = false, latex = false;
};

// Run directories, or every run directory of a folder of runs (the run store reads them).
std::vector<RunRecord> collect(const std::vector<std::string>& dirs) {
  std::vector<RunRecord> runs;
  for (const std::string& d : dirs) {
    const std::string dir = absolutePath(d);
    if (fs::is_regular_file(fs::path(dir) / "config.json")) {
      runs.push_back(readRun(dir));
      continue;
    }
    std::vector<RunRecord> children = readRunFolder(dir);
    if (children.empty())
      throw InputError({dir}, expectedGot("a run directory or a folder of runs", "neither"));
    for (RunRecord& c : children) runs.push_back(std::move(c));
  }
  for (const RunRecord& r : runs) {
    if (!r.config)
      throw InputError({r.dir + "/config.json"}, expectedGot("a configuration", r.problem));
  }
  return runs;
}

int run(const ReportOptions& o) {
  if (o.markdown + o.csv + o.json + o.latex > 1) {
    throw InputError({"", 0, "gwb report"},
                     expectedGot("one of --markdown, --csv, --json, --latex", "several"));
  }
  const std::vector<RunRecord> runs = collect(o.dirs);
  const ReportedNumbers& reported = reportedNumbers();
  const auto rows = buildReport(runs, reported.wikitext2);
  const auto snli = buildSnliReport(runs, reported.snli);
  if (o.markdown) {
    std::cout << combinedMarkdown(rows, snli);
  } else if (o.csv) {
    std::cout << combinedCsv(rows, snli);
  } else if (o.latex) {
    std::cout << combinedLatex(rows, snli);
  } else {
    std::cout << combinedJson(rows, snli) << "\n";
  }
  std::cout << std::flush;
  return kExitOk;
}

}  // namespace

void addReportCommand(CLI::App& app, Action& action) {
  auto o = std::make_shared<ReportOptions>();
  CLI::App* cmd = app.add_subcommand("report", "Compare runs with the paper and the reproductions");
  cmd->add_option("RUN_DIR", o->dirs, "Run directories (or folders of runs)")->required();
  cmd->add_flag("--markdown", o->markdown, "Markdown table");
  cmd->add_flag("--csv", o->csv, "CSV");
  cmd->add_flag("--json", o->json, "JSON (the default)");
  cmd->add_flag("--latex", o->latex, "LaTeX tabular");
  cmd->callback([o, &action] { action = [o] { return run(*o); }; });
}

}  // namespace gwb::cli
