// RunQueueWidget.
#include "ui/run_queue_widget.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPainter>
#include <QPushButton>
#include <QSpinBox>
#include <QStyledItemDelegate>
#include <QTableWidget>
#include <QVBoxLayout>
#include <algorithm>

namespace gwb::ui {
namespace {

enum Column { kName, kArch, kState, kProgress, kEta, kSpeed, kDevice, kDir, kColumns };

// The Progress cell: its text ("120 / 400") drawn as any cell's, in the selection's colours on
// a selected row, and the bar as a strip along the cell's bottom (a QProgressBar cell widget hid
// its text under the fill on selected rows).
class ProgressDelegate : public QStyledItemDelegate {
 public:
  using QStyledItemDelegate::QStyledItemDelegate;
  void paint(QPainter* painter, const QStyleOptionViewItem& option,
             const QModelIndex& index) const override {
    QStyledItemDelegate::paint(painter, option, index);
    const double fraction = index.data(Qt::UserRole).toDouble();
    const QRect strip(option.rect.left() + 3, option.rect.bottom() - RunQueueWidget::kBarHeight,
                      option.rect.width() - 6, RunQueueWidget::kBarHeight - 1);
    painter->save();
    painter->fillRect(strip, RunQueueWidget::kBarTrack);
    QRect fill = strip;
    fill.setWidth(static_cast<int>(std::clamp(fraction, 0.0, 1.0) * strip.width()));
    painter->fillRect(fill, RunQueueWidget::kBarFill);
    painter->restore();
  }
  QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override {
    QSize size = QStyledItemDelegate::sizeHint(option, index);
    size.setHeight(size.height() + RunQueueWidget::kBarHeight);
    return size;
  }
};

}  // namespace

QString formatDuration(double seconds) {
  if (seconds < 0) return {};
  const long s = static_cast<long>(seconds + 0.5);
  if (s >= 3600)
    return QStringLiteral("%1h%2m").arg(s / 3600).arg((s / 60) % 60, 2, 10, QLatin1Char('0'));
  if (s >= 60) return QStringLiteral("%1m%2s").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
  return QStringLiteral("%1s").arg(s);
}

RunQueueWidget::RunQueueWidget(QWidget* parent) : QWidget(parent) {
  table_ = new QTableWidget(0, kColumns);
  table_->setHorizontalHeaderLabels({tr("Run"), tr("Architecture"), tr("State"), tr("Progress"),
                                     tr("ETA"), tr("tokens/s"), tr("Device"), tr("Folder")});
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setSelectionMode(QAbstractItemView::ExtendedSelection);
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->verticalHeader()->setVisible(false);
  table_->horizontalHeader()->setStretchLastSection(true);
  table_->horizontalHeader()->setSectionResizeMode(kName, QHeaderView::ResizeToContents);
  table_->setItemDelegateForColumn(kProgress, new ProgressDelegate(table_));
  stop_ = new QPushButton(QIcon(":/icons/stop.png"), tr("Stop"));
  stop_->setToolTip(tr("Stop after the current step, leaving a resumable checkpoint (Ctrl+.)"));
  resume_ = new QPushButton(tr("Resume"));
  remove_ = new QPushButton(tr("Remove"));
  remove_->setToolTip(tr("Take the selected runs out of the queue; their files stay"));
  clear_ = new QPushButton(tr("Clear queued"));
  clear_->setToolTip(tr("Remove every run that has not started yet"));
  show_ = new QPushButton(tr("Show in monitor"));
  cluster_ = new QPushButton(tr("Submit to cluster…"));
  cluster_->setToolTip(
      tr("Run a preset family's sweep as a job array on a cluster; its tasks "
         "appear here and their runs in Monitor and Runs as they are written"));
  concurrency_ = new QSpinBox;
  concurrency_->setRange(0, 16);
  concurrency_->setSpecialValueText(tr("auto"));
  concurrency_->setToolTip(
      tr("Runs trained at the same time; auto: one on a CPU (runs share its cores), "
         "on a GPU as many as its free memory holds"));
  auto* buttons = new QHBoxLayout;
  for (QPushButton* b : {stop_, resume_, remove_, clear_, show_}) buttons->addWidget(b);
  buttons->addStretch(1);
  buttons->addWidget(cluster_);
  buttons->addWidget(new QLabel(tr("at a time")));
  buttons->addWidget(concurrency_);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(table_, 1);
  layout->addLayout(buttons);
  connect(table_, &QTableWidget::itemSelectionChanged, this, &RunQueueWidget::updateButtons);
  connect(stop_, &QPushButton::clicked, this, [this] {
    for (const QString& id : selectedIds()) {
      const QString state = row(id).state;
      if (state == "running" || state == "queued") emit stopRequested(id);
    }
  });
  connect(resume_, &QPushButton::clicked, this, [this] {
    const QueueRow r = row(selectedId());
    if (!r.run_dir.isEmpty()) emit resumeRequested(r.run_dir);
  });
  connect(remove_, &QPushButton::clicked, this, [this] {
    for (const QString& id : selectedIds()) {
      const QString state = row(id).state;
      if (state != "running" && state != "stopping") emit removeRequested(id);
    }
  });
  connect(clear_, &QPushButton::clicked, this, &RunQueueWidget::clearQueuedRequested);
  connect(show_, &QPushButton::clicked, this, [this] {
    const QueueRow r = row(selectedId());
    if (!r.run_dir.isEmpty()) emit showRequested(r.run_dir);
  });
  connect(concurrency_, &QSpinBox::valueChanged, this, &RunQueueWidget::concurrencyChanged);
  connect(cluster_, &QPushButton::clicked, this, &RunQueueWidget::clusterSubmitRequested);
  updateButtons();
}

void RunQueueWidget::setConcurrency(int runs) {
  const QSignalBlocker block(concurrency_);
  concurrency_->setValue(runs);
}

int RunQueueWidget::rowOf(const QString& id) const {
  for (int i = 0; i < rows_.size(); ++i) {
    if (rows_[i].id == id) return i;
  }
  return -1;
}

void RunQueueWidget::setRow(const QueueRow& r) {
  int i = rowOf(r.id);
  if (i < 0) {
    i = rows_.size();
    rows_ << r;
    table_->insertRow(i);
    for (int c = 0; c < kColumns; ++c) table_->setItem(i, c, new QTableWidgetItem);
    table_->item(i, kProgress)->setTextAlignment(Qt::AlignCenter);
  }
  rows_[i] = r;
  table_->item(i, kName)->setText(r.name);
  table_->item(i, kArch)->setText(r.arch);
  QString state =
      r.cluster_state.isEmpty() ? r.state : r.state + QStringLiteral(" · ") + r.cluster_state;
  if (!r.error.isEmpty()) state += QStringLiteral(": ") + r.error;
  table_->item(i, kState)->setText(state);
  table_->item(i, kState)->setToolTip(r.error);
  table_->item(i, kState)->setForeground(r.state == "failed" ? QColor(0xb0, 0, 0x20)
                                                             : palette().text().color());
  QTableWidgetItem* progress = table_->item(i, kProgress);
  progress->setData(
      Qt::UserRole,
      r.total_steps > 0 ? static_cast<double>(r.step) / static_cast<double>(r.total_steps) : 0.0);
  progress->setText(r.total_steps > 0 ? QStringLiteral("%1 / %2").arg(r.step).arg(r.total_steps)
                                      : QString());
  table_->item(i, kEta)->setText(formatDuration(r.eta_s));
  table_->item(i, kSpeed)->setText(r.tokens_per_s > 0 ? QString::number(r.tokens_per_s, 'f', 0)
                                                      : QString());
  table_->item(i, kDevice)->setText(r.device);
  table_->item(i, kDir)->setText(r.run_dir);
  updateButtons();
}

void RunQueueWidget::removeRow(const QString& id) {
  const int i = rowOf(id);
  if (i < 0) return;
  rows_.removeAt(i);
  table_->removeRow(i);
  updateButtons();
}

int RunQueueWidget::rowCount() const { return rows_.size(); }

QueueRow RunQueueWidget::row(const QString& id) const {
  const int i = rowOf(id);
  return i < 0 ? QueueRow{} : rows_[i];
}

void RunQueueWidget::select(const QString& id) {
  const int i = rowOf(id);
  if (i >= 0) table_->selectRow(i);
}

QString RunQueueWidget::selectedId() const {
  const QStringList ids = selectedIds();
  return ids.isEmpty() ? QString() : ids.first();
}

QStringList RunQueueWidget::selectedIds() const {
  QList<int> rows;
  for (const QModelIndex& index : table_->selectionModel()->selectedRows()) rows << index.row();
  std::sort(rows.begin(), rows.end());
  QStringList ids;
  for (int r : rows) ids << rows_.value(r).id;
  return ids;
}

void RunQueueWidget::updateButtons() {
  bool stoppable = false, removable = false, queued = false;
  for (const QString& id : selectedIds()) {
    const QString state = row(id).state;
    stoppable = stoppable || state == "running" || state == "queued";
    removable = removable || (state != "running" && state != "stopping");
  }
  for (const QueueRow& r : rows_) queued = queued || r.state == "queued";
  const QueueRow r = row(selectedId());
  stop_->setEnabled(stoppable);
  // Resume continues a run that ended without finishing, never a second trainer on one folder.
  resume_->setEnabled(selectedIds().size() == 1 && (r.state == "stopped" || r.state == "failed") &&
                      !r.run_dir.isEmpty());
  remove_->setEnabled(removable);
  clear_->setEnabled(queued);
  show_->setEnabled(!r.run_dir.isEmpty());
}

}  // namespace gwb::ui
