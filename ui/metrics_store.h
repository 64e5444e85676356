// The GUI's store of runs and their events: fed by the controller's batches (live runs) and by the
// run watcher (run_watcher.h), which reads run directories on its own thread (a run's history when
// it is opened, then what its files append) and hands values here. Append-only per run; views
// redraw from it on their own timers. A run's view always holds its whole history: a run followed
// live after a restart, or opened while it trains, gets its file's events first. GUI thread only;
// no file is read here except by open() (tests and the headless export, which wait anyway).
#pragma once

#include <QColor>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QTimer>
#include <map>

#include "engine/config/run_config.h"
#include "engine/runs/metrics_reader.h"
#include "engine/runs/run_reader.h"

namespace gwb::ui {

class RunWatcher;

struct StoredRun {
  QString key;  ///< the absolute run directory
  QString name;
  QString arch;
  RunConfig config;
  bool has_config = false;
  MetricsEvents events;
  RunSummary summary;  ///< from summary.json or the finished event
  bool has_summary = false;
  /// The run store's latest record of it (status, numbers, provenance), from the watcher.
  RunRecord record;
  QColor color;          ///< the user's (notes.json), else kept while open and distinct among
                         ///< open runs (plot::runColor)
  QColor auto_color;     ///< the colour chosen when it was opened (what a reset goes back to)
  bool live = false;     ///< fed by the controller
  bool loaded = false;   ///< its history (the file's events) is in `events`
  bool missing = false;  ///< its folder was deleted or moved (to the trash) since it was opened

  /// The one answer every view gives: "running" (fed live, its run.lock held, or its metrics grew
  /// in the last minute: a trainer on another machine), else its files' finished / stopped /
  /// failed, else "killed" (events but no end and nobody training it); "deleted" when its folder
  /// is gone. As the watcher last read it (at most a second ago).
  QString status() const;
  bool running() const { return status() == QLatin1String("running"); }
  /// Runs that differ only in name and seed share this key (seed groups).
  QString groupKey() const;
  /// "grassmann N6 L256 bert" style label of the configuration.
  QString configLabel() const;
  /// The run as reports read it now: the watcher's record, with the configuration and, for a run
  /// fed live, the status and numbers of the events delivered so far (newer than the file's).
  RunRecord current() const;
};

class MetricsStore : public QObject {
  Q_OBJECT

 public:
  explicit MetricsStore(QObject* parent = nullptr);
  ~MetricsStore() override;

  /// Opens a run directory now: reads its history on this thread (tests, the headless export),
  /// then follows it on the watcher's. Returns its key. Throws gwb::InputError if `dir` is not a
  /// run directory.
  QString open(const QString& dir);
  /// Opens a run directory without waiting: the run is listed at once and its history arrives
  /// from the watcher (runUpdated). What the window does.
  QString openAsync(const QString& dir);
  /// Registers a live run (the controller's) and appends its events; a run new to the store
  /// gets its file's history too.
  void appendLive(const QString& run_dir, const MetricsEvents& events);
  void remove(const QString& key);
  /// Sets the run's display name and colour ("" / an invalid colour: the configuration's name and
  /// the colour chosen when it was opened), kept in its notes.json so that every view and later
  /// session shows them. InputError naming the file when it cannot be written.
  void setLook(const QString& key, const QString& display_name, const QColor& color);
  void clear();

  const StoredRun* run(const QString& key) const;
  QStringList keys() const { return order_; }
  /// Polls every followed run now and applies what changed before returning (tests; the watcher
  /// polls every second on its own).
  void pollFollowed();
  RunWatcher* watcher() const { return watcher_; }

 signals:
  void runAdded(const QString& key);
  void runUpdated(const QString& key);
  void runRemoved(const QString& key);
  /// Its name or colour changed (set here or in its notes.json): charts redraw it.
  void runRestyled(const QString& key);

 private:
  StoredRun& ensure(const QString& key);
  void append(StoredRun& run, MetricsEvents events);
  void applyRecord(StoredRun& run, const RunRecord& record);
  void onHistoryRead(const QString& dir, const MetricsEvents& events, const RunRecord& record);
  void onHistoryAppended(const QString& dir, const MetricsEvents& events, const RunRecord& record);

  QStringList order_;
  std::map<QString, StoredRun> runs_;
  RunWatcher* watcher_;
};

}  // namespace gwb::ui
