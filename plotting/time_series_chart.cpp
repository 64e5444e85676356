// TimeSeriesChart.
#include "plotting/time_series_chart.h"

#include <cmath>
#include <limits>

#include "plotting/plot_style.h"

namespace gwb::plot {
namespace {

QColor faint(QColor c) {
  c.setAlpha(70);
  return c;
}

// Index of the last point with x <= value (or 0).
int indexAt(const QVector<double>& xs, double value) {
  const auto it = std::upper_bound(xs.begin(), xs.end(), value);
  return it == xs.begin() ? 0 : static_cast<int>(it - xs.begin()) - 1;
}

}  // namespace

TimeSeriesChart::TimeSeriesChart(QWidget* parent) : QCustomPlot(parent) {
  applyLiveStyle(*this);
  setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
  legend->setVisible(true);
  legend->setBrush(QColor(255, 255, 255, 210));
  legend->setFont(QFont(font().family(), 8));
  axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
  yAxis->grid()->setSubGridVisible(false);
  cross_line_ = new QCPItemStraightLine(this);
  cross_line_->setPen(QPen(QColor(120, 120, 120), 1, Qt::DotLine));
  cross_line_->setVisible(false);
  cross_text_ = new QCPItemText(this);
  cross_text_->setPositionAlignment(Qt::AlignTop | Qt::AlignLeft);
  cross_text_->position->setType(QCPItemPosition::ptAxisRectRatio);
  cross_text_->position->setCoords(0.01, 0.01);
  cross_text_->setTextAlignment(Qt::AlignLeft);
  cross_text_->setBrush(QColor(255, 255, 255, 225));
  cross_text_->setPadding(QMargins(4, 2, 4, 2));
  cross_text_->setFont(QFont(font().family(), 8));
  cross_text_->setVisible(false);
  setMouseTracking(true);
}

void TimeSeriesChart::setTitle(const QString& title) {
  if (!title_) {
    plotLayout()->insertRow(0);
    title_ = new QCPTextElement(this, title, QFont(font().family(), 9, QFont::Bold));
    plotLayout()->addElement(0, 0, title_);
  }
  title_->setText(title);
}

void TimeSeriesChart::setAxisLabels(const QString& x, const QString& y) {
  xAxis->setLabel(x);
  yAxis->setLabel(y);
}

TimeSeriesChart::Series& TimeSeriesChart::series(const QString& id, const QString& label,
                                                 const QColor& color) {
  auto it = series_.find(id);
  if (it != series_.end()) return it->second;
  Series s;
  s.label = label;
  s.color = color;
  s.ema = DebiasedEma(smoothing_);
  s.raw = addGraph();
  s.smooth = addGraph();
  restyle(s);
  return series_.emplace(id, std::move(s)).first->second;
}

void TimeSeriesChart::restyle(Series& s) {
  s.raw->setName(s.label);
  s.smooth->setName(s.label);
  if (style_ == Style::Markers) {
    s.raw->setPen(QPen(s.color, 1, s.pen_style));
    s.raw->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 5));
    s.raw->setLineStyle(QCPGraph::lsLine);
    s.smooth->setVisible(false);
    s.smooth->removeFromLegend();
    return;
  }
  const bool smoothed = smoothing_ > 0;
  s.raw->setPen(QPen(smoothed ? faint(s.color) : s.color, 1, s.pen_style));
  s.smooth->setPen(QPen(s.color, 1, s.pen_style));
  s.smooth->setVisible(smoothed);
  if (smoothed) {
    s.raw->removeFromLegend();
    s.smooth->addToLegend();
  } else {
    s.smooth->removeFromLegend();
    s.raw->addToLegend();
  }
}

void TimeSeriesChart::appendPoints(const QString& id, const QString& label, const QColor& color,
                                   const QVector<double>& x, const QVector<double>& y) {
  Series& s = series(id, label, color);
  QVector<double> smoothed;
  smoothed.reserve(y.size());
  for (double v : y) smoothed.push_back(s.ema.add(v));
  s.x += x;
  s.y += y;
  s.s += smoothed;
  s.raw->addData(x, y, /*alreadySorted=*/true);
  if (style_ == Style::Lines) s.smooth->addData(x, smoothed, true);
}

void TimeSeriesChart::setPoints(const QString& id, const QString& label, const QColor& color,
                                const QVector<double>& x, const QVector<double>& y) {
  Series& s = series(id, label, color);
  s.x.clear();
  s.y.clear();
  s.s.clear();
  s.ema = DebiasedEma(smoothing_);
  s.raw->data()->clear();
  s.smooth->data()->clear();
  appendPoints(id, label, color, x, y);
}

