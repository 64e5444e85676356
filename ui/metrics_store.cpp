// MetricsStore.
#include "ui/metrics_store.h"

#include <QDir>
#include <QFileInfo>
#include <filesystem>

#include "engine/report/report.h"
#include "engine/util/error.h"
#include "plotting/plot_style.h"
#include "ui/run_watcher.h"

namespace gwb::ui {

QString StoredRun::status() const {
  if (missing) return QStringLiteral("deleted");
  if (live) return QStringLiteral("running");
  if (!record.dir.empty()) return QString::fromLatin1(statusName(record.status));
  if (has_summary) return QString::fromStdString(summary.status);
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

RunRecord StoredRun::current() const {
  RunRecord r = record;
  if (r.dir.empty()) {  // not read yet (a live run whose history is on its way)
    r.dir = key.toStdString();
    r.folder = QDir(key).dirName().toStdString();
  }
  if (has_config) r.config = config;
  if (live || r.numbers.empty()) {
    r.numbers = RunNumbers{};
    r.numbers.add(events);
    r.light = false;
  }
  if (live) r.status = RunStatus::Running;
  if (has_summary && !r.summary) r.summary = summary;
  return r;
}

MetricsStore::MetricsStore(QObject* parent) : QObject(parent), watcher_(new RunWatcher(this)) {
  connect(watcher_, &RunWatcher::historyRead, this, &MetricsStore::onHistoryRead);
  connect(watcher_, &RunWatcher::historyAppended, this, &MetricsStore::onHistoryAppended);
}

MetricsStore::~MetricsStore() = default;

StoredRun& MetricsStore::ensure(const QString& key) {
  auto it = runs_.find(key);
  if (it != runs_.end()) return it->second;
  StoredRun run;
  run.key = key;
  run.name = QDir(key).dirName();
  // The run keeps this colour while it is open, in every view and export; the runs open together
  // get distinct ones (a hash alone gave a fourth run the first one's colour).
  QList<QColor> taken;
  for (const auto& [k, other] : runs_) taken << other.color;
  run.color = plot::runColor(key, taken);
  run.auto_color = run.color;
  order_ << key;
  StoredRun& stored = runs_.emplace(key, std::move(run)).first->second;
  emit runAdded(key);
  return stored;
}

void MetricsStore::applyRecord(StoredRun& run, const RunRecord& record) {
  run.record = record;
  run.missing = record.status == RunStatus::Deleted;
  const QString old_name = run.name;
  const QColor old_color = run.color;
  if (record.config) {
    run.config = *record.config;
    run.has_config = true;
    run.name = QString::fromStdString(record.config->name);
    run.arch = QString::fromStdString(record.config->model.arch);
  }
  // The researcher's own name and colour for it (notes.json), W&B's display name.
  const QString display = QString::fromStdString(record.notes.display_name).trimmed();
  if (!display.isEmpty()) run.name = display;
  const QColor chosen(QString::fromStdString(record.notes.color));
  run.color = chosen.isValid() ? chosen : run.auto_color;
  if (run.loaded && (run.name != old_name || run.color != old_color)) emit runRestyled(run.key);
  if (record.summary) {
    run.summary = *record.summary;
    run.has_summary = true;
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
  if (!known || !run.loaded) {
    auto reader = std::make_shared<RunReader>(key.toStdString(), /*keep_events=*/true);
    reader->poll();
    applyRecord(run, reader->record());
    append(run, reader->takeNew());
    run.loaded = true;
    watcher_->adopt(key, reader);
  }
  run.missing = false;
  emit runUpdated(key);
  return key;
}

void MetricsStore::setLook(const QString& key, const QString& display_name, const QColor& color) {
  auto it = runs_.find(key);
  if (it == runs_.end()) return;
  StoredRun& run = it->second;
  RunNotes notes = readRunNotes(key.toStdString());
  notes.display_name = display_name.trimmed().toStdString();
  notes.color = color.isValid() ? color.name().toStdString() : std::string();
  writeRunNotes(key.toStdString(), notes);
  RunRecord record = run.record;
  record.notes = notes;
  applyRecord(run, record);
  emit runUpdated(key);
}

QString MetricsStore::openAsync(const QString& dir) {
  const QString key = QFileInfo(dir).absoluteFilePath();
  const bool known = runs_.count(key) > 0;
  StoredRun& run = ensure(key);
  if (!known) watcher_->follow(key);
  run.missing = false;
  return key;
}

void MetricsStore::onHistoryRead(const QString& dir, const MetricsEvents& events,
                                 const RunRecord& record) {
  auto it = runs_.find(dir);
  if (it == runs_.end()) return;  // removed meanwhile
  StoredRun& run = it->second;
  applyRecord(run, record);
  // Live events may have come first: the history and they overlap, the later records win.
  MetricsEvents merged = events;
  merged.append(run.events);
  merged.dedupe();
  run.events = std::move(merged);
  run.loaded = true;
  emit runUpdated(dir);
}

void MetricsStore::onHistoryAppended(const QString& dir, const MetricsEvents& events,
                                     const RunRecord& record) {
  auto it = runs_.find(dir);
  if (it == runs_.end()) return;
  StoredRun& run = it->second;
  applyRecord(run, record);
  if (!run.live && run.loaded) append(run, events);  // a live run's events come from the bridge
  emit runUpdated(dir);
}

void MetricsStore::appendLive(const QString& run_dir, const MetricsEvents& events) {
  const QString key = QFileInfo(run_dir).absoluteFilePath();
  const bool known = runs_.count(key) > 0;
  StoredRun& run = ensure(key);
  if (!known) watcher_->follow(key);  // its history (after a restart, or a re-added run)
  run.live = !(events.finished || events.failed);
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
  emit runUpdated(run.key);
}

void MetricsStore::pollFollowed() { watcher_->pollNow(); }

void MetricsStore::remove(const QString& key) {
  if (!runs_.erase(key)) return;
  watcher_->unfollow(key);
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
