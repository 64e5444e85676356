// MetricsStore.
#include "ui/metrics_store.h"

#include <QDir>
#include <QFileInfo>
#include <filesystem>

#include "engine/report/report.h"
#include "engine/train/metrics_json.h"
#include "engine/train/run_lock.h"
#include "engine/util/error.h"
#include "engine/util/file_io.h"
#include "plotting/plot_style.h"

namespace gwb::ui {

QString StoredRun::status() const {
  if (missing) return QStringLiteral("deleted");
  if (RunLock::isHeld(key.toStdString())) return QStringLiteral("running");
  if (last_growth.isValid() && last_growth.secsTo(QDateTime::currentDateTime()) < 60)
    return QStringLiteral("running");
  if (has_summary) return QString::fromStdString(summary.status);
  if (events.finished) return QString::fromStdString(events.finished->summary.status);
  if (events.failed) return QStringLiteral("failed");
  return QStringLiteral("killed");
}

QString StoredRun::groupKey() const {
  return has_config ? QString::fromStdString(configGroupKey(config)) : key;
}

QString StoredRun::configLabel() const {
  if (!has_config) return name;
  return QString::fromStdString(gwb::configLabel(config.model.arch, config.model.n_layers,
                                                 config.data.seq_len, config.data.tokenizer));
}

MetricsStore::MetricsStore(QObject* parent) : QObject(parent) {
  poll_timer_.setInterval(1000);
  connect(&poll_timer_, &QTimer::timeout, this, &MetricsStore::pollFollowed);
  poll_timer_.start();
}

MetricsStore::~MetricsStore() = default;

StoredRun& MetricsStore::ensure(const QString& key) {
  auto it = runs_.find(key);
  if (it != runs_.end()) return it->second;
  StoredRun run;
  run.key = key;
  run.name = QDir(key).dirName();
  run.color = plot::runColor(key);
  order_ << key;
  StoredRun& stored = runs_.emplace(key, std::move(run)).first->second;
  loadFiles(stored);
  emit runAdded(key);
  return stored;
}

void MetricsStore::loadFiles(StoredRun& run) {
  const std::string dir = run.key.toStdString();
  std::error_code ec;
  if (std::filesystem::is_regular_file(dir + "/config.json", ec)) {
    try {
      run.config = loadRunConfig(dir + "/config.json");
      run.has_config = true;
      run.name = QString::fromStdString(run.config.name);
      run.arch = QString::fromStdString(run.config.model.arch);
    } catch (const InputError&) {
      // An unreadable configuration still leaves the curves to look at.
    }
  }
  if (std::filesystem::is_regular_file(dir + "/summary.json", ec)) {
    try {
      run.summary = summaryFromJson(readFileBytes(dir + "/summary.json"), dir + "/summary.json");
      run.has_summary = true;
    } catch (const InputError&) {
    }
  }
}

QString MetricsStore::open(const QString& dir) {
  const QString key = QFileInfo(dir).absoluteFilePath();
  if (!QFileInfo::exists(key + "/config.json") && !QFileInfo::exists(key + "/metrics.jsonl")) {
    throw InputError({key.toStdString()},
                     expectedGot("a run directory (config.json, metrics.jsonl)", "neither file"));
  }
  const bool known = runs_.count(key) > 0;
  StoredRun& run = ensure(key);
  if (!known && !run.live) {
    auto follower = std::make_unique<MetricsFollower>((key + "/metrics.jsonl").toStdString());
    MetricsEvents events = follower->poll();
    events.dedupe();
    append(run, std::move(events));
    followers_[key] = std::move(follower);
  }
  run.missing = false;
  return key;
}

void MetricsStore::appendLive(const QString& run_dir, const MetricsEvents& events) {
  const QString key = QFileInfo(run_dir).absoluteFilePath();
  StoredRun& run = ensure(key);
  if (!run.live) {
    // The controller feeds it now; the file has what was written before (a resumed run).
    auto it = followers_.find(key);
    if (it != followers_.end()) {
      MetricsEvents earlier = it->second->poll();
      if (!earlier.empty()) append(run, std::move(earlier));
      followers_.erase(it);
    }
    run.live = true;
  }
  append(run, events);
  if (events.finished || events.failed) {
    loadFiles(run);
    run.live = false;  // ended: followed from its file again (a later resume appends to it)
    followers_[key] = std::make_unique<MetricsFollower>((key + "/metrics.jsonl").toStdString());
    followers_[key]->poll();  // skip what the controller already delivered
  }
}

void MetricsStore::append(StoredRun& run, MetricsEvents events) {
  if (events.empty()) return;
  // A resumed run repeats the steps after its last checkpoint: let the later records win.
  const bool overlaps = !run.events.steps.empty() && !events.steps.empty() &&
                        events.steps.front().step <= run.events.steps.back().step;
  run.events.append(events);
  if (overlaps) run.events.dedupe();
  if (events.finished) {
    run.summary = events.finished->summary;
    run.has_summary = true;
  }
  if (!run.has_config) loadFiles(run);
  emit runUpdated(run.key);
}

void MetricsStore::pollFollowed() {
  for (auto& [key, run] : runs_) {
    const bool gone = !QFileInfo::exists(key);
    if (gone != run.missing) {
      run.missing = gone;
      emit runUpdated(key);
    }
  }
  for (auto& [key, follower] : followers_) {
    StoredRun& run = runs_.at(key);
    if (run.missing || run.live) continue;
    MetricsEvents events = follower->poll();
    if (events.empty()) continue;
    run.last_growth = QDateTime::currentDateTime();
    const bool ended = events.finished || events.failed;
    append(run, std::move(events));
    if (ended) {
      loadFiles(run);  // its summary.json is the new one
      emit runUpdated(key);
    }
  }
}

void MetricsStore::remove(const QString& key) {
  if (!runs_.erase(key)) return;
  followers_.erase(key);
  order_.removeAll(key);
  emit runRemoved(key);
}

void MetricsStore::clear() {
  const QStringList keys = order_;
  for (const QString& key : keys) remove(key);
}

const StoredRun* MetricsStore::run(const QString& key) const {
  const auto it = runs_.find(key);
  return it == runs_.end() ? nullptr : &it->second;
}

}  // namespace gwb::ui
