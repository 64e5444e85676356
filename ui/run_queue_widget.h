// The run queue as the GUI shows it: each run's state, a progress bar, ETA, tokens/s and device,
// with Stop (leaves a resumable checkpoint), Resume, Remove (from the queue; files stay) and Show,
// and "Submit to cluster..." for a sweep that runs elsewhere (its tasks become rows too, with the
// cluster's state beside theirs). It only displays rows and emits requests; the application
// connects it to the run controller and the sweep monitor.
#pragma once

#include <QColor>
#include <QString>
#include <QWidget>

class QTableWidget;
class QPushButton;
class QSpinBox;

namespace gwb::ui {

/// One row, as plain values.
struct QueueRow {
  QString id;
  QString name, arch;
  QString state;  ///< queued | running | stopping | stopped | finished | failed
  qint64 step = 0, total_steps = 0;
  double eta_s = -1;
  double tokens_per_s = 0;
  QString device;
  QString run_dir;
  QString error;
  QString cluster_state;  ///< a cluster task's own state ("RUNNING, job 12_3"); "" for local runs
};

class RunQueueWidget : public QWidget {
  Q_OBJECT

 public:
  /// The Progress cell's bar: a strip of this height along the cell's bottom, in these colours.
  static constexpr int kBarHeight = 5;
  static inline const QColor kBarTrack{0xdd, 0xdd, 0xdd};
  static inline const QColor kBarFill{0x2e, 0x8b, 0x57};

  explicit RunQueueWidget(QWidget* parent = nullptr);

  /// Adds or updates the row of `row.id`.
  void setRow(const QueueRow& row);
  void removeRow(const QString& id);
  int rowCount() const;
  /// The row shown for `id` (empty id if none).
  QueueRow row(const QString& id) const;
  /// Selects `id` (as a click would).
  void select(const QString& id);
  /// The first selected row's id, and all of them.
  QString selectedId() const;
  QStringList selectedIds() const;
  QTableWidget* table() const { return table_; }
  /// Shows `runs` in the "at a time" box (without emitting concurrencyChanged).
  void setConcurrency(int runs);

 signals:
  void stopRequested(const QString& id);
  void resumeRequested(const QString& run_dir);
  void removeRequested(const QString& id);
  void showRequested(const QString& run_dir);
  /// The user changed how many runs may train at once.
  void concurrencyChanged(int runs);
  /// "Submit to cluster..." was clicked.
  void clusterSubmitRequested();
  /// "Clear queued" was clicked: remove every row that has not started.
  void clearQueuedRequested();

 private:
  int rowOf(const QString& id) const;
  void updateButtons();

  QTableWidget* table_;
  QPushButton* stop_;
  QPushButton* resume_;
  QPushButton* remove_;
  QPushButton* show_;
  QPushButton* clear_;
  QPushButton* cluster_;
  QSpinBox* concurrency_;
  QList<QueueRow> rows_;
};

/// "1h02m", "3m05s", "42s"; "" for a negative value.
QString formatDuration(double seconds);

}  // namespace gwb::ui
