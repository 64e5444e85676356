// RunBrowser.
#include "ui/run_browser.h"

#include <QDateTime>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFileSystemWatcher>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSaveFile>
#include <QStandardPaths>
#include <QTableWidget>
#include <QTimeZone>
#include <QTimer>
#include <QVBoxLayout>
#include <cmath>
#include <map>

#include "engine/report/report.h"
#include "engine/train/metrics_reader.h"
#include "engine/train/run_lock.h"

namespace gwb::ui {
namespace {

enum Column {
  kName,
  kStarted,
  kSeed,
  kDiffers,
  kTask,
  kArch,
  kN,
  kL,
  kTokenizer,
  kStatus,
  kStep,
  kValid,
  kTest,
  kTags,
  kNote,
  kModified,
  kColumns
};

// A cell that sorts by a value of its own (numbers as numbers, times as times).
class SortItem : public QTableWidgetItem {
 public:
  SortItem(const QString& text, const QVariant& key) : QTableWidgetItem(text) {
    setData(Qt::UserRole + 1, key);
  }
  bool operator<(const QTableWidgetItem& other) const override {
    const QVariant a = data(Qt::UserRole + 1), b = other.data(Qt::UserRole + 1);
    if (a.typeId() == QMetaType::Double && b.typeId() == QMetaType::Double)
      return a.toDouble() < b.toDouble();
    if (a.typeId() == QMetaType::QDateTime && b.typeId() == QMetaType::QDateTime)
      return a.toDateTime() < b.toDateTime();
    return text().localeAwareCompare(other.text()) < 0;
  }
};

// "section.key" -> value of a configuration, for telling runs of one name apart.
std::map<QString, QString> flatConfig(const RunConfig& config) {
  std::map<QString, QString> out;
  const QJsonObject root =
      QJsonDocument::fromJson(QByteArray::fromStdString(runConfigToJson(config))).object();
  for (auto it = root.begin(); it != root.end(); ++it) {
    if (!it.value().isObject()) {
      out[it.key()] =
          QJsonDocument(QJsonArray{it.value()}).toJson(QJsonDocument::Compact).mid(1).chopped(1);
      continue;
    }
    const QJsonObject section = it.value().toObject();
    for (auto k = section.begin(); k != section.end(); ++k)
      out[it.key() + '.' + k.key()] =
          QJsonDocument(QJsonArray{k.value()}).toJson(QJsonDocument::Compact).mid(1).chopped(1);
  }
  for (const char* skip : {"name", "description", "train.device", "train.threads"}) out.erase(skip);
  return out;
}

// The last step written to metrics.jsonl, from its tail.
qint64 lastStep(const QString& metrics) {
  QFile f(metrics);
  if (!f.open(QIODevice::ReadOnly)) return 0;
  f.seek(std::max<qint64>(0, f.size() - 8192));
  const QList<QByteArray> lines = f.readAll().split('\n');
  for (auto it = lines.rbegin(); it != lines.rend(); ++it) {
    const QJsonObject o = QJsonDocument::fromJson(*it).object();
    if (o.contains("step")) return o["step"].toInteger();
  }
  return 0;
}

QString ppl(double v) { return v > 0 ? QString::number(v, 'f', 2) : QString(); }
QString percent(double fraction) {
  return fraction >= 0 ? QString::number(100 * fraction, 'f', 2) + QStringLiteral(" %") : QString();
}

}  // namespace

RunNotes readRunNotes(const QString& run_dir) {
  QFile f(run_dir + QStringLiteral("/notes.json"));
  RunNotes notes;
  if (!f.open(QIODevice::ReadOnly)) return notes;
  const QJsonObject o = QJsonDocument::fromJson(f.readAll()).object();
  notes.note = o["note"].toString();
  for (const auto& t : o["tags"].toArray()) notes.tags << t.toString();
  return notes;
}

bool writeRunNotes(const QString& run_dir, const RunNotes& notes) {
  QSaveFile f(run_dir + QStringLiteral("/notes.json"));
  if (!f.open(QIODevice::WriteOnly)) return false;
  f.write(QJsonDocument(
              QJsonObject{{"note", notes.note}, {"tags", QJsonArray::fromStringList(notes.tags)}})
              .toJson());
  return f.commit();
}

bool resumable(const RunListing& run) {
  return run.status == QLatin1String("stopped") || run.status == QLatin1String("failed") ||
         run.status == QLatin1String("killed");
}

QList<RunListing> listRuns(const QString& runs_dir) {
  QList<RunListing> out;
  std::map<QString, std::map<QString, QString>> configs;  // dir -> flattened configuration
  const QFileInfoList entries =
      QDir(runs_dir).entryInfoList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Time);
  for (const QFileInfo& entry : entries) {
    const QString dir = entry.absoluteFilePath();
    // sweeps/ holds cluster sweeps' scripts and task configurations, not runs (CONTRACTS.md).
    if (entry.fileName() == QLatin1String("sweeps")) continue;
    if (!QFileInfo::exists(dir + "/config.json")) continue;
    RunListing r;
    r.dir = dir;
    r.name = entry.fileName();
    // The folder's name starts with its start time (UTC), as createRunDir writes it.
    r.started = QDateTime::fromString(entry.fileName().left(15), QStringLiteral("yyyyMMdd-HHmmss"));
    r.started.setTimeZone(QTimeZone::utc());
    if (!r.started.isValid()) r.started = QFileInfo(dir + "/config.json").birthTime();
    const bool training = RunLock::isHeld(dir.toStdString());
    try {
      const RunRecord record = readRunRecord(dir.toStdString());
      configs[dir] = flatConfig(record.config);
      r.seed = record.config.seed;
      r.name = QString::fromStdString(record.config.name);
      r.task = QString::fromStdString(record.config.data.task);
      r.arch = QString::fromStdString(record.config.model.arch);
      r.tokenizer = QString::fromStdString(record.config.data.tokenizer);
      r.n_layers = record.config.model.n_layers;
      r.seq_len = record.config.data.seq_len;
      if (record.has_summary && !training) {
        r.status = QString::fromStdString(record.summary.status);
        r.best_valid_ppl = record.summary.best_valid_ppl;
        r.test_ppl = record.summary.test_ppl;
        r.best_valid_accuracy = record.summary.best_valid_accuracy;
        r.test_accuracy = record.summary.test_accuracy;
      } else {
        // Training (or killed): a summary there is a stale one of an earlier stop; the numbers
        // are the evaluations so far.
        const MetricsEvents events = readMetricsFile((dir + "/metrics.jsonl").toStdString());
        for (const EvalEvent& e : events.evals) {
          if (e.split != "valid") continue;
          if (e.classification) {
            r.best_valid_accuracy = std::max(r.best_valid_accuracy, e.accuracy);
          } else if (std::isfinite(e.ppl) && (r.best_valid_ppl <= 0 || e.ppl < r.best_valid_ppl)) {
            r.best_valid_ppl = e.ppl;
          }
        }
        r.in_progress = training;
      }
    } catch (const std::exception& e) {
      r.status = QStringLiteral("unreadable: ") + QString::fromUtf8(e.what());
    }
    const QFileInfo metrics(dir + "/metrics.jsonl");
    r.modified = metrics.exists() ? metrics.lastModified() : entry.lastModified();
    r.step = lastStep(metrics.absoluteFilePath());
    if (training) {
      r.status = QStringLiteral("running");
    } else if (r.status.isEmpty()) {
      r.status = QStringLiteral("killed");  // no summary and no trainer: resumable
    }
    r.notes = readRunNotes(dir);
    out << r;
  }
  // Runs of one name: the keys where each differs from the others of that name.
  for (RunListing& r : out) {
    if (!configs.count(r.dir)) continue;
    QStringList keys;
    for (const RunListing& other : out) {
      if (other.dir == r.dir || other.name != r.name || !configs.count(other.dir)) continue;
      for (const auto& [key, value] : configs[r.dir]) {
        const auto it = configs[other.dir].find(key);
        if ((it == configs[other.dir].end() || it->second != value) && !keys.contains(key))
          keys << key;
      }
    }
    QStringList parts;
    for (const QString& key : keys) parts << key + QStringLiteral("=") + configs[r.dir][key];
    r.differs = parts.join(QStringLiteral(", "));
  }
  return out;
}

