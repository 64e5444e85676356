// `gwb report` and the comparison view's numbers: runs read from their directories, grouped by
// configuration (runs that differ only in name and seed form one row: mean ± std), with the
// paper's and the reproductions' reported numbers for the same (arch, n_layers, seq_len,
// tokenizer) and the gap in %. Output as Markdown, CSV, JSON or LaTeX. Torch-free.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/config/run_config.h"
#include "engine/train/events.h"

namespace gwb {

/// A run directory as read back: its configuration and, if it has one, its summary.
struct RunRecord {
  std::string dir;
  RunConfig config;
  RunSummary summary;
  bool has_summary = false;
  bool in_progress = false;  ///< still training: its numbers are its evaluations so far
};
/// Reads config.json and summary.json of `dir`. InputError if it is not a run directory.
RunRecord readRunRecord(const std::string& dir);

/// One reported number (SPEC §5).
struct ReportedNumber {
  std::string source;  ///< "paper", "reproduction", "arledge"
  std::string label;   ///< e.g. "paper, Table 1"
  std::string metric;  ///< "valid_ppl" or "test_ppl"
  std::string tokenizer;
  std::int64_t n_layers = 0;
  std::int64_t seq_len = 0;
  std::vector<std::int64_t> windows;  ///< the schedule, when the source names one
  double transformer = 0, grassmann = 0;

  double value(const std::string& arch) const {
    return arch == "transformer" ? transformer : grassmann;
  }
};
/// Loads resources/reported_numbers.json (the "wikitext2" rows).
std::vector<ReportedNumber> loadReportedNumbers(const std::string& path);
/// The rows of `source` that match a configuration: (arch, n_layers, seq_len, tokenizer); where a
/// source lists several schedules, the one whose windows equal the run's, else the first.
std::optional<ReportedNumber> matchReported(const std::vector<ReportedNumber>& numbers,
                                            const std::string& source, const RunConfig& config);

/// Mean and sample standard deviation (0 for one value).
struct Stat {
  double mean = 0, std = 0;
  int n = 0;
};
Stat statOf(const std::vector<double>& values);

struct ReportRow {
  std::string arch;
  std::int64_t n_layers = 0, seq_len = 0;
  std::string tokenizer;
  std::string name;  ///< the first run's name, without a seed suffix
  std::int64_t params = 0;
  std::vector<std::int64_t> seeds;
  std::vector<std::string> run_dirs;
  int in_progress = 0;  ///< runs of the row still training (their numbers are so far)
  Stat best_valid_ppl, test_ppl, tokens_per_s;
  struct Reference {
    std::string source, label, metric;
    double value = 0;
    double gap_percent = 0;  ///< (ours - reported) / reported x 100, on the same metric
  };
  std::vector<Reference> references;
};

/// The configuration without what does not change the experiment (name, description, seed,
/// device, threads): runs with equal keys are seeds of one configuration.
std::string configGroupKey(const RunConfig& config);
/// "grassmann N6 L256 bert": how tables and charts name a row's configuration.
std::string configLabel(const std::string& arch, std::int64_t n_layers, std::int64_t seq_len,
                        const std::string& tokenizer);

/// Groups runs by configuration and attaches the reported numbers.
std::vector<ReportRow> buildReport(const std::vector<RunRecord>& runs,
                                   const std::vector<ReportedNumber>& numbers);

std::string reportMarkdown(const std::vector<ReportRow>& rows);
std::string reportCsv(const std::vector<ReportRow>& rows);
std::string reportJson(const std::vector<ReportRow>& rows, int indent = -1);
std::string reportLatex(const std::vector<ReportRow>& rows);

}  // namespace gwb
