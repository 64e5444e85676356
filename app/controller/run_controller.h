// The run controller: the queue of training runs the workbench launches, each trained on a thread
// of its own through gwb::runTraining. Engine events cross to the GUI thread as queued signals of
// plain registered values (no tensors, no pointers into worker memory), batched so that each run
// delivers at most one batch per interval (50 ms: about 20 a second). No call blocks the GUI
// thread: data loading and training happen on the workers. Threading contract: every public method
// and every signal is GUI-thread only; the workers touch only their own Worker under its mutex.
#pragma once

#include <QDateTime>
#include <QDir>
#include <QMetaType>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QTimer>
#include <map>
#include <memory>

#include "engine/config/run_config.h"
#include "engine/runs/events.h"
#include "engine/runs/metrics_reader.h"

namespace gwb {

enum class RunState { Queued, Running, Stopping, Stopped, Finished, Failed };
QString runStateName(RunState state);

/// One row of the queue, as the GUI shows it.
struct RunEntry {
  QString id;  ///< "run-1", "run-2"... stable for the session
  QString name, arch;
  RunConfig config;    ///< what a new run trains
  QString source;      ///< where the configuration came from
  QString resume_dir;  ///< non-empty: this entry resumes that run
  QString target_dir;  ///< non-empty: a new run trains into exactly this folder (a study's)
  QString run_dir;     ///< once started
  RunState state = RunState::Queued;
  QString error;  ///< why it failed
  qint64 step = 0, first_step = 0, total_steps = 0;
  double tokens_per_s = 0;
  double run_seconds = 0;  ///< the run's own clock (events' time)
  QString device;
  qint64 params = 0;
  RunSummary summary;

  /// 0..1 of the planned steps.
  double progress() const {
    return total_steps > 0 ? static_cast<double>(step) / static_cast<double>(total_steps) : 0;
  }
  /// The latest step events (step, tokens, run seconds), at most kPaceWindow, since the last
  /// start or resume: the recent pace that the ETA and the rate shown both come from.
  struct PacePoint {
    qint64 step = 0, tokens = 0;
    double time = 0;
  };
  static constexpr int kPaceWindow = 50;
  QList<PacePoint> pace;
  /// Adds a step event to the recent pace (a clock that went back starts it again).
  void addPace(qint64 step_, qint64 tokens, double time);
  /// Seconds left at the recent pace, evaluations included (-1: unknown yet).
  double etaSeconds() const;
  /// Training tokens per second over the same steps (0: unknown yet), so that the ETA and the
  /// rate agree: remaining steps x tokens a step / this rate = the ETA.
  double recentTokensPerSecond() const;
  bool active() const { return state == RunState::Running || state == RunState::Stopping; }
};

/// A batch of one run's events, delivered together.
struct EventBatch {
  QString run_id;
  QString run_dir;
  MetricsEvents events;
};

class RunController : public QObject {
  Q_OBJECT

 public:
  /// New runs go to `runs_dir` (see gwb::runsDir for the default rule).
  explicit RunController(QString runs_dir, QObject* parent = nullptr);
  /// Asks every active run to stop (each leaves a resumable checkpoint) and waits for them.
  ~RunController() override;

  /// Queues a new run; returns its id. Starts it at once if a slot is free.
  QString enqueue(const RunConfig& config, const QString& source = QStringLiteral("set-up panel"),
                  const QString& target_dir = {});
  /// Queues the continuation of a stopped, failed or killed run directory. One run directory has
  /// one entry: an entry of it that ended is queued again (no second row), one that is queued or
  /// training is returned as it is. Refused (returns "" and says why in `why`) for a finished
  /// run, a run another process trains (its run.lock is held), or a folder that is not a run.
  QString enqueueResume(const QString& run_dir, QString* why = nullptr);

  /// What can be done with a run directory now: the one rule the buttons of the queue and of the
  /// Runs tab follow.
  enum class DirState { Resumable, Queued, Training, TrainedElsewhere, Finished, NotARun };
  DirState dirState(const QString& run_dir, QString* detail = nullptr) const;
  /// The entry of a run directory ("" if none).
  QString entryOfDir(const QString& run_dir) const;
  /// Removes every queued (not yet started) entry; returns how many.
  int clearQueued();

  /// The queue as JSON, to restore at the next start: queued configurations (as edited) and
  /// queued or ended run directories, in order. Runs that train now are saved as run directories
  /// to resume (quitting stops them with a checkpoint).
  QByteArray saveQueue() const;
  /// Restores saveQueue()'s entries (queued ones are queued again). Returns how many.
  int restoreQueue(const QByteArray& json);
  /// Running: stop after the current step with a checkpoint; queued: take it out of the line.
  bool stop(const QString& id);
  /// Removes a run that is not active from the queue. Never deletes files.
  bool remove(const QString& id);

  /// Runs trained at once; 0 (the default) lets the scheduler decide: one on a CPU, on a GPU as
  /// many as fit in its free memory (gwb::decideJobs with the runs' estimated footprints).
  void setMaxConcurrent(int n);
  int maxConcurrent() const { return max_concurrent_; }
  /// What the setting means now (the scheduler's decision for "auto").
  int effectiveConcurrency() const;
  /// Milliseconds between two batches of one run (default 50).
  void setBatchInterval(int ms) { flush_timer_.setInterval(ms); }

  QStringList ids() const { return order_; }
  const RunEntry* entry(const QString& id) const;
  QString runsDir() const { return runs_dir_; }
  void setRunsDir(const QString& dir) { runs_dir_ = dir; }
  int activeCount() const;

 signals:
  void runAdded(const QString& id);
  void runChanged(const QString& id);  ///< state, progress, throughput
  void runRemoved(const QString& id);
  void runStarted(const QString& id, const QString& run_dir);
  void eventsArrived(const gwb::EventBatch& batch);
  void runEnded(const QString& id);  ///< finished, stopped or failed: see entry()->state

 private:
  struct Worker;
  class Bridge;
  void schedule();
  void flush();
  void requestFlush();
  void workerDone(const QString& id);
  QString newId();

  QString runs_dir_;
  int max_concurrent_ = 0;
  int next_id_ = 1;
  QStringList order_;
  std::map<QString, RunEntry> entries_;
  std::map<QString, std::unique_ptr<Worker>> workers_;
  QTimer flush_timer_;
};

}  // namespace gwb

Q_DECLARE_METATYPE(gwb::EventBatch)
