// ConfusionChart.
#include "plotting/confusion_chart.h"

#include "plotting/heatmap_chart.h"
#include "plotting/plot_style.h"

namespace gwb::plot {

ConfusionChart::ConfusionChart(QWidget* parent) : QCustomPlot(parent) {
  applyLiveStyle(*this);
  map_ = new QCPColorMap(xAxis, yAxis);
  scale_ = new QCPColorScale(this);
  plotLayout()->addElement(0, 1, scale_);
  scale_->setType(QCPAxis::atRight);
  scale_->axis()->setLabel(QStringLiteral("share of the gold class"));
  scale_->setDataRange(QCPRange(0, 1));
  map_->setColorScale(scale_);
  map_->setGradient(viridis());
  map_->setInterpolate(false);
  map_->setDataRange(QCPRange(0, 1));
  xAxis->setLabel(QStringLiteral("predicted"));
  yAxis->setLabel(QStringLiteral("gold"));
  yAxis->setRangeReversed(true);  // the first class on top, as tables print it
  empty_ = new QCPItemText(this);
  empty_->setPositionAlignment(Qt::AlignCenter);
  empty_->position->setType(QCPItemPosition::ptAxisRectRatio);
  empty_->position->setCoords(0.5, 0.5);
  empty_->setColor(QColor(0x60, 0x60, 0x60));
  setMinimumSize(260, 220);
}

void ConfusionChart::setTitle(const QString& title) {
  if (!title_) {
    plotLayout()->insertRow(0);
    title_ = new QCPTextElement(this, title, QFont(font().family(), 9, QFont::Bold));
    plotLayout()->addElement(0, 0, title_);
  }
  title_->setText(title);
}

QString ConfusionChart::cellText(int gold, int predicted) const {
  if (gold >= counts_.size() || predicted >= counts_[gold].size()) return {};
  qint64 row = 0;
  for (qint64 v : counts_[gold]) row += v;
  const qint64 n = counts_[gold][predicted];
  return QStringLiteral("%1\n%2%").arg(n).arg(row > 0 ? 100.0 * n / row : 0.0, 0, 'f', 1);
}

void ConfusionChart::setMatrix(const QStringList& labels, const QVector<QVector<qint64>>& counts,
                               const QString& empty_text) {
  for (QCPItemText* t : texts_) removeItem(t);
  texts_.clear();
  counts_ = counts;
  const int n = static_cast<int>(labels.size());
  const bool empty = counts.isEmpty() || counts.size() != n;
  empty_->setText(empty ? empty_text : QString());
  empty_->setVisible(empty);
  if (empty) {
    map_->data()->clear();
    replot(rpQueuedReplot);
    return;
  }
  map_->data()->setSize(n, n);
  map_->data()->setRange(QCPRange(0, n - 1), QCPRange(0, n - 1));
  for (int gold = 0; gold < n; ++gold) {
    qint64 row = 0;
    for (qint64 v : counts[gold]) row += v;
    for (int pred = 0; pred < n && pred < counts[gold].size(); ++pred) {
      const double share = row > 0 ? static_cast<double>(counts[gold][pred]) / row : 0;
      map_->data()->setCell(pred, gold, share);
      auto* text = new QCPItemText(this);
      text->position->setCoords(pred, gold);
      text->setText(cellText(gold, pred));
      text->setColor(share > 0.55 ? Qt::black : Qt::white);  // readable on viridis
      texts_ << text;
    }
  }
  QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
  for (int i = 0; i < n; ++i) ticker->addTick(i, labels[i]);
  xAxis->setTicker(ticker);
  yAxis->setTicker(ticker);
  xAxis->setRange(-0.5, n - 0.5);
  yAxis->setRange(-0.5, n - 0.5);
  replot(rpQueuedReplot);
}

}  // namespace gwb::plot
