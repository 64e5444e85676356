// BarChart on QCPBars + QCPBarsGroup with a text ticker for the categories.
#include "plotting/bar_chart.h"

#include <cmath>
#include <limits>

#include "plotting/plot_style.h"

namespace gwb::plot {

BarChart::BarChart(QWidget* parent) : QCustomPlot(parent), group_(new QCPBarsGroup(this)) {
  applyLiveStyle(*this);
  group_->setSpacingType(QCPBarsGroup::stAbsolute);
  group_->setSpacing(2);
  xAxis->setTicker(QSharedPointer<QCPAxisTickerText>::create());
  xAxis->grid()->setVisible(false);
  xAxis->setTickLength(0, 4);
  yAxis->grid()->setSubGridVisible(false);
  legend->setVisible(false);  // shown once a series has an entry
  legend->setBrush(QColor(255, 255, 255, 220));
  axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
  setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
  axisRect()->setRangeDrag(Qt::Vertical);
  axisRect()->setRangeZoom(Qt::Vertical);
}

void BarChart::setCategories(const QStringList& labels) {
  categories_ = labels;
  auto ticker = QSharedPointer<QCPAxisTickerText>::create();
  for (int i = 0; i < labels.size(); ++i) ticker->addTick(i + 1, labels[i]);
  xAxis->setTicker(ticker);
  clearSeries();
}

void BarChart::addSeries(const QString& name, const QVector<double>& values, const QColor& color) {
  auto* bars = new QCPBars(xAxis, yAxis);
  bars->setName(name);
  bars->setPen(QPen(color.darker(130), 1));
  bars->setBrush(color);
  bars->setWidthType(QCPBars::wtPlotCoords);
  QVector<double> keys, shown;
  for (int i = 0; i < values.size() && i < categories_.size(); ++i) {
    if (std::isnan(values[i]) || (log_scale_ && values[i] <= 0)) continue;
    keys.push_back(i + 1);
    shown.push_back(values[i]);
  }
  bars->setData(keys, shown, /*alreadySorted=*/true);
  if (keys.isEmpty()) bars->removeFromLegend();  // a source with no number here
  bars->setBarsGroup(group_);
  series_.push_back(bars);
  const double width = 0.8 / std::max<qsizetype>(1, series_.size());
  for (QCPBars* b : series_) b->setWidth(width);
  rescale();
}

void BarChart::clearSeries() {
  for (QCPBars* bars : series_) removePlottable(bars);
  series_.clear();
  rescale();
}

void BarChart::setValueLabel(const QString& label) {
  yAxis->setLabel(label);
  replot(rpQueuedReplot);
}

void BarChart::setLogScale(bool on) {
  log_scale_ = on;
  setLogAxis(yAxis, on);
  rescale();
}

void BarChart::rescale() {
  legend->setVisible(legend->itemCount() > 0);  // never an empty legend box (issue 24)
  xAxis->setRange(0.4, categories_.size() + 0.6);
  double top = 0, smallest = std::numeric_limits<double>::infinity();
  for (QCPBars* bars : series_) {
    for (auto it = bars->data()->constBegin(); it != bars->data()->constEnd(); ++it) {
      top = std::max(top, it->value);
      if (it->value > 0) smallest = std::min(smallest, it->value);
    }
  }
  if (top <= 0) top = 1;
  if (log_scale_) {
    yAxis->setRange(std::isinf(smallest) ? 0.5 : smallest / 2, top * 2);
  } else {
    yAxis->setRange(0, top * 1.12);
  }
  replot(rpQueuedReplot);
}

}  // namespace gwb::plot
