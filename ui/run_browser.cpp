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
#include <QStandardPaths>
#include <QTableWidget>
#include <QTimeZone>
#include <QVBoxLayout>
#include <cmath>
#include <map>

#include "engine/config/tasks.h"
#include "engine/runs/run_folder.h"
#include "ui/run_details.h"
#include "ui/sample_dialog.h"

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

QString ppl(double v) { return v > 0 ? QString::number(v, 'f', 2) : QString(); }
QString percent(double fraction) {
  return fraction >= 0 ? QString::number(100 * fraction, 'f', 2) + QStringLiteral(" %") : QString();
}

}  // namespace

bool resumable(const RunListing& run) {
  return run.status == QLatin1String("stopped") || run.status == QLatin1String("failed") ||
         run.status == QLatin1String("killed");
}

RunListing listingOf(const ListedRun& run) {
  const RunRecord& rec = run.record;
  RunListing r;
  r.dir = QString::fromStdString(rec.dir);
  // The name the user gave it in the Monitor (notes.json), as every view shows it.
  r.name = rec.notes.display_name.empty() ? QString::fromStdString(rec.name())
                                          : QString::fromStdString(rec.notes.display_name);
  r.started = rec.started > 0 ? QDateTime::fromSecsSinceEpoch(rec.started, QTimeZone::utc())
                              : QDateTime::fromSecsSinceEpoch(rec.modified, QTimeZone::utc());
  r.modified = QDateTime::fromSecsSinceEpoch(rec.modified);
  r.status = QString::fromLatin1(statusName(rec.status));
  if (rec.status == RunStatus::Unreadable)
    r.status += QStringLiteral(": ") + QString::fromStdString(rec.problem);
  r.in_progress = rec.status == RunStatus::Running;
  r.step = rec.numbers.step();
  if (rec.config) {
    const RunConfig& c = *rec.config;
    r.seed = c.seed;
    r.task = QString::fromStdString(canonicalTaskOrEmpty(c.data.task));
    r.arch = QString::fromStdString(c.model.arch);
    r.tokenizer = QString::fromStdString(c.data.tokenizer);
    r.n_layers = c.model.n_layers;
    r.seq_len = c.data.seq_len;
    r.recipe = QString::fromStdString(c.recipe);
  }
  const auto best = rec.bestValid();
  const auto test = rec.test();
  if (rec.classification()) {
    r.best_valid_accuracy = best.value_or(-1);
    r.test_accuracy = test.value_or(-1);
  } else {
    r.best_valid_ppl = best.value_or(0);
    r.test_ppl = test.value_or(0);
  }
  r.differs = run.differs;
  r.note = QString::fromStdString(rec.notes.note);
  for (const std::string& t : rec.notes.tags) r.tags << QString::fromStdString(t);
  r.corpus = QString::fromStdString(rec.corpus);
  return r;
}

QList<RunListing> listRuns(const QString& runs_dir) {
  RunFolder folder(runs_dir.toStdString());
  folder.refresh();
  const std::vector<const RunRecord*> records = folder.records();
  std::map<std::string, QString> differs;
  for (const auto& [dir, text] : differsFromSameName(records))
    differs[dir] = QString::fromStdString(text);
  QList<RunListing> out;
  for (const RunRecord* r : records) out << listingOf({*r, differs[r->dir]});
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
  sample_ = new QPushButton(tr("Samples…"));
  sample_->setToolTip(tr("Text generated by the selected run's checkpoint after a prompt"));
  details_ = new QPushButton(tr("Details…"));
  details_->setToolTip(
      tr("The resolved configuration and the log of the selected run (stops, resumes, warnings); "
         "with several selected, their configurations side by side"));
  auto* remove = new QPushButton(tr("Move to trash…"));
  auto* open_other = new QPushButton(tr("Open run elsewhere…"));
  auto* buttons = new QHBoxLayout;
  for (QPushButton* b : {open, compare, resume, details_, sample_, notes, remove})
    buttons->addWidget(b);
  buttons->addStretch(1);
  buttons->addWidget(open_other);

  auto* layout = new QVBoxLayout(this);
  layout->addLayout(top);
  layout->addWidget(filter_);
  layout->addWidget(table_, 1);
  layout->addLayout(buttons);

  // The folder is read and followed on the watcher's thread; rows arrive as values.
  watcher_ = new RunWatcher(this);
  connect(watcher_, &RunWatcher::listed, this, &RunBrowser::onListed);
  connect(filter_, &QLineEdit::textChanged, this, [this] { applyFilter(); });
  connect(table_, &QTableWidget::itemSelectionChanged, this, &RunBrowser::updateButtons);
  connect(folder_, &QLineEdit::editingFinished, this, [this] { setRunsDir(folder_->text()); });
  connect(browse, &QPushButton::clicked, this, [this] {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Runs folder"), folder_->text());
    if (!dir.isEmpty()) setRunsDir(dir);
  });
  // Refresh without waiting: the watcher polls at once and the rows follow.
  connect(refresh_button, &QPushButton::clicked, this,
          [this] { watcher_->setRunsFolder(folder_->text()); });
  connect(open, &QPushButton::clicked, this, [this] { emit openRequested(selectedDirs()); });
  connect(table_, &QTableWidget::cellDoubleClicked, this,
          [this] { emit openRequested(selectedDirs()); });
  connect(compare, &QPushButton::clicked, this, [this] { emit compareRequested(selectedDirs()); });
  connect(resume, &QPushButton::clicked, this, [this] {
    for (const QString& d : selectedDirs()) emit resumeRequested(d);
  });
  connect(notes, &QPushButton::clicked, this, &RunBrowser::editNotes);
  connect(details_, &QPushButton::clicked, this, &RunBrowser::showDetails);
  connect(sample_, &QPushButton::clicked, this, &RunBrowser::showSamples);
  connect(remove, &QPushButton::clicked, this, &RunBrowser::deleteSelected);
  connect(open_other, &QPushButton::clicked, this, [this] {
    const QString dir =
        QFileDialog::getExistingDirectory(this, tr("A run directory (written by gwb anywhere)"));
    if (!dir.isEmpty()) emit openRequested({dir});
  });
}

