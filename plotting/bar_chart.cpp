// BarChart on QCPBars placed per category (not QCPBarsGroup, which keeps a slot for every series
// in every category) with a text ticker for the categories.
#include "plotting/bar_chart.h"

#include <cmath>
#include <limits>

#include "plotting/plot_style.h"

namespace gwb::plot {

BarChart::BarChart(QWidget* parent) : QCustomPlot(parent) {
  applyLiveStyle(*this);
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
  series_.push_back(bars);
  values_.push_back(values);
  placeBars();
  if (bars->data()->isEmpty()) bars->removeFromLegend();  // a source with no number here
  rescale();
}

bool BarChart::drawn(double value) const {
  return !std::isnan(value) && !(log_scale_ && value <= 0);
}

QVector<QVector<double>> groupedBarKeys(const QVector<QVector<double>>& values, int categories,
                                        const std::function<bool(double)>& drawn, double* width) {
  constexpr double kGap = 0.02;
  const auto has = [&](int s, int c) { return c < values[s].size() && drawn(values[s][c]); };
  int most = 1;
  for (int c = 0; c < categories; ++c) {
    int n = 0;
    for (int s = 0; s < values.size(); ++s) n += has(s, c);
    most = std::max(most, n);
  }
  *width = (0.8 - kGap * (most - 1)) / most;
  QVector<QVector<double>> keys(values.size());
  for (int c = 0; c < categories; ++c) {
    QVector<int> present;
    for (int s = 0; s < values.size(); ++s) {
      if (has(s, c)) present << s;
    }
    for (int j = 0; j < present.size(); ++j)
      keys[present[j]] << c + 1 + (j - (present.size() - 1) / 2.0) * (*width + kGap);
  }
  return keys;
}

void BarChart::placeBars() {
  double width = 0.8;
  const QVector<QVector<double>> keys = groupedBarKeys(
      values_, static_cast<int>(categories_.size()), [this](double v) { return drawn(v); }, &width);
  for (int s = 0; s < series_.size(); ++s) {
    QVector<double> shown;
    for (int c = 0; c < categories_.size(); ++c) {
      if (c < values_[s].size() && drawn(values_[s][c])) shown << values_[s][c];
    }
    series_[s]->setWidth(width);
    series_[s]->setData(keys[s], shown, /*alreadySorted=*/true);
  }
}

void BarChart::setTitle(const QString& title) {
  if (!title_) {
    plotLayout()->insertRow(0);
    title_ = new QCPTextElement(this, title, QFont(font().family(), 10, QFont::Bold));
    plotLayout()->addElement(0, 0, title_);
  }
  title_->setText(title);
  replot(rpQueuedReplot);
}

void BarChart::clearSeries() {
  for (QCPBars* bars : series_) removePlottable(bars);
  series_.clear();
  values_.clear();
  rescale();
}

void BarChart::setValueLabel(const QString& label) {
  yAxis->setLabel(label);
  replot(rpQueuedReplot);
}

void BarChart::setLogScale(bool on) {
  log_scale_ = on;
  setLogAxis(yAxis, on);
  placeBars();
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
