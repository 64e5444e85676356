// RunBrowser.
#include "ui/run_browser.h"

#include <QDateTime>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
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
#include <QTableWidget>
#include <QTimer>
#include <QVBoxLayout>

#include "engine/report/report.h"

namespace gwb::ui {
namespace {

enum Column {
  kName,
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

QList<RunListing> listRuns(const QString& runs_dir) {
  QList<RunListing> out;
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
    try {
      const RunRecord record = readRunRecord(dir.toStdString());
      r.name = QString::fromStdString(record.config.name);
      r.task = QString::fromStdString(record.config.data.task);
      r.arch = QString::fromStdString(record.config.model.arch);
      r.tokenizer = QString::fromStdString(record.config.data.tokenizer);
      r.n_layers = record.config.model.n_layers;
      r.seq_len = record.config.data.seq_len;
      if (record.has_summary) {
        r.status = QString::fromStdString(record.summary.status);
        r.best_valid_ppl = record.summary.best_valid_ppl;
        r.test_ppl = record.summary.test_ppl;
        r.best_valid_accuracy = record.summary.best_valid_accuracy;
        r.test_accuracy = record.summary.test_accuracy;
      }
    } catch (const std::exception& e) {
      r.status = QStringLiteral("unreadable: ") + QString::fromUtf8(e.what());
    }
    const QFileInfo metrics(dir + "/metrics.jsonl");
    r.modified = metrics.exists() ? metrics.lastModified() : entry.lastModified();
    r.step = lastStep(metrics.absoluteFilePath());
    if (r.status.isEmpty()) {
      r.status = r.modified.secsTo(QDateTime::currentDateTime()) < 120
                     ? QStringLiteral("running")
                     : QStringLiteral("incomplete");
    }
    r.notes = readRunNotes(dir);
    out << r;
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

  table_ = new QTableWidget(0, kColumns);
  table_->setHorizontalHeaderLabels({tr("Run"), tr("Task"), tr("Architecture"), tr("N"), tr("L"),
                                     tr("Tokens"), tr("Status"), tr("Step"),
                                     tr("Best valid (PPL / acc)"), tr("Test (PPL / acc)"),
                                     tr("Tags"), tr("Note"), tr("Modified")});
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->verticalHeader()->setVisible(false);
  table_->horizontalHeader()->setStretchLastSection(true);
  table_->setSortingEnabled(false);

  auto* open = new QPushButton(tr("Open in monitor"));
  auto* compare = new QPushButton(tr("Compare"));
  auto* resume = new QPushButton(tr("Resume"));
  auto* notes = new QPushButton(tr("Note && tags…"));
  auto* remove = new QPushButton(tr("Move to trash…"));
  auto* open_other = new QPushButton(tr("Open run elsewhere…"));
  auto* buttons = new QHBoxLayout;
  for (QPushButton* b : {open, compare, resume, notes, remove}) buttons->addWidget(b);
  buttons->addStretch(1);
  buttons->addWidget(open_other);

  auto* layout = new QVBoxLayout(this);
  layout->addLayout(top);
  layout->addWidget(table_, 1);
  layout->addLayout(buttons);

  timer_ = new QTimer(this);
  timer_->setInterval(5000);
  connect(timer_, &QTimer::timeout, this, [this] {
    if (isVisible()) refresh();
  });
  timer_->start();
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
  refresh();
  emit runsDirChanged(dir);
}

QString RunBrowser::runsDir() const { return folder_->text(); }

int RunBrowser::runCount() const { return runs_.size(); }

void RunBrowser::refresh() {
  const QStringList selected = selectedDirs();
  runs_ = listRuns(folder_->text());
  table_->setRowCount(runs_.size());
  for (int i = 0; i < runs_.size(); ++i) {
    const RunListing& r = runs_[i];
    const bool snli = r.task == QLatin1String("snli");
    const QStringList cells = {r.name,
                               r.task,
                               r.arch,
                               r.n_layers ? QString::number(r.n_layers) : QString(),
                               r.seq_len ? QString::number(r.seq_len) : QString(),
                               r.tokenizer,
                               r.status,
                               QString::number(r.step),
                               snli ? percent(r.best_valid_accuracy) : ppl(r.best_valid_ppl),
                               snli ? percent(r.test_accuracy) : ppl(r.test_ppl),
                               r.notes.tags.join(QStringLiteral(", ")),
                               r.notes.note,
                               r.modified.toString(QStringLiteral("yyyy-MM-dd HH:mm"))};
    for (int c = 0; c < kColumns; ++c) {
      auto* item = new QTableWidgetItem(cells[c]);
      item->setToolTip(c == kName ? r.dir : cells[c]);
      table_->setItem(i, c, item);
    }
  }
  table_->resizeColumnsToContents();
  selectDirs(selected);
}

QStringList RunBrowser::selectedDirs() const {
  QStringList dirs;
  for (const QModelIndex& index : table_->selectionModel()->selectedRows())
    dirs << runs_.value(index.row()).dir;
  return dirs;
}

void RunBrowser::selectDirs(const QStringList& dirs) {
  table_->clearSelection();
  table_->setSelectionMode(QAbstractItemView::MultiSelection);
  for (int i = 0; i < runs_.size(); ++i) {
    if (dirs.contains(runs_[i].dir)) table_->selectRow(i);
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

bool RunBrowser::moveToTrash(const QString& dir, QString* error) {
  if (QFile::moveToTrash(dir)) return true;
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
  for (const QString& d : dirs) {
    QString error;
    if (!moveToTrash(d, &error)) QMessageBox::warning(this, tr("Move to trash"), error);
  }
  refresh();
}

}  // namespace gwb::ui