void TimeSeriesChart::setSmoothing(double weight) {
  smoothing_ = std::clamp(weight, 0.0, 0.999);
  for (auto& [id, s] : series_) {
    s.ema = DebiasedEma(smoothing_);
    s.s.clear();
    for (double v : s.y) s.s.push_back(s.ema.add(v));
    s.smooth->setData(s.x, s.s, true);
    restyle(s);
  }
  replot(rpQueuedReplot);
}

void TimeSeriesChart::setLogY(bool on) {
  log_y_ = on;
  setLogAxis(yAxis, on);
  user_view_ = false;
  refresh();
}

void TimeSeriesChart::setSeriesPenStyle(const QString& id, Qt::PenStyle style) {
  auto it = series_.find(id);
  if (it == series_.end()) return;
  it->second.pen_style = style;
  restyle(it->second);
}

void TimeSeriesChart::removeSeries(const QString& id) {
  auto it = series_.find(id);
  if (it == series_.end()) return;
  removeGraph(it->second.raw);
  removeGraph(it->second.smooth);
  series_.erase(it);
  replot(rpQueuedReplot);
}

void TimeSeriesChart::clearSeries() {
  while (!series_.empty()) removeSeries(series_.begin()->first);
  clearBands();
}

QStringList TimeSeriesChart::seriesIds() const {
  QStringList ids;
  for (const auto& [id, s] : series_) ids << id;
  return ids;
}

int TimeSeriesChart::pointCount(const QString& id) const {
  const auto it = series_.find(id);
  return it == series_.end() ? 0 : static_cast<int>(it->second.x.size());
}

void TimeSeriesChart::setBand(const QString& id, const QString& label, const QColor& color,
                              const QVector<double>& x, const QVector<double>& mean,
                              const QVector<double>& std) {
  QVector<double> lower(mean.size()), upper(mean.size());
  for (int i = 0; i < mean.size(); ++i) {
    lower[i] = mean[i] - std[i];
    upper[i] = mean[i] + std[i];
  }
  QColor fill = color;
  fill.setAlpha(50);
  QCPGraph* low = addGraph();
  low->setData(x, lower, true);
  low->setPen(Qt::NoPen);
  low->removeFromLegend();
  QCPGraph* high = addGraph();
  high->setData(x, upper, true);
  high->setPen(Qt::NoPen);
  high->setBrush(fill);
  high->setChannelFillGraph(low);
  high->removeFromLegend();
  QCPGraph* line = addGraph();
  line->setData(x, mean, true);
  line->setPen(QPen(color, 1));
  line->setName(label + QStringLiteral(" (mean ± std)"));
  bands_.insert(bands_.end(), {low, high, line});
  Q_UNUSED(id);
}

void TimeSeriesChart::clearBands() {
  for (QCPGraph* g : bands_) removeGraph(g);
  bands_.clear();
}

void TimeSeriesChart::addReferenceLine(const QString& label, double y, const QColor& color) {
  auto* line = new QCPItemStraightLine(this);
  line->setPen(QPen(color, 1, Qt::DashLine));
  line->point1->setTypeX(QCPItemPosition::ptAxisRectRatio);
  line->point2->setTypeX(QCPItemPosition::ptAxisRectRatio);
  line->point1->setCoords(0, y);
  line->point2->setCoords(1, y);
  auto* text = new QCPItemText(this);
  text->position->setTypeX(QCPItemPosition::ptAxisRectRatio);
  text->position->setCoords(0.99, y);
  text->setPositionAlignment(Qt::AlignRight | Qt::AlignBottom);
  text->setText(label + QStringLiteral(": ") + QString::number(y, 'f', y < 100 ? 2 : 1));
  text->setColor(color.darker(120));
  text->setFont(QFont(font().family(), 8));
  references_.push_back({line, text, y});
}

void TimeSeriesChart::clearReferenceLines() {
  for (const Reference& r : references_) {
    removeItem(r.line);
    removeItem(r.label);
  }
  references_.clear();
}

void TimeSeriesChart::setMarkers(const QVector<double>& x, const QColor& color) {
  for (QCPItemStraightLine* m : markers_) removeItem(m);
  markers_.clear();
  for (double v : x) {
    auto* line = new QCPItemStraightLine(this);
    line->setPen(QPen(color, 1, Qt::DotLine));
    line->point1->setTypeY(QCPItemPosition::ptAxisRectRatio);
    line->point2->setTypeY(QCPItemPosition::ptAxisRectRatio);
    line->point1->setCoords(v, 0);
    line->point2->setCoords(v, 1);
    markers_.push_back(line);
  }
}

