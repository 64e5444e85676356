// Reading metrics.jsonl back: the GUI's run browser replays it, follows runs that are still being
// written (on this machine or another), and the exporter charts it. Only complete lines count (a
// final line without a newline is a write in progress or a crash); a malformed line anywhere is
// skipped and counted with a warning, never the reason to drop the run's other events; after a
// resume, the last record of each (event, step, split, layer, offset) wins, as CONTRACTS.md says.
// Torch-free.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/runs/events.h"

namespace gwb {

/// The events of a run, by kind, in file order.
struct MetricsEvents {
  std::vector<StepEvent> steps;
  std::vector<EvalEvent> evals;
  std::vector<AlphaEvent> alphas;
  std::vector<PluckerEvent> pluckers;
  std::vector<CheckpointEvent> checkpoints;
  std::vector<LogEvent> logs;
  std::vector<SpikeEvent> spikes;
  std::vector<ResumedEvent> resumes;  ///< resumed events (and "resumed ..." logs of older runs)
  std::optional<FinishedEvent> finished;
  std::optional<FailedEvent> failed;
  std::int64_t skipped_lines = 0;     ///< malformed lines left out
  std::vector<std::string> warnings;  ///< "FILE:LINE: expected ..., got ..." of the first few

  bool empty() const;
  /// Appends `more` (later events) to these.
  void append(const MetricsEvents& more);
  /// Keeps the last record of each (event, step, split, layer, offset), in step order.
  void dedupe();
};

/// Parses the complete lines of `text` into `out`; returns the bytes consumed (up to and including
/// the last newline). A malformed complete line is skipped, counted in `out.skipped_lines` and
/// described in `out.warnings` (naming `source` and its line; `first_line` is the number of the
/// first line of `text`); unknown events are ignored. Never throws on content.
std::size_t parseMetrics(std::string_view text, MetricsEvents& out, const std::string& source,
                         long first_line = 1);

/// Reads a whole metrics.jsonl (deduplicated).
MetricsEvents readMetricsFile(const std::string& path);

/// Follows a metrics.jsonl as it grows: each poll() returns the events of the lines completed
/// since the previous one. A file that shrinks (rewritten) is read again from the start.
class MetricsFollower {
 public:
  explicit MetricsFollower(std::string path);
  /// New events (possibly none); malformed lines are skipped and counted in them.
  MetricsEvents poll();
  /// True once poll() has seen a finished or failed event.
  bool ended() const { return ended_; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::uint64_t offset_ = 0;
  long line_ = 1;
  bool ended_ = false;
};

}  // namespace gwb
