// MetricsStore.
#include "ui/metrics_store.h"

#include <QDir>
#include <QFileInfo>
#include <filesystem>

#include "engine/report/report.h"
#include "engine/train/metrics_json.h"
#include "engine/util/error.h"
#include "engine/util/file_io.h"
#include "plotting/plot_style.h"

namespace gwb::ui {

QString StoredRun::status() const {
  if (events.failed) return QStringLiteral("failed");
  if (events.finished) return QString::fromStdString(events.finished->summary.status);
  if (has_summary) return QString::fromStdString(summary.status);
  return QStringLiteral("running");
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
    if (!follower->ended()) followers_[key] = std::move(follower);
  }
  return key;
}

void MetricsStore::appendLive(const QString& run_dir, const MetricsEvents& events) {
  const QString key = QFileInfo(run_dir).absoluteFilePath();
  StoredRun& run = ensure(key);
  run.live = true;
  followers_.erase(key);  // the controller feeds it now
  append(run, events);
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
  for (auto it = followers_.begin(); it != followers_.end();) {
    const QString key = it->first;
    try {
      MetricsEvents events = it->second->poll();
      if (!events.empty()) append(runs_.at(key), std::move(events));
    } catch (const InputError&) {
      // A damaged line: stop following rather than show half-read data as live.
      it = followers_.erase(it);
      continue;
    }
    if (it->second->ended()) {
      loadFiles(runs_.at(key));
      it = followers_.erase(it);
    } else {
      ++it;
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