void RunBrowser::setRunsDir(const QString& dir) {
  if (folder_->text() != dir) folder_->setText(dir);
  QDir().mkpath(dir);
  watcher_->setRunsFolder(dir);
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
    // Only rows whose state changes: setting a thousand rows shown again on every listing
    // stalled the event loop after each append (setRowHidden relayouts the header).
    if (table_->isRowHidden(row) == match) table_->setRowHidden(row, !match);
  }
}

const RunListing* RunBrowser::listing(const QString& dir) const {
  const auto it = runs_.find(dir);
  return it == runs_.end() ? nullptr : &it->second;
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

RunDetailsDialog* RunBrowser::showDetails() {
  const QStringList dirs = selectedDirs();
  if (dirs.isEmpty()) return nullptr;
  auto* dialog = new RunDetailsDialog(dirs, this);
  dialog->setAttribute(Qt::WA_DeleteOnClose);
  dialog->show();  // not modal: the window goes on while it is open
  return dialog;
}

SampleDialog* RunBrowser::showSamples() {
  const QStringList dirs = selectedDirs();
  if (dirs.size() != 1) return nullptr;
  auto* dialog = new SampleDialog(dirs.front(), this);
  dialog->setAttribute(Qt::WA_DeleteOnClose);
  dialog->show();
  return dialog;
}

void RunBrowser::updateButtons() {
  const QStringList dirs = selectedDirs();
  details_->setEnabled(!dirs.isEmpty());
  sample_->setEnabled(dirs.size() == 1);
  bool ok = !dirs.isEmpty();
  QString why;
  for (const QString& d : dirs) {
    const RunListing* r = listing(d);
    if (r && !queue_state_.value(d).isEmpty()) {
      ok = false;
      why = tr("%1 is already %2 in the queue").arg(r->name, queue_state_.value(d));
    } else if (r && !resumable(*r)) {
      ok = false;
      why = r->status == QLatin1String("running")
                ? tr("%1 is training: one trainer per run folder").arg(r->name)
                : tr("%1 is %2: nothing to resume").arg(r->name, r->status);
    }
  }
  resume_->setEnabled(ok);
  resume_->setToolTip(ok ? tr("Continue from the last checkpoint") : why);
}

QString RunBrowser::statusShown(const RunListing& r) const {
  const QString queue = queue_state_.value(r.dir);
  if (queue.isEmpty() ||
      (queue == QLatin1String("training") && r.status == QLatin1String("running")))
    return r.status;
  return tr("%1 (%2)").arg(queue, r.status);  // "queued (stopped)": its files say stopped
}

void RunBrowser::setQueueState(const QString& dir, const QString& state) {
  if (queue_state_.value(dir) == state) return;
  if (state.isEmpty())
    queue_state_.remove(dir);
  else
    queue_state_[dir] = state;
  const auto it = runs_.find(dir);
  if (it == runs_.end()) return;
  for (int row = 0; row < table_->rowCount(); ++row) {
    if (table_->item(row, kName)->data(Qt::UserRole).toString() != dir) continue;
    const bool sorting = table_->isSortingEnabled();
    table_->setSortingEnabled(false);
    setRow(row, it->second);
    table_->setSortingEnabled(sorting);
    break;
  }
  updateButtons();
}

QString RunBrowser::runsDir() const { return folder_->text(); }

int RunBrowser::runCount() const { return static_cast<int>(runs_.size()); }

void RunBrowser::refresh() { watcher_->pollNow(); }

// The row of a listing: its cells (text, and a sort key where the text would sort wrongly).
void RunBrowser::setRow(int i, const RunListing& r) {
  const bool snli = r.task == QLatin1String("snli");
  const QString mark = r.in_progress ? tr(" (so far)") : QString();
  QString valid = snli ? percent(r.best_valid_accuracy) : ppl(r.best_valid_ppl);
  if (!valid.isEmpty() && r.corpus == QLatin1String("v1")) valid += tr(" (v1)");
  const QStringList cells = {r.name,
                             r.started.toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")),
                             QString::number(r.seed),
                             r.differs,
                             r.task,
                             r.arch,
                             r.n_layers ? QString::number(r.n_layers) : QString(),
                             r.seq_len ? QString::number(r.seq_len) : QString(),
                             r.tokenizer,
                             statusShown(r),
                             QString::number(r.step),
                             valid.isEmpty() ? valid : valid + mark,
                             snli ? percent(r.test_accuracy) : ppl(r.test_ppl),
                             r.tags.join(QStringLiteral(", ")),
                             r.note,
                             r.modified.toString(QStringLiteral("yyyy-MM-dd HH:mm"))};
  const double valid_key = snli ? r.best_valid_accuracy : r.best_valid_ppl;
  const double test_key = snli ? r.test_accuracy : r.test_ppl;
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
                                   valid_key,
                                   test_key,
                                   {},
                                   {},
                                   r.modified};
  for (int c = 0; c < kColumns; ++c) {
    auto* item = new SortItem(cells[c], keys[c]);
    item->setToolTip(c == kName ? r.dir : cells[c]);
    if (c == kName) item->setData(Qt::UserRole, r.dir);
    if (c == kValid && r.corpus == QLatin1String("v1"))
      item->setToolTip(tr("%1: trained on the tokenized Wikitext-2 v1, not the raw corpus its "
                          "recipe used; not comparable with the recipe's reported number")
                           .arg(cells[c]));
    table_->setItem(i, c, item);
  }
}

