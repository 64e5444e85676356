// The workbench's reader of run directories, off the GUI thread: a worker on its own thread owns
// the run store's readers (engine/runs) for the runs folder the Runs tab shows and for every run
// open in the Monitor, polls them (stat first, then only what changed: a finished run costs a few
// stat calls, a training run the bytes it appended) and hands the GUI values: records of the runs
// folder, and each open run's new events. The GUI thread never opens a run's files. Thread
// contract: construct, call and delete on the GUI thread; results arrive as queued signals there.
#pragma once

#include <QObject>
#include <QString>
#include <QStringList>
#include <QVector>
#include <memory>

#include "engine/runs/run_reader.h"

class QThread;

namespace gwb::ui {

/// A run of the runs folder as the Runs tab lists it.
struct ListedRun {
  RunRecord record;
  QString differs;  ///< keys that tell it from runs of the same name ("seed=2, train.lr=0.001")
};

class RunWatcherWorker;

class RunWatcher : public QObject {
  Q_OBJECT

 public:
  explicit RunWatcher(QObject* parent = nullptr);
  ~RunWatcher() override;

  /// Follows `dir` as the runs folder (replacing the previous one); "" follows none.
  void setRunsFolder(const QString& dir);
  /// Reads `dir`'s whole history and follows it (historyRead, then historyAppended).
  void follow(const QString& dir);
  /// Follows a run whose history the caller read itself (MetricsStore::open), from `reader`.
  void adopt(const QString& dir, std::shared_ptr<RunReader> reader);
  void unfollow(const QString& dir);
  /// Polls the folder and every followed run now, and delivers the results before returning
  /// (tests; the GUI polls on the worker's own timers).
  void pollNow();
  /// Polls on the worker's timers: the folder every `folder_ms`, followed runs every `runs_ms`.
  void setIntervals(int folder_ms, int runs_ms);

 signals:
  /// The runs folder changed: records added or changed, folders gone. `all` is set on the first
  /// listing of a folder (every run in it).
  void listed(const QString& folder, const QVector<gwb::ui::ListedRun>& changed,
              const QStringList& removed, bool all);
  /// A followed run's history as read by follow(), with its record.
  void historyRead(const QString& dir, const gwb::MetricsEvents& events,
                   const gwb::RunRecord& record);
  /// A followed run's new events (possibly none) and record, when something changed.
  void historyAppended(const QString& dir, const gwb::MetricsEvents& events,
                       const gwb::RunRecord& record);

 private:
  QThread* thread_;
  RunWatcherWorker* worker_;
};

}  // namespace gwb::ui

Q_DECLARE_METATYPE(gwb::ui::ListedRun)
Q_DECLARE_METATYPE(gwb::MetricsEvents)
Q_DECLARE_METATYPE(gwb::RunRecord)
