// Workers (one QThread each), the observer bridge that buffers their events, and the batching
// timer on the GUI thread.
#include "app/controller/run_controller.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPointer>
#include <QThread>
#include <atomic>
#include <mutex>

#include "engine/cluster/scheduler.h"
#include "engine/runs/metrics_json.h"
#include "engine/runs/run_lock.h"
#include "engine/train/footprint.h"
#include "engine/train/trainer.h"
#include "engine/util/error.h"
#include "engine/util/file_io.h"

namespace gwb {

QString runStateName(RunState state) {
  switch (state) {
    case RunState::Queued:
      return QStringLiteral("queued");
    case RunState::Running:
      return QStringLiteral("running");
    case RunState::Stopping:
      return QStringLiteral("stopping");
    case RunState::Stopped:
      return QStringLiteral("stopped");
    case RunState::Finished:
      return QStringLiteral("finished");
    case RunState::Failed:
      return QStringLiteral("failed");
  }
  return {};
}

void RunEntry::addPace(qint64 step_, qint64 tokens, double time) {
  if (!pace.isEmpty() && (time < pace.back().time || step_ <= pace.back().step)) pace.clear();
  pace.push_back({step_, tokens, time});
  while (pace.size() > kPaceWindow) pace.pop_front();
}

double RunEntry::etaSeconds() const {
  if (!active() || total_steps <= 0 || pace.size() < 2) return -1;
  const PacePoint& a = pace.front();
  const PacePoint& b = pace.back();
  if (b.time <= a.time || b.step <= a.step) return -1;
  const double per_step = (b.time - a.time) / static_cast<double>(b.step - a.step);
  return per_step * static_cast<double>(std::max<qint64>(0, total_steps - step));
}

double RunEntry::recentTokensPerSecond() const {
  if (!active() || pace.size() < 2) return 0;
  const PacePoint& a = pace.front();
  const PacePoint& b = pace.back();
  return b.time > a.time ? static_cast<double>(b.tokens - a.tokens) / (b.time - a.time) : 0;
}

// Buffers one run's events for the GUI thread. Called on the worker thread.
class RunController::Bridge : public RunObserver {
 public:
  Bridge(RunController* controller, QString id) : controller_(controller), id_(std::move(id)) {}

  void onStarted(const RunStart& s) override {
    std::lock_guard<std::mutex> lock(mutex);
    start = s;
    started = true;
    notify();
  }
  void onStep(const StepEvent& e) override {
    add([&](MetricsEvents& m) { m.steps.push_back(e); });
  }
  void onEval(const EvalEvent& e) override {
    add([&](MetricsEvents& m) { m.evals.push_back(e); });
  }
  void onAlpha(const AlphaEvent& e) override {
    add([&](MetricsEvents& m) { m.alphas.push_back(e); });
  }
  void onPlucker(const PluckerEvent& e) override {
    add([&](MetricsEvents& m) { m.pluckers.push_back(e); });
  }
  void onCheckpoint(const CheckpointEvent& e) override {
    add([&](MetricsEvents& m) { m.checkpoints.push_back(e); });
  }
  void onLog(const LogEvent& e) override {
    add([&](MetricsEvents& m) { m.logs.push_back(e); });
  }
  void onFinished(const FinishedEvent& e) override {
    add([&](MetricsEvents& m) { m.finished = e; });
  }
  void onFailed(const FailedEvent& e) override {
    add([&](MetricsEvents& m) { m.failed = e; });
  }

  std::mutex mutex;  // guards everything below
  MetricsEvents pending;
  RunStart start;
  bool started = false;
  bool flush_requested = false;

