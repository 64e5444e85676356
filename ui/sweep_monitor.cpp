// SweepMonitor and its worker. The worker lives on thread_ and runs the engine's cluster calls
// (child processes with timeouts); it keeps the run-directory readers between polls so that each
// poll reads only what the runs appended.
#include "ui/sweep_monitor.h"

#include <QDir>
#include <QFileInfo>
#include <QSettings>
#include <map>

#include "engine/util/paths.h"

namespace gwb::ui {

class SweepWorker : public QObject {
  Q_OBJECT

 public:
  explicit SweepWorker(QString gwb) : gwb_(std::move(gwb)) {}

  void setTimeout(double seconds) { options_.timeout_s = seconds; }

  void poll(const QStringList& dirs) {
    for (const QString& dir : dirs) emit snapshot(read(dir));
    emit polled();
  }

  void submit(const SweepSubmission& s) {
    try {
      const SweepPlan plan = planSweep(s.request);
      cluster::Sweep sweep =
          cluster::makeSweep(plan, s.runs_dir.toStdString(), s.options, gwb_.toStdString());
      cluster::writeSweep(sweep, plan);
      std::string job;
      if (s.submit) {
        try {
          job = cluster::submitSweep(sweep, {}, options_);
        } catch (const std::exception& e) {
          emit failed(tr("Submit"),
                      tr("%1\n\nThe sweep's files are in %2; it can be submitted later "
                         "(gwb sweep submit %2).")
                          .arg(QString::fromUtf8(e.what()), QString::fromStdString(sweep.dir)));
          // Not followed: its rows would all read UNSUBMITTED, and stay after a restart.
          return;
        }
      }
      emit submitted(QString::fromStdString(sweep.dir), QString::fromStdString(job));
    } catch (const std::exception& e) {
      emit failed(tr("Submit"), QString::fromUtf8(e.what()));
    }
  }

  void cancel(const QString& dir, qint64 index) {
    try {
      cluster::cancelSweep(cluster::readSweep(dir.toStdString()), {index}, options_);
      emit snapshot(read(dir));
    } catch (const std::exception& e) {
      emit failed(tr("Cancel"), QString::fromUtf8(e.what()));
    }
  }

  void resubmit(const QString& dir, qint64 index) {
    try {
      cluster::Sweep sweep = cluster::readSweep(dir.toStdString());
      cluster::submitSweep(sweep, {index}, options_);
      emit snapshot(read(dir));
    } catch (const std::exception& e) {
      emit failed(tr("Resubmit"), QString::fromUtf8(e.what()));
    }
  }

 signals:
  void snapshot(const gwb::ui::SweepSnapshot& snapshot);
  void polled();
  void submitted(const QString& sweep_dir, const QString& job_id);
  void failed(const QString& what, const QString& message);

 private:
  SweepSnapshot read(const QString& dir) {
    SweepSnapshot out;
    out.dir = dir;
    try {
      const cluster::Sweep sweep = cluster::readSweep(dir.toStdString());
      const cluster::SweepStatus status =
          cluster::sweepStatus(sweep, options_, &readers_[dir.toStdString()]);
      out.id = QString::fromStdString(sweep.id);
      out.job_id = QString::fromStdString(status.job_id);
      out.cluster_error = QString::fromStdString(status.cluster_error);
      for (const cluster::TaskStatus& t : status.tasks) {
        SweepTaskView v;
        v.index = t.task.index;
        v.name = QString::fromStdString(t.task.name);
        v.arch = QString::fromStdString(t.task.arch);
        v.preset = QString::fromStdString(t.task.preset);
        v.seed = t.task.seed;
        v.run_dir = QString::fromStdString(t.task.run_dir);
        v.job_id = QString::fromStdString(t.job_id);
        v.state = QString::fromStdString(t.state);
        v.queue_state = QString::fromStdString(cluster::queueState(t));
        v.reason = QString::fromStdString(t.reason);
        v.error = QString::fromStdString(t.error);
        v.output = QString::fromStdString(t.task.output);
        v.step = t.run.step;
        v.total_steps = t.total_steps;
        v.eta_s = t.eta_s ? *t.eta_s : -1;
        v.run_exists = t.run.exists;
        out.tasks << v;
      }
    } catch (const std::exception& e) {
      out.cluster_error = QString::fromUtf8(e.what());
    }
    return out;
  }

