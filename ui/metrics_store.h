// The GUI's store of runs and their events: fed by the controller's batches (live runs) and by
// opening run directories (replaying metrics.jsonl, then following it while it grows). Append-only
// per run; views redraw from it on their own timers. GUI thread only. Uses torch-free engine types.
#pragma once

#include <QColor>
#include <QDateTime>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QTimer>
#include <map>
#include <memory>

#include "engine/config/run_config.h"
#include "engine/train/events.h"
#include "engine/train/metrics_reader.h"

namespace gwb::ui {

struct StoredRun {
  QString key;  ///< the absolute run directory
  QString name;
  QString arch;
  RunConfig config;
  bool has_config = false;
  MetricsEvents events;
  RunSummary summary;  ///< from summary.json or the finished event
  bool has_summary = false;
  QColor color;           ///< stable: a function of the key
  bool live = false;      ///< fed by the controller
  bool missing = false;   ///< its folder was deleted or moved (to the trash) since it was opened
  QDateTime last_growth;  ///< when metrics.jsonl last grew (followed runs)

  /// The one answer every view gives: "running" (its run.lock is held, or its metrics grew in the
  /// last minute: a trainer on another machine), else its summary's finished / stopped / failed,
  /// else "killed" (events but no summary and nobody training it); "deleted" when its folder is
  /// gone.
  QString status() const;
  bool running() const { return status() == QLatin1String("running"); }
  /// Runs that differ only in name and seed share this key (seed groups).
  QString groupKey() const;
  /// "grassmann N6 L256 bert" style label of the configuration.
  QString configLabel() const;
};

class MetricsStore : public QObject {
  Q_OBJECT

 public:
  explicit MetricsStore(QObject* parent = nullptr);
  ~MetricsStore() override;

  /// Opens a run directory (config.json, summary.json, metrics.jsonl) and follows it until it
  /// ends. Returns its key. Throws gwb::InputError if `dir` is not a run directory.
  QString open(const QString& dir);
  /// Registers a live run (the controller's) and appends its events.
  void appendLive(const QString& run_dir, const MetricsEvents& events);
  void remove(const QString& key);
  void clear();

  const StoredRun* run(const QString& key) const;
  QStringList keys() const { return order_; }
  /// Reads new lines of every followed run and notices folders that are gone (called every second
  /// by a timer; public for tests). Runs stay followed after they end: a resume (here or by gwb
  /// elsewhere) appends to the same file.
  void pollFollowed();

 signals:
  void runAdded(const QString& key);
  void runUpdated(const QString& key);
  void runRemoved(const QString& key);

 private:
  StoredRun& ensure(const QString& key);
  void loadFiles(StoredRun& run);
  void append(StoredRun& run, MetricsEvents events);

  QStringList order_;
  std::map<QString, StoredRun> runs_;
  std::map<QString, std::unique_ptr<MetricsFollower>> followers_;
  QTimer poll_timer_;
};

}  // namespace gwb::ui