void RunBrowser::onListed(const QString& folder, const QVector<ListedRun>& changed,
                          const QStringList& removed, bool all) {
  if (folder != folder_->text()) return;  // a folder left since
  const QStringList selected = selectedDirs();
  table_->setSortingEnabled(false);  // rows change in place, then sort once
  if (all) {
    runs_.clear();
    table_->setRowCount(0);
  }
  std::map<QString, int> row_of;
  for (int row = 0; row < table_->rowCount(); ++row)
    row_of[table_->item(row, kName)->data(Qt::UserRole).toString()] = row;
  for (const QString& dir : removed) {
    runs_.erase(dir);
    const auto it = row_of.find(dir);
    if (it == row_of.end()) continue;
    table_->removeRow(it->second);
    row_of.clear();
    for (int row = 0; row < table_->rowCount(); ++row)
      row_of[table_->item(row, kName)->data(Qt::UserRole).toString()] = row;
  }
  for (const ListedRun& run : changed) {
    const RunListing listing = listingOf(run);
    runs_[listing.dir] = listing;
    auto it = row_of.find(listing.dir);
    int row = 0;
    if (it == row_of.end()) {
      row = table_->rowCount();
      table_->insertRow(row);
      row_of[listing.dir] = row;
    } else {
      row = it->second;
    }
    setRow(row, listing);
  }
  table_->setSortingEnabled(true);
  if (all) table_->resizeColumnsToContents();
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
  RunNotes notes = readRunNotes(dirs.first().toStdString());
  QDialog dialog(this);
  dialog.setObjectName(QStringLiteral("notes_dialog"));
  // Named after its run: with several runs of one preset the name alone is ambiguous, so the
  // folder is said too (issue 24: the dialog named no run).
  const QString run_name = QFileInfo(dirs.first()).fileName();
  dialog.setWindowTitle(tr("Note and tags: %1").arg(run_name));
  auto* which = new QLabel(QDir::toNativeSeparators(dirs.first()));
  which->setObjectName(QStringLiteral("notes_run"));
  which->setTextInteractionFlags(Qt::TextSelectableByMouse);
  auto* note = new QLineEdit(QString::fromStdString(notes.note));
  QStringList tag_list;
  for (const std::string& t : notes.tags) tag_list << QString::fromStdString(t);
  auto* tags = new QLineEdit(tag_list.join(QStringLiteral(", ")));
  auto* form = new QFormLayout(&dialog);
  form->addRow(tr("Run"), which);
  form->addRow(tr("Note"), note);
  form->addRow(tr("Tags (comma-separated)"), tags);
  auto* box = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
  form->addRow(box);
  connect(box, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
  connect(box, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
  if (dialog.exec() != QDialog::Accepted) return;
  notes.note = note->text().toStdString();
  notes.tags.clear();
  for (const QString& t : tags->text().split(',', Qt::SkipEmptyParts))
    notes.tags.push_back(t.trimmed().toStdString());
  try {
    writeRunNotes(dirs.first().toStdString(), notes);
  } catch (const std::exception& e) {
    QMessageBox::warning(this, tr("Note"), QString::fromUtf8(e.what()));
  }
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
}

}  // namespace gwb::ui