RunBrowser::RunBrowser(QWidget* parent) : QWidget(parent) {
  folder_ = new QLineEdit;
  auto* browse = new QPushButton(tr("Folder…"));
  auto* refresh_button = new QPushButton(tr("Refresh"));
  auto* top = new QHBoxLayout;
  top->addWidget(new QLabel(tr("Runs folder")));
  top->addWidget(folder_, 1);
  top->addWidget(browse);
  top->addWidget(refresh_button);

  filter_ = new QLineEdit;
  filter_->setPlaceholderText(
      tr("Filter: name, architecture, status, tags, note, differing keys…"));
  filter_->setClearButtonEnabled(true);
  table_ = new QTableWidget(0, kColumns);
  table_->setHorizontalHeaderLabels(
      {tr("Run"), tr("Started (UTC)"), tr("Seed"), tr("Differs from same-name runs"), tr("Task"),
       tr("Architecture"), tr("N"), tr("L"), tr("Tokens"), tr("Status"), tr("Step"),
       tr("Best valid (PPL / acc)"), tr("Test (PPL / acc)"), tr("Tags"), tr("Note"),
       tr("Modified")});
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->verticalHeader()->setVisible(false);
  table_->horizontalHeader()->setStretchLastSection(true);
  table_->setSortingEnabled(true);
  table_->sortByColumn(kStarted, Qt::DescendingOrder);

  auto* open = new QPushButton(tr("Open in monitor"));
  auto* compare = new QPushButton(tr("Compare"));
  resume_ = new QPushButton(tr("Resume"));
  auto* resume = resume_;
  auto* notes = new QPushButton(tr("Note && tags…"));
  auto* remove = new QPushButton(tr("Move to trash…"));
  auto* open_other = new QPushButton(tr("Open run elsewhere…"));
  auto* buttons = new QHBoxLayout;
  for (QPushButton* b : {open, compare, resume, notes, remove}) buttons->addWidget(b);
  buttons->addStretch(1);
  buttons->addWidget(open_other);

  auto* layout = new QVBoxLayout(this);
  layout->addLayout(top);
  layout->addWidget(filter_);
  layout->addWidget(table_, 1);
  layout->addLayout(buttons);

  // The folder is followed: a run appears when its folder does (watcher), and the states and
  // numbers of the listed runs follow their files (every 2 s while the tab is visible).
  watcher_ = new QFileSystemWatcher(this);
  connect(watcher_, &QFileSystemWatcher::directoryChanged, this, [this] { refresh(); });
  timer_ = new QTimer(this);
  timer_->setInterval(2000);
  connect(timer_, &QTimer::timeout, this, [this] {
    if (isVisible()) refresh();
  });
  timer_->start();
  connect(filter_, &QLineEdit::textChanged, this, [this] { applyFilter(); });
  connect(table_, &QTableWidget::itemSelectionChanged, this, &RunBrowser::updateButtons);
  connect(folder_, &QLineEdit::editingFinished, this, [this] { setRunsDir(folder_->text()); });
  connect(browse, &QPushButton::clicked, this, [this] {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Runs folder"), folder_->text());
    if (!dir.isEmpty()) setRunsDir(dir);
  });
  connect(refresh_button, &QPushButton::clicked, this, &RunBrowser::refresh);
  connect(open, &QPushButton::clicked, this, [this] { emit openRequested(selectedDirs()); });
  connect(table_, &QTableWidget::cellDoubleClicked, this,
          [this] { emit openRequested(selectedDirs()); });
  connect(compare, &QPushButton::clicked, this, [this] { emit compareRequested(selectedDirs()); });
  connect(resume, &QPushButton::clicked, this, [this] {
    for (const QString& d : selectedDirs()) emit resumeRequested(d);
  });
  connect(notes, &QPushButton::clicked, this, &RunBrowser::editNotes);
  connect(remove, &QPushButton::clicked, this, &RunBrowser::deleteSelected);
  connect(open_other, &QPushButton::clicked, this, [this] {
    const QString dir =
        QFileDialog::getExistingDirectory(this, tr("A run directory (written by gwb anywhere)"));
    if (!dir.isEmpty()) emit openRequested({dir});
  });
}

