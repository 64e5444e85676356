// What a study measured (SPEC §9, CONTRACTS `gwb study report`): per cell the paired Delta of the
// two architectures' best validation losses over the seeds, the gap % and each architecture's own
// loss; per path step the change of Delta (and of each loss) averaged over orders with its spread;
// per factorial effect the estimate with its aliases. One implementation for `gwb study report`,
// the Study page and its exports. Torch-free, Qt-free.
#pragma once

#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "engine/runs/run_reader.h"
#include "engine/study/study_runs.h"

namespace gwb::study {

/// One architecture in one cell.
struct ArchResult {
  Interval loss;      ///< best token-weighted validation loss (nats) over the seeds that finished
  double ppl = kNaN;  ///< exp(mean loss)
  std::vector<double> per_seed;  ///< NaN where the run has not finished
};

struct CellResult {
  std::string id;
  std::vector<std::pair<std::string, std::string>> levels;
  Interval delta;  ///< Grassmann - Transformer, paired by seed (nats)
  /// 100 (exp(Delta) - 1): the mean is exp of the mean Delta, the bounds exp of Delta's bounds.
  Interval gap_percent;
  ArchResult grassmann, transformer;
  std::vector<double> delta_per_seed;  ///< NaN where a run of the seed has not finished
  int unfinished = 0;                  ///< runs of the cell not finished (or excluded)
};

/// One group of a path.
struct StepResult {
  std::string group;
  std::vector<std::string> keys;
  bool arch_specific = false;
  GroupContribution delta;          ///< change of Delta (nats), per order and averaged
  Interval grassmann, transformer;  ///< change of each loss, averaged over orders
};

/// One factorial effect.
struct EffectResult {
  EffectEstimate delta;
  Interval grassmann, transformer;
};

struct StudyReport {
  std::string id, design, scale, a, b;
  std::int64_t steps = 0;  ///< cpu's budget
  std::vector<std::int64_t> seeds;
  std::vector<std::string> factors;
  std::vector<std::vector<std::string>> orders;  ///< path
  std::vector<CellResult> cells;
  std::vector<StepResult> steps_results;  ///< path: in the first order's order
  std::vector<EffectResult> effects;      ///< factorial
  std::string defining_relation;          ///< factorial fraction
  int resolution = 0;
  std::vector<std::string> aliases, residual;
  int runs_total = 0, runs_finished = 0, runs_unfinished = 0;
  std::vector<std::string> notes, warnings;
};

/// A run's record by directory (nullptr: not there). The default reads each directory once.
using RecordLookup = std::function<const RunRecord*(const std::string& dir)>;

/// The report of a study. Runs that have not finished, are gone, or are not the cell's
/// configuration (another hash or seed: a study folder edited by hand) are left out, counted and,
/// for the last two, named in warnings.
StudyReport buildStudyReport(const Study& study, const RecordLookup& lookup = {});

std::string reportMarkdown(const StudyReport& report);
std::string reportLatex(const StudyReport& report);
/// Long form: table (cell, step, effect), id, n, df, quantity, mean, lo, hi.
std::string reportCsv(const StudyReport& report);
/// CONTRACTS' JSON: cells [{id, levels, n, df, delta {mean, ci}, gap_percent, grassmann {loss,
/// ppl}, transformer}], then steps or effects, counts, notes, warnings.
std::string reportJson(const StudyReport& report, int indent = 2);

/// "-0.041 [-0.060, -0.022]" / "-0.041 (n = 1, no interval)"; " (contains 0)" where it does.
std::string intervalText(const Interval& i, int precision = 3);

}  // namespace gwb::study
