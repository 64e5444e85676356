// A run's details, as a TensorBoard or W&B user looks them up: its full resolved configuration
// (every key of the table, defaults included) and its log (stops, resumes, evaluations, spikes,
// checkpoints, warnings, the end), or the configurations of several runs side by side with the
// keys that differ marked (and, ticked, only those). Reads the run directories itself (config.json
// and metrics.jsonl through the run reader), so the Runs tab and the Monitor open it alike. GUI
// thread.
#pragma once

#include <QDialog>
#include <QList>
#include <QStringList>

#include "engine/runs/metrics_reader.h"
#include "engine/runs/run_reader.h"

class QCheckBox;
class QComboBox;
class QTableWidget;

namespace gwb::ui {

/// One line of a run's log.
struct RunLogLine {
  double time = 0;         ///< seconds since the run started (NaN: not from an event)
  std::int64_t step = -1;  ///< -1: none
  QString kind;            ///< started, resumed, stopped, log, eval, spike, checkpoint, failed,
                           ///< finished, warning
  QString text;
};
/// The log of a run from its events and record, in time order.
QList<RunLogLine> runLog(const RunRecord& record, const MetricsEvents& events);

class RunDetailsDialog : public QDialog {
  Q_OBJECT

 public:
  explicit RunDetailsDialog(const QStringList& dirs, QWidget* parent = nullptr);

  QTableWidget* configTable() const { return config_; }
  QTableWidget* logTable() const { return log_; }
  /// Shows only the keys whose values differ among the runs (several runs; on by default).
  void setOnlyDifferences(bool on);
  /// Which run's log the Log tab shows.
  void showLogOf(int index);

 private:
  void fillConfig();

  QList<RunRecord> records_;
  QList<MetricsEvents> events_;
  QTableWidget* config_;
  QTableWidget* log_;
  QCheckBox* only_diff_;
  QComboBox* log_run_;
};

}  // namespace gwb::ui