void RunBrowser::setRunsDir(const QString& dir) {
  if (folder_->text() != dir) folder_->setText(dir);
  if (!watcher_->directories().isEmpty()) watcher_->removePaths(watcher_->directories());
  QDir().mkpath(dir);
  watcher_->addPath(dir);
  refresh();
  emit runsDirChanged(dir);
}

void RunBrowser::setFilter(const QString& text) {
  filter_->setText(text);
  applyFilter();
}

void RunBrowser::applyFilter() {
  const QString text = filter_->text().trimmed();
  for (int row = 0; row < table_->rowCount(); ++row) {
    bool match = text.isEmpty();
    for (int c = 0; c < kColumns && !match; ++c) {
      const QTableWidgetItem* item = table_->item(row, c);
      match = item && item->text().contains(text, Qt::CaseInsensitive);
    }
    table_->setRowHidden(row, !match);
  }
}

const RunListing* RunBrowser::listing(const QString& dir) const {
  for (const RunListing& r : runs_) {
    if (r.dir == dir) return &r;
  }
  return nullptr;
}

QStringList RunBrowser::shownDirs() const {
  QStringList dirs;
  for (int row = 0; row < table_->rowCount(); ++row) {
    if (!table_->isRowHidden(row)) dirs << table_->item(row, kName)->data(Qt::UserRole).toString();
  }
  return dirs;
}

