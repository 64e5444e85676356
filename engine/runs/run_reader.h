// One run directory read back by a process that may not have trained it (the workbench, `gwb
// report`, sweeps, studies), incrementally: each poll() stats its files and reads only what
// changed (config.json, summary.json and notes.json again when they change; of metrics.jsonl only
// the complete lines appended since the last poll). The answer is a RunRecord: configuration,
// summary, status, numbers (run_numbers.h), notes. Tolerant: a torn last line, a malformed line
// or an unreadable file is reported in the record, never thrown. Torch-free, Qt-free; one thread
// at a time per reader.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/config/run_config.h"
#include "engine/runs/metrics_reader.h"
#include "engine/runs/run_numbers.h"

namespace gwb {

/// notes.json of a run directory: a researcher's note and tags.
struct RunNotes {
  std::string note;
  std::vector<std::string> tags;
  /// What the workbench calls the run instead of its configuration's name ("": that name), and
  /// its colour in every chart ("#rrggbb"; "": one chosen when it is opened). Set in the Monitor.
  std::string display_name;
  std::string color;
};
/// Reads notes.json (empty notes if there is none or it is unreadable).
RunNotes readRunNotes(const std::string& run_dir);
/// Writes notes.json atomically; InputError naming the file on failure.
void writeRunNotes(const std::string& run_dir, const RunNotes& notes);

/// A run directory as every list, view and report shows it.
struct RunRecord {
  std::string dir;                  ///< absolute
  std::string folder;               ///< the folder's own name (<yyyymmdd-hhmmss>-<name>)
  std::optional<RunConfig> config;  ///< config.json; unset if missing or unreadable (`problem`)
  std::string config_sha256;        ///< config.json's `config_sha256` (SPEC §9); "" for older runs
  std::string precision;            ///< the provenance's resolved precision ("bf16" or "fp32")
  std::string corpus;  ///< a recipe's Wikitext-2 (provenance): "raw", "v1" or "" (no recipe)
  std::string device;  ///< the provenance's device
  /// Trained parameters: the summary's, else the provenance's count (which includes a frozen
  /// backbone's)
  std::int64_t params = 0;
  std::optional<RunSummary> summary;  ///< summary.json: the end of the last session that ended
  RunStatus status = RunStatus::Killed;
  RunNumbers numbers;  ///< from metrics.jsonl (all of it unless `light`)
  /// Only the end of metrics.jsonl was read (a finished run with its summary): `numbers` has the
  /// step, the summary the results.
  bool light = false;
  std::int64_t skipped_lines = 0;  ///< malformed metrics lines left out
  std::vector<std::string> warnings;
  std::string problem;  ///< why config.json or summary.json could not be read ("": fine)
  RunNotes notes;
  /// seconds since the epoch (UTC), from the folder's name, else when config.json was written
  std::int64_t started = 0;
  std::int64_t modified = 0;  ///< metrics.jsonl's last change (seconds since the epoch)

  /// The configuration's name, else the folder's.
  std::string name() const;
  /// "wikitext2" or "snli" (canonical), "" without a configuration.
  std::string task() const;
  bool classification() const { return task() == "snli"; }
  /// Whether the numbers are final (the run ended and its summary is the last session's).
  bool ended() const { return status != RunStatus::Running && status != RunStatus::Killed; }
  /// The best validation: perplexity (as the recipe reports it) or accuracy (fraction); the
  /// summary's when the run ended, else its evaluations' so far.
  std::optional<double> bestValid() const;
  std::optional<std::int64_t> bestStep() const;
  /// The lowest token-weighted validation loss (nats): what studies compare.
  std::optional<double> bestValidLoss() const;
  /// Test perplexity or accuracy, and accuracy per class (SNLI).
  std::optional<double> test() const;
  std::vector<double> testPerClass() const;
};

/// Reads one run directory and follows it.
class RunReader {
 public:
  /// `keep_events`: also keep every event (a view's history); else only the numbers. `light`:
  /// for a run that ended with a summary, read only the end of metrics.jsonl (the run list).
  explicit RunReader(std::string dir, bool keep_events = false, bool light = false);

  /// Reads what changed since the last poll; true when the record changed.
  bool poll();
  const RunRecord& record() const { return record_; }
  /// Every event so far, deduplicated (keep_events).
  const MetricsEvents& events() const { return events_; }
  /// The events read by the polls since the last take (keep_events): what a view appends.
  MetricsEvents takeNew();
  const std::string& dir() const { return record_.dir; }

 private:
  struct Stamp {
    std::int64_t size = -1, mtime_ns = -1;
    bool operator!=(const Stamp& o) const { return size != o.size || mtime_ns != o.mtime_ns; }
  };
  static Stamp stamp(const std::string& path);
  void readConfig();
  void readSummary();
  void readMetrics(std::int64_t size);
  void readTail(std::int64_t size);
  void updateStatus(bool grew);

  RunRecord record_;
  bool keep_events_ = false;
  bool light_ = false;
  Stamp config_, summary_, notes_, metrics_;
  std::uint64_t offset_ = 0;  // bytes of metrics.jsonl read (complete lines)
  long line_ = 1;
  MetricsEvents events_, new_;
  std::int64_t last_growth_ = 0;  // steady seconds when metrics.jsonl last grew
};

/// One poll of a fresh full reader: what `gwb report` and studies read.
RunRecord readRun(const std::string& dir);

/// For runs of one name, the keys where each differs from the others ("seed=2", ...), by
/// directory: the run list's "differs" column.
std::vector<std::pair<std::string, std::string>> differsFromSameName(
    const std::vector<const RunRecord*>& records);

}  // namespace gwb
