// `gwb report` and the comparison view's numbers: runs read from their directories (run_reader.h),
// grouped by configuration (runs that differ only in name and seed form one row: mean ± std),
// each row with its recipe, corpus, the status and step of its runs (a run not finished is marked
// and its numbers are its latest), and the reported numbers for the same (arch, n_layers, seq_len,
// tokenizer), its own recipe's first, with the gap in %. Grassmann–Transformer pairs get their gap
// too: at the best when every run finished, else at the latest validation step all of them have.
// Output as Markdown, CSV, JSON or LaTeX. Torch-free.
#pragma once

#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/config/run_config.h"
#include "engine/runs/reported.h"
#include "engine/runs/run_reader.h"

namespace gwb {

/// Mean and sample standard deviation (0 for one value) of the values present; mean NaN when
/// there are none.
struct Stat {
  double mean = NAN, std = 0;
  int n = 0;
};
Stat statOf(const std::vector<std::optional<double>>& values);
Stat statOf(const std::vector<double>& values);

/// The configuration without what does not change the experiment (name, description, seed,
/// device, threads): runs with equal keys are seeds of one configuration.
std::string configGroupKey(const RunConfig& config);
/// "grassmann N6 L256 bert": how tables and charts name a row's configuration.
std::string configLabel(const std::string& arch, std::int64_t n_layers, std::int64_t seq_len,
                        const std::string& tokenizer);

struct ReportRow {
  std::string recipe;  ///< the configuration's recipe ("": none)
  std::string arch;
  std::int64_t n_layers = 0, seq_len = 0;
  std::string tokenizer;
  std::string corpus;  ///< a recipe's Wikitext-2: "raw", "v1" (not the recipe's corpus) or ""
  std::string name;    ///< the first run's name, without a seed suffix
  std::int64_t params = 0;
  std::vector<std::int64_t> seeds;
  std::vector<std::string> run_dirs;
  std::vector<std::string> statuses;  ///< per run: running, finished, stopped, failed, killed
  std::vector<std::int64_t> steps;    ///< per run: optimizer steps done
  int not_finished = 0;               ///< runs whose numbers are their latest, not their final
  int in_progress = 0;                ///< of those, runs training now
  Stat best_valid_ppl, best_valid_loss, test_ppl;
  Stat tokens_per_s;  ///< the recent training rate of each run
  struct Reference {
    std::string source, recipe, label, metric;
    double value = 0;
    double gap_percent = 0;  ///< (ours - reported) / reported x 100, on the same metric
    bool own_recipe = false;
  };
  std::vector<Reference> references;  ///< its own recipe's first

  /// "finished", or e.g. "2 of 3 not finished (running at step 181)".
  std::string statusText() const;
};

/// Groups the Wikitext-2 runs by configuration and attaches the reported numbers.
std::vector<ReportRow> buildReport(const std::vector<RunRecord>& runs,
                                   const std::vector<ReportedNumber>& numbers);

/// A Grassmann row and a Transformer row of one experiment: the same configuration but for the
/// architecture and the keys of one architecture.
struct PairGap {
  std::size_t grassmann = 0, transformer = 0;  ///< rows
  double gap_percent = 0;                      ///< PPL(Grassmann) / PPL(Transformer) - 1, x 100
  /// Set when a run of the pair has not finished: the latest validation step every run of both
  /// rows has, at which the gap is taken (else at each run's best).
  std::optional<std::int64_t> common_step;
  std::string note;  ///< what the gap is measured at, for people
  struct Reported {
    std::string label;
    double gap_percent = 0;
  };
  std::vector<Reported> reported;  ///< the same gap in each source that reported both
};
/// The Grassmann–Transformer gaps of `rows` (built from `runs`).
std::vector<PairGap> pairGaps(const std::vector<ReportRow>& rows,
                              const std::vector<RunRecord>& runs);

/// The comparison's bars: per row its best validation perplexity and the reported numbers by
/// source (NaN where a source has none), in the order sourceStyles() lists them.
struct ComparisonBars {
  std::vector<std::string> categories;      ///< configLabel of each row (with its recipe)
  std::vector<std::string> sources;         ///< "ours", then each source with a number for a row
  std::vector<std::vector<double>> values;  ///< [source][row]
};
ComparisonBars comparisonBars(const std::vector<ReportRow>& rows);

std::string reportMarkdown(const std::vector<ReportRow>& rows);
std::string reportCsv(const std::vector<ReportRow>& rows);
std::string reportJson(const std::vector<ReportRow>& rows, int indent = -1);
std::string reportLatex(const std::vector<ReportRow>& rows);

}  // namespace gwb