void RunBrowser::say(const QString& text) {
  message_ = text;
  emit messageShown(text);
}

void RunBrowser::updateButtons() {
  const QStringList dirs = selectedDirs();
  bool ok = !dirs.isEmpty();
  QString why;
  for (const QString& d : dirs) {
    const RunListing* r = listing(d);
    if (r && !resumable(*r)) {
      ok = false;
      why = r->status == QLatin1String("running")
                ? tr("%1 is training: one trainer per run folder").arg(r->name)
                : tr("%1 is %2: nothing to resume").arg(r->name, r->status);
    }
  }
  resume_->setEnabled(ok);
  resume_->setToolTip(ok ? tr("Continue from the last checkpoint") : why);
}

QString RunBrowser::runsDir() const { return folder_->text(); }

int RunBrowser::runCount() const { return runs_.size(); }

void RunBrowser::refresh() {
  const QStringList selected = selectedDirs();
  runs_ = listRuns(folder_->text());
  table_->setSortingEnabled(false);  // rows are filled in listing order, then sorted once
  table_->setRowCount(runs_.size());
  for (int i = 0; i < runs_.size(); ++i) {
    const RunListing& r = runs_[i];
    const bool snli = r.task == QLatin1String("snli");
    const QString mark = r.in_progress ? tr(" (so far)") : QString();
    const QStringList cells = {
        r.name,
        r.started.toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")),
        QString::number(r.seed),
        r.differs,
        r.task,
        r.arch,
        r.n_layers ? QString::number(r.n_layers) : QString(),
        r.seq_len ? QString::number(r.seq_len) : QString(),
        r.tokenizer,
        r.status,
        QString::number(r.step),
        (snli ? percent(r.best_valid_accuracy) : ppl(r.best_valid_ppl)) + mark,
        snli ? percent(r.test_accuracy) : ppl(r.test_ppl),
        r.notes.tags.join(QStringLiteral(", ")),
        r.notes.note,
        r.modified.toString(QStringLiteral("yyyy-MM-dd HH:mm"))};
    const double valid = snli ? r.best_valid_accuracy : r.best_valid_ppl;
    const double test = snli ? r.test_accuracy : r.test_ppl;
    const QVariant keys[kColumns] = {{},
                                     r.started,
                                     static_cast<double>(r.seed),
                                     {},
                                     {},
                                     {},
                                     static_cast<double>(r.n_layers),
                                     static_cast<double>(r.seq_len),
                                     {},
                                     {},
                                     static_cast<double>(r.step),
                                     valid,
                                     test,
                                     {},
                                     {},
                                     r.modified};
    for (int c = 0; c < kColumns; ++c) {
      auto* item = new SortItem(cells[c], keys[c]);
      item->setToolTip(c == kName ? r.dir : cells[c]);
      if (c == kName) item->setData(Qt::UserRole, r.dir);
      table_->setItem(i, c, item);
    }
  }
  table_->setSortingEnabled(true);
  table_->resizeColumnsToContents();
  applyFilter();
  selectDirs(selected);
  updateButtons();
}

