// MonitorRunList.
#include "ui/monitor_run_list.h"

#include <QListWidget>
#include <QMenu>
#include <QPushButton>
#include <QVBoxLayout>

#include "ui/reference_lines.h"

namespace gwb::ui {

MonitorRunList::MonitorRunList(QWidget* parent) : QWidget(parent) {
  list_ = new QListWidget;
  list_->setSelectionMode(QAbstractItemView::ExtendedSelection);
  list_->setToolTip(tr("Tick the runs to show; each keeps its colour in every chart and export"));
  remove_ = new QPushButton(tr("Remove from monitor"));
  remove_->setToolTip(tr("Take the selected runs out of the monitor (their folders stay)"));
  setMaximumWidth(260);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(list_, 1);
  layout->addWidget(remove_);
  connect(remove_, &QPushButton::clicked, this, [this] {
    QStringList keys;
    for (QListWidgetItem* item : list_->selectedItems())
      keys << item->data(Qt::UserRole).toString();
    emit removeRequested(keys);
  });
  list_->setContextMenuPolicy(Qt::CustomContextMenu);
  connect(list_, &QListWidget::customContextMenuRequested, this, &MonitorRunList::showMenu);
  connect(list_, &QListWidget::itemChanged, this, [this](QListWidgetItem* item) {
    emit tickToggled(item->data(Qt::UserRole).toString(), item->checkState() == Qt::Checked);
  });
}

void MonitorRunList::showMenu(const QPoint& at) {
  QListWidgetItem* item = list_->itemAt(at);
  if (!item) return;
  if (!item->isSelected()) {
    list_->clearSelection();
    item->setSelected(true);
  }
  const QString key = item->data(Qt::UserRole).toString();
  QStringList keys;
  for (QListWidgetItem* i : list_->selectedItems()) keys << i->data(Qt::UserRole).toString();
  QMenu menu(this);
  menu.addAction(keys.size() > 1 ? tr("Compare configurations…") : tr("Details…"), this,
                 [this, keys] { emit detailsRequested(keys); });
  if (keys.size() == 1)
    menu.addAction(tr("Samples…"), this, [this, key] { emit samplesRequested(key); });
  menu.addSeparator();
  menu.addAction(tr("Rename…"), this, [this, key] { emit renameRequested(key); });
  menu.addAction(tr("Colour…"), this, [this, key] { emit colourRequested(key); });
  menu.addAction(tr("Reset name and colour"), this, [this, key] { emit resetLookRequested(key); });
  menu.exec(list_->viewport()->mapToGlobal(at));
}

void MonitorRunList::addRun(const StoredRun& run, bool visible) {
  const QSignalBlocker block(list_);
  auto* item = new QListWidgetItem(run.name);
  item->setData(Qt::UserRole, run.key);
  item->setToolTip(run.key);
  item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
  item->setCheckState(visible ? Qt::Checked : Qt::Unchecked);
  list_->addItem(item);
  updateRun(run);
}

void MonitorRunList::updateRun(const StoredRun& run) {
  const QSignalBlocker block(list_);
  for (int i = 0; i < list_->count(); ++i) {
    QListWidgetItem* item = list_->item(i);
    if (item->data(Qt::UserRole).toString() != run.key) continue;
    QPixmap swatch(12, 12);
    swatch.fill(run.color);
    item->setIcon(QIcon(swatch));
    // A run whose folder is gone stays readable here, and says so; so do malformed metrics
    // lines (a kill mid-write elsewhere, an edit), which were skipped and cost nothing else.
    QString text = run.missing ? tr("%1 (folder deleted or moved)").arg(run.name) : run.name;
    QString tip = run.missing ? tr("%1 no longer exists; its curves are what was read").arg(run.key)
                              : run.key;
    const std::int64_t skipped = run.events.skipped_lines;
    if (skipped > 0) {
      text += skipped == 1 ? tr(" ⚠ 1 malformed line skipped")
                           : tr(" ⚠ %1 malformed lines skipped").arg(skipped);
      for (const std::string& w : run.events.warnings) tip += "\n" + QString::fromStdString(w);
    }
    if (item->text() != text) item->setText(text);
    item->setForeground(run.missing ? QColor(0x90, 0x90, 0x90) : palette().text().color());
    QFont font = item->font();
    font.setItalic(run.missing);
    item->setFont(font);
    item->setToolTip(tip);
  }
}

void MonitorRunList::removeRun(const QString& key) {
  for (int i = 0; i < list_->count(); ++i) {
    if (list_->item(i)->data(Qt::UserRole).toString() == key) delete list_->takeItem(i--);
  }
}

void MonitorRunList::setTicked(const QString& key, bool ticked) {
  const QSignalBlocker block(list_);
  for (int i = 0; i < list_->count(); ++i) {
    QListWidgetItem* item = list_->item(i);
    if (item->data(Qt::UserRole).toString() == key)
      item->setCheckState(ticked ? Qt::Checked : Qt::Unchecked);
  }
}

QString MonitorRunList::text(const QString& key) const {
  for (int i = 0; i < list_->count(); ++i) {
    if (list_->item(i)->data(Qt::UserRole).toString() == key) return list_->item(i)->text();
  }
  return {};
}

}  // namespace gwb::ui
