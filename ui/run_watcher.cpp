// RunWatcher and its worker.
#include "ui/run_watcher.h"

#include <QCoreApplication>
#include <QFileSystemWatcher>
#include <QThread>
#include <QTimer>
#include <algorithm>
#include <map>

#include "engine/config/run_config.h"
#include "engine/runs/run_folder.h"

namespace gwb::ui {

/// Lives on the watcher's thread; every method runs there.
class RunWatcherWorker : public QObject {
  Q_OBJECT

 public:
  RunWatcherWorker() {
    folder_timer_ = new QTimer(this);
    runs_timer_ = new QTimer(this);
    watcher_ = new QFileSystemWatcher(this);
    connect(folder_timer_, &QTimer::timeout, this, &RunWatcherWorker::pollFolder);
    connect(runs_timer_, &QTimer::timeout, this, &RunWatcherWorker::pollRuns);
    // A new run folder shows at once (its files are then followed by polling).
    connect(watcher_, &QFileSystemWatcher::directoryChanged, this, &RunWatcherWorker::pollFolder);
    folder_timer_->start(2000);
    runs_timer_->start(1000);
  }

  void setRunsFolder(const QString& dir) {
    if (!watcher_->directories().isEmpty()) watcher_->removePaths(watcher_->directories());
    folder_.reset();
    shown_differs_.clear();
    config_text_.clear();
    folder_dir_ = dir;
    if (dir.isEmpty()) return;
    folder_ = std::make_unique<RunFolder>(dir.toStdString());
    watcher_->addPath(dir);
    first_listing_ = true;
    pollFolder();
  }

  void follow(const QString& dir) {
    auto reader = std::make_shared<RunReader>(dir.toStdString(), /*keep_events=*/true);
    reader->poll();
    MetricsEvents events = reader->takeNew();
    followed_[dir] = reader;
    emit historyRead(dir, events, reader->record());
  }

  void adopt(const QString& dir, std::shared_ptr<RunReader> reader) { followed_[dir] = reader; }
  void unfollow(const QString& dir) { followed_.erase(dir); }

  void setIntervals(int folder_ms, int runs_ms) {
    folder_timer_->start(folder_ms);
    runs_timer_->start(runs_ms);
  }

  void pollNow() {
    pollFolder();
    pollRuns();
  }

  void pollFolder() {
    if (!folder_) return;
    const RunFolder::Changes changes = folder_->refresh();
    if (!changes.any() && !first_listing_) return;
    const std::vector<const RunRecord*> all = folder_->records();
    // The "differs" column depends on the configurations alone: worked out again only when a run
    // came, went or changed its configuration, not when one appended metrics (a live run does
    // every second).
    bool configs_changed = first_listing_ || !changes.removed.empty();
    for (const std::string& dir : changes.changed) {
      const RunRecord* r = folder_->record(dir);
      const std::string text = r && r->config ? runConfigToJson(*r->config, -1) : std::string();
      auto [it, added] = config_text_.try_emplace(dir, text);
      if (added || it->second != text) configs_changed = true;
      it->second = text;
    }
    std::map<std::string, QString> differs_of;
    if (configs_changed) {
      for (const auto& [dir, text] : differsFromSameName(all))
        differs_of[dir] = QString::fromStdString(text);
    }
    QVector<ListedRun> changed;
    for (const RunRecord* r : all) {
      const bool listed =
          first_listing_ || std::find(changes.changed.begin(), changes.changed.end(), r->dir) !=
                                changes.changed.end();
      QString& shown = shown_differs_[r->dir];
      if (configs_changed) {
        const auto d = differs_of.find(r->dir);
        const QString text = d == differs_of.end() ? QString() : d->second;
        if (!listed && text == shown) continue;
        shown = text;
      } else if (!listed) {
        continue;
      }
      changed.push_back({*r, shown});
    }
    QStringList removed;
    for (const std::string& dir : changes.removed) {
      removed << QString::fromStdString(dir);
      shown_differs_.erase(dir);
      config_text_.erase(dir);
    }
    emit listed(folder_dir_, changed, removed, first_listing_);
    first_listing_ = false;
  }

  void pollRuns() {
    for (auto& [dir, reader] : followed_) {
      if (!reader->poll()) continue;
      emit historyAppended(dir, reader->takeNew(), reader->record());
    }
  }

 signals:
  void listed(const QString& folder, const QVector<gwb::ui::ListedRun>& changed,
              const QStringList& removed, bool all);
  void historyRead(const QString& dir, const gwb::MetricsEvents& events,
                   const gwb::RunRecord& record);
  void historyAppended(const QString& dir, const gwb::MetricsEvents& events,
                       const gwb::RunRecord& record);

 private:
  QTimer* folder_timer_;
  QTimer* runs_timer_;
  QFileSystemWatcher* watcher_;
  QString folder_dir_;
  std::unique_ptr<RunFolder> folder_;
  bool first_listing_ = false;
  std::map<std::string, QString> shown_differs_;
  std::map<std::string, std::string> config_text_;  // each run's configuration as last listed
  std::map<QString, std::shared_ptr<RunReader>> followed_;
};

RunWatcher::RunWatcher(QObject* parent) : QObject(parent) {
  static const bool registered = [] {
    qRegisterMetaType<gwb::ui::ListedRun>();
    qRegisterMetaType<QVector<gwb::ui::ListedRun>>();
    qRegisterMetaType<gwb::MetricsEvents>();
    qRegisterMetaType<gwb::RunRecord>();
    return true;
  }();
  (void)registered;
  thread_ = new QThread(this);
  thread_->setObjectName(QStringLiteral("run watcher"));
  worker_ = new RunWatcherWorker;
  worker_->moveToThread(thread_);
  connect(thread_, &QThread::finished, worker_, &QObject::deleteLater);
  connect(worker_, &RunWatcherWorker::listed, this, &RunWatcher::listed);
  connect(worker_, &RunWatcherWorker::historyRead, this, &RunWatcher::historyRead);
  connect(worker_, &RunWatcherWorker::historyAppended, this, &RunWatcher::historyAppended);
  thread_->start();
}

RunWatcher::~RunWatcher() {
  thread_->quit();
  thread_->wait();
}

void RunWatcher::setRunsFolder(const QString& dir) {
  QMetaObject::invokeMethod(worker_, [w = worker_, dir] { w->setRunsFolder(dir); });
}

void RunWatcher::follow(const QString& dir) {
  QMetaObject::invokeMethod(worker_, [w = worker_, dir] { w->follow(dir); });
}

void RunWatcher::adopt(const QString& dir, std::shared_ptr<RunReader> reader) {
  QMetaObject::invokeMethod(worker_, [w = worker_, dir, reader] { w->adopt(dir, reader); });
}

void RunWatcher::unfollow(const QString& dir) {
  QMetaObject::invokeMethod(worker_, [w = worker_, dir] { w->unfollow(dir); });
}

void RunWatcher::setIntervals(int folder_ms, int runs_ms) {
  QMetaObject::invokeMethod(
      worker_, [w = worker_, folder_ms, runs_ms] { w->setIntervals(folder_ms, runs_ms); });
}

void RunWatcher::pollNow() {
  // Every request queued before this one runs first (one thread, in order); then the results,
  // queued to this thread, are delivered before returning.
  QMetaObject::invokeMethod(
      worker_, [w = worker_] { w->pollNow(); }, Qt::BlockingQueuedConnection);
  QCoreApplication::sendPostedEvents(this, QEvent::MetaCall);
}

}  // namespace gwb::ui

#include "run_watcher.moc"
