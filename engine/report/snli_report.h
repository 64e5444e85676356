// The SNLI table of `gwb report`, the comparison view and the exports (CONTRACTS.md): one row per
// configuration (seeds grouped: mean ± std) with its family (trained from scratch, the paper's
// heads or the reference's heads on a frozen DistilBERT), architecture, trained and frozen
// parameters, best validation accuracy, test accuracy and per-class test accuracy, beside the
// reported numbers matched on (backbone, head_variant, architecture) with the gap in points.
// Accuracies are percent here (fractions in events and summaries). Torch-free.
#pragma once

#include <array>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "engine/report/report.h"
#include "engine/runs/reported.h"

namespace gwb {

/// "scratch", "paper heads" or "reference heads (degenerate: Plücker(z, z) = 0)".
std::string snliFamily(const RunConfig& config);

struct SnliReportRow {
  std::string family, arch, tokenizer, pair_encoding, pooling;
  std::string name;
  std::int64_t params = 0, frozen = 0;
  std::vector<std::int64_t> seeds;
  std::vector<std::string> run_dirs;
  std::vector<std::string> statuses;  ///< per run: running, finished, stopped, failed, killed
  std::vector<std::int64_t> steps;    ///< per run: optimizer steps done
  int not_finished = 0;               ///< runs whose numbers are their latest, not their final
  Stat best_valid_accuracy, test_accuracy;  ///< percent
  std::array<Stat, 3> test_per_class;       ///< percent, E / N / C
  struct Reference {
    std::string source, label;
    double val = 0, test = 0;              ///< percent
    std::vector<double> test_per_class;    ///< percent, may be empty
    double gap_val = NAN, gap_test = NAN;  ///< ours - reported, points
  };
  std::vector<Reference> references;
};

/// Groups the SNLI runs among `runs` by configuration and attaches the reported numbers.
std::vector<SnliReportRow> buildSnliReport(const std::vector<RunRecord>& runs,
                                           const std::vector<ReportedSnli>& numbers);

/// The SNLI comparison's bars: per row its test accuracy overall and per class, ours beside each
/// source's number, percent (NaN where a source has none).
struct SnliComparisonBars {
  std::vector<std::string> categories;      ///< per row: "<arch> <family>", then "E", "N", "C"
  std::vector<std::string> parts;           ///< per category: "all", "entailment", ...
  std::vector<std::string> sources;         ///< "ours", "paper", "reproduction"
  std::vector<std::vector<double>> values;  ///< [source][category]
};
SnliComparisonBars snliComparisonBars(const std::vector<SnliReportRow>& rows);

std::string snliReportMarkdown(const std::vector<SnliReportRow>& rows);
std::string snliReportCsv(const std::vector<SnliReportRow>& rows);
std::string snliReportLatex(const std::vector<SnliReportRow>& rows);
/// The rows as JSON objects (each with "task": "snli").
std::string snliReportJson(const std::vector<SnliReportRow>& rows, int indent = -1);

/// Both tables: markdown and LaTeX one table per task; CSV one table with a `task` column (the
/// union of both tables' columns); JSON one array whose rows carry `task`.
std::string combinedMarkdown(const std::vector<ReportRow>& lm,
                             const std::vector<SnliReportRow>& snli);
std::string combinedLatex(const std::vector<ReportRow>& lm, const std::vector<SnliReportRow>& snli);
std::string combinedCsv(const std::vector<ReportRow>& lm, const std::vector<SnliReportRow>& snli);
std::string combinedJson(const std::vector<ReportRow>& lm, const std::vector<SnliReportRow>& snli,
                         int indent = -1);

}  // namespace gwb
