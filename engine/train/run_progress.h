// How far a run directory has got, read from its files alone (metrics.jsonl, summary.json) by a
// process that did not train it: `gwb sweep status` and the workbench's cluster rows. Tolerant:
// a torn last line, a malformed line or unknown events are skipped, never an error, and the file is
// read incrementally (only what was appended since the last poll). Torch-free.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace gwb {

/// A run's progress.
struct RunProgress {
  bool exists = false;          ///< the folder has a config.json or a metrics.jsonl
  std::string status;           ///< how its last session ended: finished|failed|stopped; "" while
                                ///< it trains (or was killed before it could say)
  std::int64_t step = 0;        ///< optimizer steps done (last step event, or the summary's)
  double time = 0;              ///< the run's seconds at that step
  std::string best_metric;      ///< "valid_ppl" or "valid_accuracy" ("" until a validation)
  std::optional<double> best;   ///< best validation value so far (lowest ppl, highest accuracy)
  double seconds_per_step = 0;  ///< recent pace (0: unknown)
  std::int64_t resumes = 0;     ///< "resumed" log events
  std::string error;            ///< of a failed run
};

/// Follows one run directory; each poll() reads what was appended since the previous one.
class RunProgressReader {
 public:
  explicit RunProgressReader(std::string run_dir);
  /// The progress now. Never throws for the run's own files.
  RunProgress poll();
  const std::string& runDir() const { return dir_; }

 private:
  struct Pace {
    std::int64_t step;
    double time;
  };
  void readLine(const std::string& line);

  std::string dir_;
  std::uint64_t offset_ = 0;
  RunProgress progress_;
  std::vector<Pace> recent_;  ///< the last step events since the last resume
};

/// One poll of a fresh reader.
RunProgress readRunProgress(const std::string& run_dir);

}  // namespace gwb
