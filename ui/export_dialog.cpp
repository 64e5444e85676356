// ExportDialog.
#include "ui/export_dialog.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QVBoxLayout>
#include <algorithm>

namespace gwb::ui {
namespace {

QListWidgetItem* checkable(QListWidget* list, const QString& text, const QVariant& data) {
  auto* item = new QListWidgetItem(text, list);
  item->setData(Qt::UserRole, data);
  item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
  item->setCheckState(Qt::Checked);
  return item;
}

QStringList ticked(const QListWidget* list) {
  QStringList out;
  for (int i = 0; i < list->count(); ++i) {
    if (list->item(i)->checkState() == Qt::Checked)
      out << list->item(i)->data(Qt::UserRole).toString();
  }
  return out;
}

}  // namespace

ExportDialog::ExportDialog(const QList<const StoredRun*>& runs, QWidget* parent) : QDialog(parent) {
  setWindowTitle(tr("Export charts"));
  dir_ = new QLineEdit;
  dir_->setPlaceholderText(tr("a folder; one that does not exist yet is created"));
  dir_->setText(QSettings().value("export/dir", QDir::homePath() + "/gwb-export").toString());
  auto* browse = new QPushButton(tr("Browse…"));
  auto* folder = new QHBoxLayout;
  folder->addWidget(dir_, 1);
  folder->addWidget(browse);

  runs_ = new QListWidget;
  QStringList names;
  for (const StoredRun* r : runs) {
    QListWidgetItem* item = checkable(runs_, r->name, r->key);
    item->setToolTip(r->key);
    QPixmap swatch(12, 12);
    swatch.fill(r->color);
    item->setIcon(QIcon(swatch));
    for (const QString& n : runChartNames(*r) + moreChartNames(*r)) {
      if (!names.contains(n)) names << n;
    }
  }
  charts_ = new QListWidget;
  for (const auto& [name, what] : chartKinds()) {
    if (names.contains(name))
      checkable(charts_, QStringLiteral("%1.*  (%2)").arg(name, tr(what)), QString(name));
  }
  comparison_ = new QCheckBox(tr("the comparison of these runs (comparison.* and its tables)"));
  comparison_->setChecked(runs.size() > 1);
  width_ = new QSpinBox;
  width_->setRange(200, 8000);
  width_->setValue(1200);
  height_ = new QSpinBox;
  height_->setRange(150, 8000);
  height_->setValue(800);
  scale_ = new QDoubleSpinBox;
  scale_->setRange(1, 3);
  scale_->setSingleStep(0.5);
  scale_->setValue(2);
  auto* size = new QHBoxLayout;
  size->addWidget(width_);
  size->addWidget(new QLabel(QStringLiteral("×")));
  size->addWidget(height_);
  size->addWidget(new QLabel(tr("px, PNG scale")));
  size->addWidget(scale_);
  size->addStretch(1);

  status_ = new QLabel;
  status_->setWordWrap(true);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
  ok_ = buttons->button(QDialogButtonBox::Ok);
  ok_->setText(tr("Export"));

  // The charts list holds up to 15 names: it gets the room, the runs list a few rows.
  runs_->setMaximumHeight(std::max(70, std::min(runs_->count(), 6) * 22 + 8));
  charts_->setMinimumHeight(std::min(charts_->count(), 15) * 20 + 8);
  auto* form = new QFormLayout;
  form->addRow(tr("Folder"), folder);
  form->addRow(tr("Runs"), runs_);
  form->addRow(tr("Charts"), charts_);
  form->addRow(QString(), comparison_);
  form->addRow(tr("Size"), size);
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(form);
  layout->addWidget(status_);
  layout->addWidget(buttons);
  resize(640, 640);

  connect(browse, &QPushButton::clicked, this, &ExportDialog::browse);
  connect(buttons, &QDialogButtonBox::accepted, this, &ExportDialog::accept);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  connect(dir_, &QLineEdit::textChanged, this, &ExportDialog::updateState);
  connect(runs_, &QListWidget::itemChanged, this, &ExportDialog::updateState);
  connect(charts_, &QListWidget::itemChanged, this, &ExportDialog::updateState);
  connect(comparison_, &QCheckBox::toggled, this, &ExportDialog::updateState);
  updateState();
}

QStringList ExportDialog::chartNames() const {
  QStringList out;
  for (int i = 0; i < charts_->count(); ++i) out << charts_->item(i)->data(Qt::UserRole).toString();
  return out;
}

void ExportDialog::setDir(const QString& dir) { dir_->setText(dir); }

void ExportDialog::setChartTicked(const QString& name, bool ticked) {
  for (int i = 0; i < charts_->count(); ++i) {
    if (charts_->item(i)->data(Qt::UserRole).toString() == name)
      charts_->item(i)->setCheckState(ticked ? Qt::Checked : Qt::Unchecked);
  }
}

ExportDialog::Choice ExportDialog::choice() const {
  Choice c;
  c.dir = QDir::cleanPath(dir_->text().trimmed());
  c.run_keys = ticked(runs_);
  c.comparison = comparison_->isChecked();
  c.options.width = width_->value();
  c.options.height = height_->value();
  c.options.scale = scale_->value();
  c.options.ema_weight = smoothing_;
  c.options.charts = ticked(charts_);
  return c;
}

void ExportDialog::browse() {
  // A folder dialog that can create folders (its New Folder button, native or Qt's own), opened
  // where the typed folder or its nearest existing parent is.
  QString start = dir_->text().trimmed();
  while (!start.isEmpty() && !QFileInfo(start).isDir()) start = QFileInfo(start).path();
  QFileDialog dialog(this, tr("Export the charts into"),
                     start.isEmpty() ? QDir::homePath() : start);
  dialog.setFileMode(QFileDialog::Directory);
  dialog.setOption(QFileDialog::ShowDirsOnly);
  dialog.setOption(QFileDialog::ReadOnly, false);
  if (dialog.exec() == QDialog::Accepted && !dialog.selectedFiles().isEmpty())
    dir_->setText(dialog.selectedFiles().front());
}

void ExportDialog::updateState() {
  const Choice c = choice();
  QString problem;
  if (c.dir.isEmpty()) {
    problem = tr("Choose a folder.");
  } else if (c.run_keys.isEmpty()) {
    problem = tr("Tick at least one run.");
  } else if (c.options.charts.isEmpty() && !c.comparison) {
    problem = tr("Tick at least one chart or the comparison.");
  }
  ok_->setEnabled(problem.isEmpty());
  status_->setText(
      problem.isEmpty()
          ? tr("Each run's charts go to %1/<run name>/, as PNG, PDF, CSV and JSON%2.")
                .arg(c.dir, QFileInfo(c.dir).isDir() ? QString() : tr(" (the folder is created)"))
          : problem);
}

void ExportDialog::accept() {
  const Choice c = choice();
  if (!QDir().mkpath(c.dir)) {
    status_->setText(tr("Could not create %1.").arg(c.dir));
    return;
  }
  QSettings().setValue("export/dir", c.dir);
  QDialog::accept();
}

}  // namespace gwb::ui
