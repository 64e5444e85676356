// The numbers the paper and the reproductions published (resources/reported_numbers.json, SPEC §5
// and §8), and which of them belong beside a run: one loader and one matching rule for the
// Monitor's dashed lines, Compare, `gwb report` and the exports. Torch-free, Qt-free.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "engine/config/run_config.h"

namespace gwb {

/// One reported Wikitext-2 row.
struct ReportedNumber {
  std::string source;  ///< "paper", "reproduction", "arledge", "kanenorman", "youdie006", "grasslm"
  std::string recipe;  ///< the recipe (SPEC §8) it belongs to: "paper", "reference", ...
  std::string label;   ///< e.g. "paper, Table 1"
  std::string metric;  ///< "valid_ppl" or "test_ppl"
  std::string tokenizer;
  std::int64_t n_layers = 0;
  std::int64_t seq_len = 0;
  std::vector<std::int64_t> windows;             ///< the schedule, when the source names one
  std::optional<double> transformer, grassmann;  ///< absent where the source has no such model

  /// The number for an architecture, if the source reported one.
  std::optional<double> value(const std::string& arch) const {
    return arch == "transformer" ? transformer : grassmann;
  }
};

/// One reported SNLI row, percent.
struct ReportedSnli {
  std::string source;  ///< "paper", "reproduction"
  std::string label;
  std::string backbone = "distilbert";
  std::string head_variant = "paper";
  struct Numbers {
    double val = 0, test = 0;
    std::vector<double> test_per_class;  ///< E / N / C, empty if not reported
  };
  Numbers transformer, grassmann;
  const Numbers& of(const std::string& arch) const {
    return arch == "transformer" ? transformer : grassmann;
  }
};

/// Everything the file holds.
struct ReportedNumbers {
  std::vector<ReportedNumber> wikitext2;
  std::vector<ReportedSnli> snli;
};

/// Reads the file; InputError naming the file and the row on a malformed one.
ReportedNumbers loadReportedNumbers(const std::string& path);
/// The workbench's own file (resources/reported_numbers.json), read once; empty rows (and the
/// error kept in `error`) if it cannot be read.
const ReportedNumbers& reportedNumbers(std::string* error = nullptr);

/// A reported number beside a run.
struct ReportedMatch {
  ReportedNumber number;
  double value = 0;         ///< for the run's architecture
  bool own_recipe = false;  ///< the number of the recipe the run's configuration names
};
/// The Wikitext-2 numbers reported for a configuration: the same n_layers, seq_len and tokenizer,
/// and a number for its architecture; where a source lists several schedules for one recipe and
/// metric, the one whose windows equal the run's, else the first. The run's own recipe first (the
/// configuration's `recipe`), then the file's order.
std::vector<ReportedMatch> matchReported(const std::vector<ReportedNumber>& numbers,
                                         const RunConfig& config);
/// The SNLI row for a configuration: same backbone and head_variant, if any.
std::optional<ReportedSnli> matchReportedSnli(const std::vector<ReportedSnli>& numbers,
                                              const RunConfig& config);

/// "ours (v1, not the recipe's corpus)"-style mark for a run of a recipe on the tokenized v1
/// where its reproduction trained on the raw corpus (config.json's provenance corpus "v1"); ""
/// otherwise.
std::string corpusMark(const std::string& corpus);

}  // namespace gwb