void TimeSeriesChart::resetView() {
  double xmin = std::numeric_limits<double>::infinity(), xmax = -xmin, ymin = xmin, ymax = -xmin;
  const auto take = [&](const QVector<double>& xs, const QVector<double>& ys) {
    for (int i = 0; i < xs.size(); ++i) {
      if (!std::isfinite(ys[i]) || (log_y_ && ys[i] <= 0)) continue;
      xmin = std::min(xmin, xs[i]);
      xmax = std::max(xmax, xs[i]);
      ymin = std::min(ymin, ys[i]);
      ymax = std::max(ymax, ys[i]);
    }
  };
  for (const auto& [id, s] : series_) take(s.x, s.y);
  for (const Reference& r : references_) {
    ymin = std::min(ymin, r.y);
    ymax = std::max(ymax, r.y);
  }
  if (std::isfinite(include_lo_) && std::isfinite(ymin)) {
    ymin = std::min(ymin, include_lo_);
    ymax = std::max(ymax, include_hi_);
  }
  if (!std::isfinite(xmin)) {
    xmin = 0;
    xmax = 1;
  }
  if (!std::isfinite(ymin)) {
    ymin = log_y_ ? 1 : 0;
    ymax = log_y_ ? 10 : 1;
  }
  if (xmax <= xmin) xmax = xmin + 1;
  xAxis->setRange(xmin, xmax);
  if (log_y_) {
    yAxis->setRange(ymin / 1.15, ymax * 1.15);
  } else {
    const double pad = ymax > ymin ? 0.05 * (ymax - ymin) : std::max(1e-9, 0.05 * std::abs(ymax));
    yAxis->setRange(ymin - pad, ymax + pad);
  }
  user_view_ = false;
  replot(rpQueuedReplot);
}

void TimeSeriesChart::refresh() {
  if (user_view_) {
    replot(rpQueuedReplot);
  } else {
    resetView();
  }
}

QVector<TimeSeriesChart::SeriesData> TimeSeriesChart::seriesData() const {
  QVector<SeriesData> out;
  for (const auto& [id, s] : series_) out.push_back({id, s.label, s.x, s.y, s.s});
  return out;
}

QString TimeSeriesChart::crosshairText(double x) const {
  QStringList lines;
  lines << xAxis->label() + QStringLiteral(" ") + QString::number(x, 'g', 6);
  for (const auto& [id, s] : series_) {
    if (s.x.isEmpty()) continue;
    const int i = indexAt(s.x, x);
    const double v = style_ == Style::Lines && smoothing_ > 0 ? s.s[i] : s.y[i];
    lines << s.label + QStringLiteral(": ") + QString::number(v, 'g', 5);
  }
  return lines.join('\n');
}

void TimeSeriesChart::mouseMoveEvent(QMouseEvent* event) {
  QCustomPlot::mouseMoveEvent(event);
  if (!axisRect()->rect().contains(event->pos()) || series_.empty()) {
    cross_line_->setVisible(false);
    cross_text_->setVisible(false);
    replot(rpQueuedReplot);
    return;
  }
  const double x = xAxis->pixelToCoord(event->pos().x());
  cross_line_->point1->setCoords(x, yAxis->range().lower);
  cross_line_->point2->setCoords(x, yAxis->range().upper);
  cross_text_->setText(crosshairText(x));
  cross_line_->setVisible(true);
  cross_text_->setVisible(true);
  replot(rpQueuedReplot);
}

void TimeSeriesChart::leaveEvent(QEvent* event) {
  QCustomPlot::leaveEvent(event);
  cross_line_->setVisible(false);
  cross_text_->setVisible(false);
  replot(rpQueuedReplot);
}

void TimeSeriesChart::mouseDoubleClickEvent(QMouseEvent* event) {
  QCustomPlot::mouseDoubleClickEvent(event);
  resetView();
}

void TimeSeriesChart::wheelEvent(QWheelEvent* event) {
  user_view_ = true;
  QCustomPlot::wheelEvent(event);
}

void TimeSeriesChart::mousePressEvent(QMouseEvent* event) {
  if (event->button() == Qt::LeftButton) user_view_ = true;
  QCustomPlot::mousePressEvent(event);
}

}  // namespace gwb::plot