QStringList RunBrowser::selectedDirs() const {
  QStringList dirs;
  for (const QModelIndex& index : table_->selectionModel()->selectedRows())
    dirs << table_->item(index.row(), kName)->data(Qt::UserRole).toString();
  return dirs;
}

void RunBrowser::selectDirs(const QStringList& dirs) {
  table_->clearSelection();
  table_->setSelectionMode(QAbstractItemView::MultiSelection);
  for (int row = 0; row < table_->rowCount(); ++row) {
    if (dirs.contains(table_->item(row, kName)->data(Qt::UserRole).toString()))
      table_->selectRow(row);
  }
  table_->setSelectionMode(QAbstractItemView::ExtendedSelection);
}

void RunBrowser::editNotes() {
  const QStringList dirs = selectedDirs();
  if (dirs.size() != 1) return;
  RunNotes notes = readRunNotes(dirs.first());
  QDialog dialog(this);
  dialog.setWindowTitle(tr("Note and tags"));
  auto* note = new QLineEdit(notes.note);
  auto* tags = new QLineEdit(notes.tags.join(QStringLiteral(", ")));
  auto* form = new QFormLayout(&dialog);
  form->addRow(tr("Note"), note);
  form->addRow(tr("Tags (comma-separated)"), tags);
  auto* box = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
  form->addRow(box);
  connect(box, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
  connect(box, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
  if (dialog.exec() != QDialog::Accepted) return;
  notes.note = note->text();
  notes.tags.clear();
  for (const QString& t : tags->text().split(',', Qt::SkipEmptyParts)) notes.tags << t.trimmed();
  if (!writeRunNotes(dirs.first(), notes))
    QMessageBox::warning(this, tr("Note"), tr("Could not write notes.json"));
  refresh();
}

bool RunBrowser::moveToTrash(const QString& dir, QString* error, QString* where) {
  // Qt 6.4 makes the home trash with mkdir, not mkpath: where the data folder itself is missing
  // (a fresh account without ~/.local/share) it then "trashes" into ./files of the working
  // directory. Make sure the folder the trash lives in exists.
  QDir().mkpath(QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation));
  QString in_trash;
  if (QFile::moveToTrash(dir, &in_trash)) {
    if (where) *where = in_trash;
    return true;
  }
  if (error) *error = tr("the desktop's trash refused %1").arg(dir);
  return false;
}

void RunBrowser::deleteSelected() {
  const QStringList dirs = selectedDirs();
  if (dirs.isEmpty()) return;
  const auto answer = QMessageBox::question(
      this, tr("Move to trash"),
      tr("Move %n run folder(s) to the trash?\n\n%1", nullptr, dirs.size()).arg(dirs.join('\n')));
  if (answer != QMessageBox::Yes) return;
  QStringList moved;
  for (const QString& d : dirs) {
    QString error, where;
    if (moveToTrash(d, &error, &where)) {
      moved << tr("%1 → %2").arg(d, where);
    } else {
      QMessageBox::warning(this, tr("Move to trash"), error);
    }
  }
  if (!moved.isEmpty()) say(tr("Moved to the trash: %1").arg(moved.join(QStringLiteral("; "))));
  refresh();
}

}  // namespace gwb::ui
