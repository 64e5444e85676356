// The JSON of metrics.jsonl events and summary.json (CONTRACTS.md), and the writer observer that
// appends one complete, flushed line per event. Torch-free.
#pragma once

#include <string>
#include <vector>

#include "engine/runs/events.h"

namespace gwb {

/// One metrics.jsonl line (without the newline) per event kind.
std::string toJsonLine(const StepEvent& e);
std::string toJsonLine(const EvalEvent& e);
std::string toJsonLine(const AlphaEvent& e);
std::string toJsonLine(const PluckerEvent& e);
std::string toJsonLine(const CheckpointEvent& e);
std::string toJsonLine(const LogEvent& e);
std::string toJsonLine(const SpikeEvent& e);
std::string toJsonLine(const ResumedEvent& e);
std::string toJsonLine(const FinishedEvent& e);
std::string toJsonLine(const FailedEvent& e);

/// A per-class object ({"entailment": .., "neutral": .., "contradiction": ..}) as a vector in
/// class order (NaN for a missing class; empty if `text` is not such an object).
std::vector<double> perClassAccuracyFromJson(const std::string& text);

/// summary.json text.
std::string summaryToJson(const RunSummary& summary, int indent = 2);
/// Parses summary.json text (unknown keys ignored); InputError on malformed JSON.
RunSummary summaryFromJson(const std::string& text, const std::string& source);

/// Appends every event to `path` as one line, each in one write(2): what makes a run directory
/// readable by the GUI and by scripts while it runs. Opened in append mode, so a resumed run
/// continues the file; a torn last fragment (a crash mid-write) is cut off first, so every line
/// stays whole. A failed write (a full disk) throws InputError: the run fails, it never goes on
/// with a hole in its metrics.
class MetricsWriter : public RunObserver {
 public:
  explicit MetricsWriter(const std::string& path);
  ~MetricsWriter() override;
  MetricsWriter(const MetricsWriter&) = delete;
  MetricsWriter& operator=(const MetricsWriter&) = delete;

  void onStep(const StepEvent& e) override { write(toJsonLine(e)); }
  void onEval(const EvalEvent& e) override { write(toJsonLine(e)); }
  void onAlpha(const AlphaEvent& e) override { write(toJsonLine(e)); }
  void onPlucker(const PluckerEvent& e) override { write(toJsonLine(e)); }
  void onCheckpoint(const CheckpointEvent& e) override { write(toJsonLine(e)); }
  void onLog(const LogEvent& e) override { write(toJsonLine(e)); }
  void onSpike(const SpikeEvent& e) override { write(toJsonLine(e)); }
  void onResumed(const ResumedEvent& e) override { write(toJsonLine(e)); }
  void onFinished(const FinishedEvent& e) override { write(toJsonLine(e)); }
  void onFailed(const FailedEvent& e) override { write(toJsonLine(e)); }

  /// fsyncs the file (before a checkpoint names a step, its events are on disk).
  void sync();
  /// Bytes of a torn fragment cut when the file was opened (0 if it ended with a newline).
  std::size_t cutBytes() const { return cut_; }

 private:
  void write(const std::string& line);
  int fd_ = -1;
  std::string path_;
  std::size_t cut_ = 0;
};

}  // namespace gwb
