// The workbench's side of cluster sweeps: writes and submits them, follows the sweeps it watches
// (each task's cluster state and its run's progress) and cancels or resubmits tasks. Every cluster
// command runs on a worker thread of its own with a timeout (engine/cluster), so the GUI never
// waits on a slow or dead cluster; results come back by value as queued signals. A poll is asked
// for every few seconds, and never while the previous one is still out. Threading contract:
// every public method and signal is GUI-thread only; the worker touches only its own state.
#pragma once

#include <QList>
#include <QMetaType>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QThread>
#include <QTimer>

#include "engine/cluster/sweep.h"

namespace gwb::ui {

/// One task, as the queue shows it.
struct SweepTaskView {
  qint64 index = 0;
  QString name, arch, preset;
  qint64 seed = 0;
  QString run_dir;
  QString job_id;  ///< "12_3"; empty if never submitted
  QString state;   ///< the cluster's (RUNNING, PENDING, COMPLETED...), or UNSUBMITTED / UNKNOWN
  QString queue_state;  ///< queued | running | stopped | finished | failed
  QString reason, error, output;
  qint64 step = 0, total_steps = 0;
  double eta_s = -1;  ///< -1: unknown
  bool run_exists = false;
};

/// A watched sweep now.
struct SweepSnapshot {
  QString dir, id, job_id;
  QString cluster_error;  ///< why the cluster could not be asked ("" if it answered)
  QList<SweepTaskView> tasks;
};

/// What the submit dialog asks for.
struct SweepSubmission {
  SweepRequest request;
  cluster::ClusterOptions options;
  QString runs_dir;
  bool submit = true;  ///< false: write the files only
};

class SweepWorker;

class SweepMonitor : public QObject {
  Q_OBJECT

 public:
  /// `gwb` is the program the tasks run (default: the gwb beside this executable).
  explicit SweepMonitor(QObject* parent = nullptr, QString gwb = {});
  /// Waits for the worker's command in progress (each is bounded by its timeout).
  ~SweepMonitor() override;

  /// Writes (and, if asked, submits) a sweep, then watches it; answers with submitted() or
  /// actionFailed().
  void submit(const SweepSubmission& submission);
  /// Follows `sweep_dir` (remembered in QSettings across sessions).
  void watch(const QString& sweep_dir);
  /// Stops following it (its rows go; nothing on the cluster changes).
  void unwatch(const QString& sweep_dir);
  QStringList watched() const { return watched_; }
  /// Follows the sweeps watched in an earlier session whose folders still exist.
  void restoreWatched();

  void cancelTask(const QString& sweep_dir, qint64 index);
  void resubmitTask(const QString& sweep_dir, qint64 index);

  /// The last snapshot of a watched sweep (nullptr before its first poll).
  const SweepSnapshot* snapshot(const QString& sweep_dir) const;
  /// The (sweep folder, task index) whose run directory is `run_dir`; false if none.
  bool taskOf(const QString& run_dir, QString* sweep_dir, qint64* index) const;

  /// Milliseconds between polls (default 3000); the command timeout in seconds (default 20).
  void setPollInterval(int ms) { timer_.setInterval(ms); }
  void setCommandTimeout(double seconds);
  /// Asks for a poll now (unless one is out).
  void pollNow();
  bool pollPending() const { return poll_pending_; }

 signals:
  void submitted(const QString& sweep_dir, const QString& job_id);  ///< job id "" if not submitted
  void sweepUpdated(const gwb::ui::SweepSnapshot& snapshot);
  void sweepRemoved(const QString& sweep_dir);
  /// A command failed: `what` ("Submit", "Cancel", "Resubmit"), `message` with the tool's stderr.
  void actionFailed(const QString& what, const QString& message);

 private:
  void saveWatched() const;
  void received(const gwb::ui::SweepSnapshot& snapshot);

  QThread thread_;
  SweepWorker* worker_;
  QTimer timer_;
  QStringList watched_;
  QList<SweepSnapshot> snapshots_;
  bool poll_pending_ = false;
};

}  // namespace gwb::ui

Q_DECLARE_METATYPE(gwb::ui::SweepSnapshot)
Q_DECLARE_METATYPE(gwb::ui::SweepSubmission)
