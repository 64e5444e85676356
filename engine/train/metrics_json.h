// The JSON of metrics.jsonl events and summary.json (CONTRACTS.md), and the writer observer that
// appends one complete, flushed line per event. Torch-free.
#pragma once

#include <cstdio>
#include <string>

#include "engine/train/events.h"

namespace gwb {

/// One metrics.jsonl line (without the newline) per event kind.
std::string toJsonLine(const StepEvent& e);
std::string toJsonLine(const EvalEvent& e);
std::string toJsonLine(const AlphaEvent& e);
std::string toJsonLine(const PluckerEvent& e);
std::string toJsonLine(const CheckpointEvent& e);
std::string toJsonLine(const LogEvent& e);
std::string toJsonLine(const FinishedEvent& e);
std::string toJsonLine(const FailedEvent& e);

/// summary.json text.
std::string summaryToJson(const RunSummary& summary, int indent = 2);
/// Parses summary.json text (unknown keys ignored); InputError on malformed JSON.
RunSummary summaryFromJson(const std::string& text, const std::string& source);

/// Appends every event to `path` as one line, flushed: what makes a run directory readable by the
/// GUI and by scripts while it runs. Opened in append mode, so a resumed run continues the file.
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
  void onFinished(const FinishedEvent& e) override { write(toJsonLine(e)); }
  void onFailed(const FailedEvent& e) override { write(toJsonLine(e)); }

 private:
  void write(const std::string& line);
  std::FILE* file_ = nullptr;
  std::string path_;
};

}  // namespace gwb
