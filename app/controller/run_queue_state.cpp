// RunController's queue across restarts and run folders: which state a folder is in (queued here,
// training here or elsewhere, resumable, finished), Resume, and the queue saved and restored.
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include "app/controller/run_controller.h"
#include "engine/runs/metrics_json.h"
#include "engine/runs/run_lock.h"
#include "engine/runs/run_progress.h"
#include "engine/util/error.h"
#include "engine/util/file_io.h"

namespace gwb {

namespace {

QString canonicalDir(const QString& dir) {
  const QFileInfo info(dir);
  const QString canonical = info.canonicalFilePath();
  return canonical.isEmpty() ? info.absoluteFilePath() : canonical;
}

}  // namespace

QString RunController::entryOfDir(const QString& run_dir) const {
  const QString dir = canonicalDir(run_dir);
  for (const QString& id : order_) {
    const RunEntry& e = entries_.at(id);
    if (!e.run_dir.isEmpty() && canonicalDir(e.run_dir) == dir) return id;
  }
  return {};
}

RunController::DirState RunController::dirState(const QString& run_dir, QString* detail) const {
  const QString id = entryOfDir(run_dir);
  if (!id.isEmpty()) {
    const RunEntry& e = entries_.at(id);
    if (e.state == RunState::Queued) return DirState::Queued;
    if (e.active()) return DirState::Training;
  }
  if (!QFileInfo::exists(run_dir + QStringLiteral("/config.json"))) {
    if (detail) *detail = tr("%1 is not a run directory (no config.json)").arg(run_dir);
    return DirState::NotARun;
  }
  std::string holder;
  if (RunLock::isHeld(run_dir.toStdString(), &holder)) {
    if (detail)
      *detail = tr("%1 is being trained by %2").arg(run_dir, QString::fromStdString(holder));
    return DirState::TrainedElsewhere;
  }
  try {
    const std::string summary = (run_dir + QStringLiteral("/summary.json")).toStdString();
    if (QFileInfo::exists(QString::fromStdString(summary)) &&
        summaryFromJson(readFileBytes(summary), summary).status == "finished") {
      if (detail) *detail = tr("%1 has finished: there is nothing to resume").arg(run_dir);
      return DirState::Finished;
    }
  } catch (const InputError&) {
  }
  return DirState::Resumable;
}

QString RunController::enqueueResume(const QString& run_dir, QString* why) {
  const DirState state = dirState(run_dir, why);
  const QString existing = entryOfDir(run_dir);
  if (state == DirState::Queued || state == DirState::Training) {
    if (why)
      *why = tr("%1 is already %2")
                 .arg(run_dir, state == DirState::Queued ? tr("queued") : tr("training"));
    return existing;
  }
  if (state != DirState::Resumable) return {};
  if (!existing.isEmpty()) {  // the same row continues
    RunEntry& e = entries_.at(existing);
    e.state = RunState::Queued;
    e.resume_dir = e.run_dir;
    e.error.clear();
    order_.removeAll(existing);
    order_ << existing;
    emit runChanged(existing);
    schedule();
    return existing;
  }
  RunEntry e;
  e.id = newId();
  e.resume_dir = canonicalDir(run_dir);
  e.run_dir = e.resume_dir;
  try {
    const RunConfig config =
        loadRunConfig((run_dir + QStringLiteral("/config.json")).toStdString());
    e.name = QString::fromStdString(config.name);
    e.arch = QString::fromStdString(config.model.arch);
    e.config = config;
  } catch (const InputError& error) {
    if (why) *why = QString::fromUtf8(error.what());
    return {};
  }
  entries_[e.id] = e;
  order_ << e.id;
  emit runAdded(e.id);
  schedule();
  return e.id;
}

int RunController::clearQueued() {
  int removed = 0;
  for (const QString& id : QStringList(order_)) {
    if (entries_.at(id).state == RunState::Queued) removed += remove(id);
  }
  return removed;
}

QByteArray RunController::saveQueue() const {
  QJsonArray rows;
  for (const QString& id : order_) {
    const RunEntry& e = entries_.at(id);
    QJsonObject row{{"state", runStateName(e.state)}};
    if (!e.run_dir.isEmpty()) {
      row["run_dir"] = e.run_dir;
      row["step"] = e.step;  // an ended row keeps its progress after a restart
      row["total_steps"] = e.total_steps;
    } else if (e.state == RunState::Queued || e.active()) {  // not started yet: its configuration
      row["state"] = runStateName(RunState::Queued);
      row["config"] =
          QJsonDocument::fromJson(QByteArray::fromStdString(runConfigToJson(e.config))).object();
      row["source"] = e.source;
      if (!e.target_dir.isEmpty()) row["target_dir"] = e.target_dir;
    } else {
      continue;  // stopped before it started: nothing to keep
    }
    rows.append(row);
  }
  return QJsonDocument(QJsonObject{{"queue", rows}}).toJson(QJsonDocument::Compact);
}

int RunController::restoreQueue(const QByteArray& json) {
  int restored = 0;
  for (const auto& value : QJsonDocument::fromJson(json).object()["queue"].toArray()) {
    const QJsonObject row = value.toObject();
    try {
      if (row.contains("config")) {
        const RunConfig config = parseRunConfig(
            QJsonDocument(row["config"].toObject()).toJson().toStdString(), "the saved queue");
        enqueue(config, row["source"].toString(), row["target_dir"].toString());
        ++restored;
        continue;
      }
      const QString dir = row["run_dir"].toString();
      if (dir.isEmpty() || !QFileInfo::exists(dir + QStringLiteral("/config.json"))) continue;
      const QString state = row["state"].toString();
      if (state == QLatin1String("queued") || state == QLatin1String("running") ||
          state == QLatin1String("stopping")) {
        restored += !enqueueResume(dir).isEmpty();  // it was to train: it trains on
      } else if (dirState(dir) == DirState::Resumable || state == QLatin1String("finished")) {
        // An ended run keeps its row (and what Resume offers).
        RunEntry e;
        e.id = newId();
        e.run_dir = dir;
        const RunConfig config =
            loadRunConfig((dir + QStringLiteral("/config.json")).toStdString());
        e.name = QString::fromStdString(config.name);
        e.arch = QString::fromStdString(config.model.arch);
        e.config = config;
        e.state = state == QLatin1String("finished") ? RunState::Finished
                  : state == QLatin1String("failed") ? RunState::Failed
                                                     : RunState::Stopped;
        // Its progress as saved (rows saved before it was kept: as far as its files say).
        e.step = row["step"].toInteger();
        e.total_steps = row["total_steps"].toInteger();
        if (e.step <= 0) e.step = readRunProgress(dir.toStdString()).step;
        if (e.total_steps <= 0 && e.state == RunState::Finished) e.total_steps = e.step;
        entries_[e.id] = e;
        order_ << e.id;
        emit runAdded(e.id);
        ++restored;
      }
    } catch (const InputError&) {
      // A saved row whose configuration no longer parses is dropped.
    }
  }
  return restored;
}

}  // namespace gwb