 private:
  template <typename F>
  void add(F&& f) {
    std::lock_guard<std::mutex> lock(mutex);
    f(pending);
    notify();
  }
  // Asks the GUI thread for one flush unless one is already on its way (call with mutex held).
  void notify() {
    if (flush_requested) return;
    flush_requested = true;
    QMetaObject::invokeMethod(
        controller_, [c = controller_] { c->requestFlush(); }, Qt::QueuedConnection);
  }
  RunController* controller_;
  QString id_;
};

struct RunController::Worker {
  std::unique_ptr<Bridge> bridge;
  std::atomic<bool> stop{false};
  QThread* thread = nullptr;
  TrainOutcome outcome;
  QString error;  // an exception (bad input) instead of an outcome
};

RunController::RunController(QString runs_dir, QObject* parent)
    : QObject(parent), runs_dir_(std::move(runs_dir)) {
  qRegisterMetaType<gwb::EventBatch>();
  flush_timer_.setSingleShot(true);
  flush_timer_.setInterval(50);
  connect(&flush_timer_, &QTimer::timeout, this, &RunController::flush);
}

RunController::~RunController() {
  for (auto& [id, worker] : workers_) worker->stop = true;
  for (auto& [id, worker] : workers_) {
    if (worker->thread) {
      worker->thread->wait();
      delete worker->thread;
    }
  }
}

QString RunController::newId() { return QStringLiteral("run-%1").arg(next_id_++); }

QString RunController::enqueue(const RunConfig& config, const QString& source,
                               const QString& target_dir) {
  RunEntry e;
  e.id = newId();
  e.name = QString::fromStdString(config.name);
  e.arch = QString::fromStdString(config.model.arch);
  e.config = config;
  e.source = source;
  e.target_dir = target_dir;
  entries_[e.id] = e;
  order_ << e.id;
  emit runAdded(e.id);
  schedule();
  return e.id;
}

bool RunController::stop(const QString& id) {
  auto it = entries_.find(id);
  if (it == entries_.end()) return false;
  RunEntry& e = it->second;
  if (e.state == RunState::Queued) {
    e.state = RunState::Stopped;
    emit runChanged(id);
    return true;
  }
  if (e.state != RunState::Running) return false;
  workers_.at(id)->stop = true;
  e.state = RunState::Stopping;
  emit runChanged(id);
  return true;
}

bool RunController::remove(const QString& id) {
  auto it = entries_.find(id);
  if (it == entries_.end() || it->second.active()) return false;
  entries_.erase(it);
  order_.removeAll(id);
  emit runRemoved(id);
  return true;
}

void RunController::setMaxConcurrent(int n) {
  max_concurrent_ = std::max(0, n);
  schedule();
}

int RunController::effectiveConcurrency() const {
  if (max_concurrent_ > 0) return max_concurrent_;
  std::vector<RunConfig> configs;
  std::string device = "auto";
  for (const auto& [id, e] : entries_) {
    if (e.state != RunState::Queued && !e.active()) continue;
    if (!e.resume_dir.isEmpty()) continue;  // its configuration is in its folder; the others decide
    configs.push_back(e.config);
    resolveRunConfig(configs.back(), knownVocabSize(configs.back().data.tokenizer));
    device = configs.back().train.device;
  }
  const DeviceCapacity capacity = deviceCapacity(device);
  std::vector<std::int64_t> footprints;
  for (const RunConfig& c : configs)
    footprints.push_back(estimateFootprint(c, usesBf16(c.train, capacity.cuda)));
  return decideJobs(capacity, footprints);
}

const RunEntry* RunController::entry(const QString& id) const {
  const auto it = entries_.find(id);
  return it == entries_.end() ? nullptr : &it->second;
}

int RunController::activeCount() const {
  int n = 0;
  for (const auto& [id, e] : entries_) n += e.active();
  return n;
}

void RunController::schedule() {
  const int limit = effectiveConcurrency();
  for (const QString& id : order_) {
    if (activeCount() >= limit) return;
    RunEntry& e = entries_.at(id);
    if (e.state != RunState::Queued) continue;
    e.state = RunState::Running;
    auto worker = std::make_unique<Worker>();
    worker->bridge = std::make_unique<Bridge>(this, id);
    Worker* w = worker.get();
    TrainRequest request;
    request.config = e.config;
    request.source = e.source.toStdString();
    request.runs_dir = runs_dir_.toStdString();
    request.resume_dir = e.resume_dir.toStdString();
    request.run_dir = e.target_dir.toStdString();  // a study's run: its own folder
    w->thread = QThread::create([w, request]() mutable {
      request.stop = &w->stop;
      try {
        w->outcome = runTraining(request, *w->bridge);
      } catch (const std::exception& ex) {
        w->error = QString::fromUtf8(ex.what());
      }
    });
    connect(w->thread, &QThread::finished, this, [this, id] { workerDone(id); });
    workers_[id] = std::move(worker);
    w->thread->start();
    emit runChanged(id);
  }
}

void RunController::requestFlush() {
  if (!flush_timer_.isActive()) flush_timer_.start();
}

void RunController::flush() {
  for (auto& [id, worker] : workers_) {
    Bridge& b = *worker->bridge;
    EventBatch batch;
    RunStart start;
    bool started = false;
    {
      std::lock_guard<std::mutex> lock(b.mutex);
      batch.events = std::move(b.pending);
      b.pending = MetricsEvents{};
      b.flush_requested = false;
      if (b.started) {
        start = b.start;
        started = true;
        b.started = false;
      }
    }
    RunEntry& e = entries_.at(id);
    if (started) {
      e.run_dir = QString::fromStdString(start.run_dir);
      e.name = QString::fromStdString(start.name);
      e.arch = QString::fromStdString(start.arch);
      e.total_steps = start.total_steps;
      e.first_step = start.first_step;
      e.pace.clear();  // the pace of this session only
      e.step = start.first_step;
      e.params = start.params;
      e.device = QString::fromStdString(start.device);
      emit runStarted(id, e.run_dir);
    }
    if (batch.events.empty()) {
      if (started) emit runChanged(id);
      continue;
    }
    if (!batch.events.steps.empty()) {
      const StepEvent& last = batch.events.steps.back();
      e.step = last.step;
      e.tokens_per_s = last.tokens_per_s;
      e.run_seconds = last.time;
      for (const StepEvent& s : batch.events.steps) e.addPace(s.step, s.tokens, s.time);
    }
    batch.run_id = id;
    batch.run_dir = e.run_dir;
    emit eventsArrived(batch);
    emit runChanged(id);
  }
}

void RunController::workerDone(const QString& id) {
  flush();  // the last events first
  auto it = workers_.find(id);
  if (it == workers_.end()) return;
  std::unique_ptr<Worker> worker = std::move(it->second);
  workers_.erase(it);
  worker->thread->wait();
  delete worker->thread;
  RunEntry& e = entries_.at(id);
  if (!worker->error.isEmpty()) {
    e.state = RunState::Failed;
    e.error = worker->error;
  } else {
    e.summary = worker->outcome.summary;
    if (e.run_dir.isEmpty()) e.run_dir = QString::fromStdString(worker->outcome.run_dir);
    const std::string& status = worker->outcome.summary.status;
    e.state = status == "finished"  ? RunState::Finished
              : status == "stopped" ? RunState::Stopped
                                    : RunState::Failed;
    e.error = QString::fromStdString(worker->outcome.summary.error);
  }
  emit runChanged(id);
  emit runEnded(id);
  schedule();
}

}  // namespace gwb
