// A study on disk (CONTRACTS: `<runs>/studies/<id>/study.json`): the plan, the seeds, and per
// cell and seed the run directory of each architecture, reused or new. Which runs already exist is
// found by SPEC §9's hash and the seed anywhere directly under the runs folder, so a run is never
// trained twice: not by a second study, not by two cells whose configurations of one architecture
// are equal. Torch-free, Qt-free.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/runs/run_reader.h"
#include "engine/study/study.h"

namespace gwb::study {

/// One seed of one cell: a run directory per architecture.
struct CellRun {
  std::int64_t seed = 0;
  std::string grassmann, transformer;                         ///< absolute run directories
  bool reused_grassmann = false, reused_transformer = false;  ///< existed before the study
  const std::string& dir(const std::string& arch) const {
    return arch == "grassmann" ? grassmann : transformer;
  }
  bool reused(const std::string& arch) const {
    return arch == "grassmann" ? reused_grassmann : reused_transformer;
  }
};

struct Study {
  std::string id;
  std::string dir;       ///< <runs>/studies/<id> (absolute)
  std::string runs_dir;  ///< absolute
  std::string created;   ///< UTC, ISO 8601
  StudyPlan plan;
  std::vector<std::vector<CellRun>> runs;  ///< per cell (plan.cells), per seed (plan.seeds)
  std::vector<std::string> warnings;       ///< what reading study.json found wrong
};

/// The runs of a runs folder by hash and seed.
class RunIndex {
 public:
  /// Reads every run directly under `runs_dir` (light records).
  explicit RunIndex(const std::string& runs_dir);
  /// The run with this hash and seed: a finished one first, else the newest that can be resumed
  /// and is not running; nullptr if none.
  const RunRecord* find(const std::string& hash, std::int64_t seed) const;
  /// The hash a run was trained under: config.json's, else computed from its configuration.
  static std::string hashOf(const RunRecord& record);
  const std::vector<RunRecord>& records() const { return records_; }

 private:
  std::vector<RunRecord> records_;
  std::map<std::pair<std::string, std::int64_t>, std::vector<std::size_t>> by_key_;
};

/// A run to train (or to resume) for a study.
struct RunToTrain {
  std::string dir;
  RunConfig config;  ///< the cell's configuration with its seed and name
  std::string cell, arch;
  std::int64_t seed = 0;
};

/// The study of `plan` in `runs_dir`: every cell and seed gets the finished run of its hash and
/// seed if one exists (reused), else a resumable one, else a new directory
/// <runs>/<id>-c<NN>-<arch>-s<seed>; cells that share a configuration share the run.
Study assignRuns(const StudyPlan& plan, const std::string& runs_dir, const std::string& id,
                 const RunIndex& index);

/// The cell's configuration of `arch` for seed `seed`, as it trains (name suffixed -s<seed>).
RunConfig runConfig(const StudyCell& cell, const std::string& arch, std::int64_t seed);

/// The distinct runs not finished yet, in cell order (each directory once).
std::vector<RunToTrain> runsToTrain(const Study& study);
/// Distinct runs reused (finished before the study) and distinct runs in all.
struct RunCounts {
  int total = 0, reused = 0, to_train = 0, finished = 0;
};
RunCounts countRuns(const Study& study);

/// Seconds the runs to train are expected to take: total steps (the data's batches, as the
/// trainer counts them) times seconds per step measured by runs of the same shape in `index`, else
/// scaled from the fastest measured FLOP rate; nullopt when no run measured anything.
std::optional<double> estimateSeconds(const std::vector<RunToTrain>& runs, const RunIndex& index);

/// study.json's text (CONTRACTS): the plan, the seeds, the cells with their runs.
std::string studyJson(const Study& study);
/// Writes <runs>/studies/<id>/study.json atomically (creating the folder).
void writeStudy(const Study& study);
/// Reads a study folder (or its study.json). InputError naming study.json and the key for a file
/// that is not a study, or whose cells do not fit its design (edited by hand); smaller problems
/// (a run directory that is gone) are warnings.
Study readStudy(const std::string& dir);

/// `gwb study plan`'s JSON (CONTRACTS): design, scale, cells with levels and configurations,
/// runs_to_train, runs_reused, estimated_s, aliases; and the groups' keys, seeds and notes.
std::string planJson(const Study& study, std::optional<double> estimated_s, int indent = 2);

}  // namespace gwb::study