  QString gwb_;
  cluster::ClientOptions options_;
  std::map<std::string, cluster::ProgressReaders> readers_;  ///< by sweep folder
};

SweepMonitor::SweepMonitor(QObject* parent, QString gwb) : QObject(parent) {
  qRegisterMetaType<gwb::ui::SweepSnapshot>();
  qRegisterMetaType<gwb::ui::SweepSubmission>();
  if (gwb.isEmpty()) gwb = QString::fromStdString(executableDir()) + "/gwb";
  worker_ = new SweepWorker(gwb);
  worker_->setTimeout(20);
  worker_->moveToThread(&thread_);
  connect(&thread_, &QThread::finished, worker_, &QObject::deleteLater);
  connect(worker_, &SweepWorker::snapshot, this, &SweepMonitor::received);
  connect(worker_, &SweepWorker::polled, this, [this] { poll_pending_ = false; });
  connect(worker_, &SweepWorker::submitted, this, [this](const QString& dir, const QString& job) {
    watch(dir);
    emit submitted(dir, job);
  });
  connect(worker_, &SweepWorker::failed, this, &SweepMonitor::actionFailed);
  thread_.setObjectName("sweep-monitor");
  thread_.start();
  timer_.setInterval(3000);
  connect(&timer_, &QTimer::timeout, this, &SweepMonitor::pollNow);
  timer_.start();
}

SweepMonitor::~SweepMonitor() {
  thread_.quit();
  thread_.wait();
}

void SweepMonitor::setCommandTimeout(double seconds) {
  QMetaObject::invokeMethod(worker_, [w = worker_, seconds] { w->setTimeout(seconds); });
}

void SweepMonitor::submit(const SweepSubmission& submission) {
  QMetaObject::invokeMethod(worker_, [w = worker_, submission] { w->submit(submission); });
}

void SweepMonitor::watch(const QString& sweep_dir) {
  const QString dir = QDir(sweep_dir).absolutePath();
  if (!watched_.contains(dir)) {
    watched_ << dir;
    saveWatched();
  }
  QMetaObject::invokeMethod(worker_, [w = worker_, dir] { w->poll({dir}); });
}

void SweepMonitor::unwatch(const QString& sweep_dir) {
  const QString dir = QDir(sweep_dir).absolutePath();
  if (!watched_.removeAll(dir)) return;
  for (int i = 0; i < snapshots_.size(); ++i) {
    if (snapshots_[i].dir == dir) snapshots_.removeAt(i--);
  }
  saveWatched();
  emit sweepRemoved(dir);
}

void SweepMonitor::restoreWatched() {
  for (const QString& dir : QSettings().value("cluster/watched").toStringList()) {
    if (QFileInfo::exists(dir + "/sweep.json")) watch(dir);
  }
}

void SweepMonitor::saveWatched() const { QSettings().setValue("cluster/watched", watched_); }

void SweepMonitor::cancelTask(const QString& sweep_dir, qint64 index) {
  QMetaObject::invokeMethod(worker_,
                            [w = worker_, sweep_dir, index] { w->cancel(sweep_dir, index); });
}

void SweepMonitor::resubmitTask(const QString& sweep_dir, qint64 index) {
  QMetaObject::invokeMethod(worker_,
                            [w = worker_, sweep_dir, index] { w->resubmit(sweep_dir, index); });
}

void SweepMonitor::pollNow() {
  if (poll_pending_ || watched_.isEmpty()) return;
  poll_pending_ = true;
  QMetaObject::invokeMethod(worker_, [w = worker_, dirs = watched_] { w->poll(dirs); });
}

const SweepSnapshot* SweepMonitor::snapshot(const QString& sweep_dir) const {
  for (const SweepSnapshot& s : snapshots_) {
    if (s.dir == sweep_dir) return &s;
  }
  return nullptr;
}

bool SweepMonitor::taskOf(const QString& run_dir, QString* sweep_dir, qint64* index) const {
  for (const SweepSnapshot& s : snapshots_) {
    for (const SweepTaskView& t : s.tasks) {
      if (t.run_dir != run_dir) continue;
      if (sweep_dir) *sweep_dir = s.dir;
      if (index) *index = t.index;
      return true;
    }
  }
  return false;
}

void SweepMonitor::received(const SweepSnapshot& snapshot) {
  if (!watched_.contains(snapshot.dir)) return;  // unwatched while the poll was out
  bool replaced = false;
  for (SweepSnapshot& s : snapshots_) {
    if (s.dir == snapshot.dir) {
      s = snapshot;
      replaced = true;
    }
  }
  if (!replaced) snapshots_ << snapshot;
  emit sweepUpdated(snapshot);
}

}  // namespace gwb::ui

#include "sweep_monitor.moc"
