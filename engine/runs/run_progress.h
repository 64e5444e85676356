// How far a run directory has got, in the words `gwb sweep status` and the workbench's cluster rows
// use (CONTRACTS.md): a view of the run store's RunReader (run_reader.h), which reads the files
// incrementally and tolerates torn or malformed lines. Torch-free.
#pragma once

#include <cstdint>
#include <memory>
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
  std::int64_t resumes = 0;     ///< resumes (`resumed` events; "resumed ..." logs of older runs)
  std::string error;            ///< of a failed run
};

class RunReader;

/// Follows one run directory; each poll() reads what was appended since the previous one.
class RunProgressReader {
 public:
  explicit RunProgressReader(std::string run_dir);
  ~RunProgressReader();
  RunProgressReader(RunProgressReader&&) noexcept;
  RunProgressReader& operator=(RunProgressReader&&) noexcept;
  /// The progress now. Never throws for the run's own files.
  RunProgress poll();
  const std::string& runDir() const { return dir_; }

 private:
  std::string dir_;
  std::unique_ptr<RunReader> reader_;
};

/// One poll of a fresh reader.
RunProgress readRunProgress(const std::string& run_dir);

}  // namespace gwb
