// TimeSeriesChart.
#include "plotting/time_series_chart.h"

#include <cmath>
#include <limits>

#include "plotting/plot_style.h"

namespace gwb::plot {
namespace {

// The raw line behind a smoothed one. At alpha 70 a faint purple was within ΔE00 20 of the solid
// pink of another run (and light run colours read as faint lines, issue 24); at 55, with the
// smoothed line drawn 2 px wide, every faint line stays more than ΔE00 22 from every run colour.
QColor faint(QColor c) {
  c.setAlpha(55);
  return c;
}

// Index of the last point with x <= value (or 0).
int indexAt(const QVector<double>& xs, double value) {
  const auto it = std::upper_bound(xs.begin(), xs.end(), value);
  return it == xs.begin() ? 0 : static_cast<int>(it - xs.begin()) - 1;
}

// An x as the crosshair shows it: whole numbers (steps, tokens) without a fraction or exponent.
QString xText(double x) {
  if (std::abs(x) < 1e15 && x == std::round(x)) return QString::number(static_cast<qint64>(x));
  return QString::number(x, 'g', 6);
}

}  // namespace

TimeSeriesChart::TimeSeriesChart(QWidget* parent) : QCustomPlot(parent) {
  applyLiveStyle(*this);
  setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
  // The wheel zooms steps (linked across the charts of the same steps); zooming y about the
  // pointer cut the curves off. Drag still moves both.
  axisRect()->setRangeZoom(Qt::Horizontal);
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
  empty_text_ = addEmptyText(*this);
  updateEmptyState();
  setMouseTracking(true);
  connect(xAxis, qOverload<const QCPRange&>(&QCPAxis::rangeChanged), this,
          [this](const QCPRange& range) {
            if (interacting_) emit userXRangeChanged(range);
          });
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
  if (it != series_.end()) {
    Series& s = it->second;
    if (s.label != label || s.color != color) {  // e.g. "(step N)" of the latest evaluation
      s.label = label;
      s.color = color;
      restyle(s);
    }
    return s;
  }
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
  s.smooth->setPen(QPen(s.color, 2, s.pen_style));
  s.smooth->setVisible(smoothed);
  if (smoothed) {
    s.raw->removeFromLegend();
    s.smooth->addToLegend();
  } else {
    s.smooth->removeFromLegend();
    s.raw->addToLegend();
  }
  // A line of one point draws nothing: show a lone point as a dot.
  const QCPScatterStyle dot(s.x.size() == 1 ? QCPScatterStyle::ssDisc : QCPScatterStyle::ssNone, 4);
  s.raw->setScatterStyle(smoothed ? QCPScatterStyle() : dot);
  s.smooth->setScatterStyle(smoothed ? dot : QCPScatterStyle());
}

void TimeSeriesChart::appendPoints(const QString& id, const QString& label, const QColor& color,
                                   const QVector<double>& x, const QVector<double>& y) {
  Series& s = series(id, label, color);
  QVector<double> values;
  values.reserve(y.size());
  for (double v : y) values.push_back(smoothed(s, v));
  s.x += x;
  s.y += y;
  s.s += values;
  s.raw->addData(x, y, /*alreadySorted=*/true);
  if (style_ == Style::Lines) s.smooth->addData(x, values, true);
  if (s.x.size() <= 2 && !x.isEmpty()) restyle(s);  // a lone point's dot comes or goes
}

double TimeSeriesChart::smoothed(Series& s, double value) const {
  if (!smooths()) return value;  // markers (evaluations) and weight 0: the values themselves
  if (!smooth_log_) return s.ema.add(value);
  if (!(value > 0) || !std::isfinite(value)) return NAN;
  return std::exp(s.ema.add(std::log(value)));
}

void TimeSeriesChart::resmooth(Series& s) {
  s.ema = DebiasedEma(smoothing_);
  s.s.clear();
  for (double v : s.y) s.s.push_back(smoothed(s, v));
  if (style_ == Style::Lines) {
    s.smooth->setData(s.x, s.s, true);
  } else {
    s.smooth->data()->clear();
  }
  restyle(s);
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
  for (auto& [id, s] : series_) resmooth(s);
  replot(rpQueuedReplot);
}

void TimeSeriesChart::setStyle(Style style) {
  style_ = style;
  for (auto& [id, s] : series_) resmooth(s);
  replot(rpQueuedReplot);
}

void TimeSeriesChart::setSmoothLogValues(bool on) {
  smooth_log_ = on;
  for (auto& [id, s] : series_) resmooth(s);
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
  updateEmptyState();
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

bool TimeSeriesChart::dataXRange(double* lo, double* hi) const {
  double xmin = std::numeric_limits<double>::infinity(), xmax = -xmin;
  for (const auto& [id, s] : series_) {
    for (int i = 0; i < s.x.size(); ++i) {
      if (!std::isfinite(s.y[i]) || (log_y_ && s.y[i] <= 0)) continue;
      xmin = std::min(xmin, s.x[i]);
      xmax = std::max(xmax, s.x[i]);
    }
  }
  for (QCPGraph* g : bands_) {
    bool found = false;
    const QCPRange r = g->getKeyRange(found);
    if (!found) continue;
    xmin = std::min(xmin, r.lower);
    xmax = std::max(xmax, r.upper);
  }
  if (!std::isfinite(xmin)) return false;
  *lo = xmin;
  *hi = xmax;
  return true;
}

void TimeSeriesChart::setXExtent(double lo, double hi) {
  extent_lo_ = lo;
  extent_hi_ = hi;
}

bool TimeSeriesChart::hasData() const {
  for (const auto& [id, s] : series_) {
    if (!s.x.isEmpty()) return true;
  }
  return !bands_.empty();
}

void TimeSeriesChart::updateEmptyState() {
  const bool data = hasData();
  empty_text_->setVisible(!data && !empty_text_->text().isEmpty());
  legend->setVisible(data && legend->itemCount() > 0);  // never an empty legend box
}

void TimeSeriesChart::setEmptyText(const QString& text) {
  empty_text_->setText(text);
  updateEmptyState();
  replot(rpQueuedReplot);
}

void TimeSeriesChart::setNote(const QString& text) {
  if (text.isEmpty()) {
    if (note_) {
      plotLayout()->remove(note_);  // deletes it
      plotLayout()->simplify();
      note_ = nullptr;
    }
  } else {
    if (!note_) {
      note_ = new QCPTextElement(this, QString(), QFont(font().family(), 8));
      note_->setTextColor(QColor(90, 90, 90));
      note_->setTextFlags(Qt::AlignLeft | Qt::AlignVCenter);
      note_->setMargins(QMargins(8, 0, 8, 4));
      plotLayout()->addElement(plotLayout()->rowCount(), 0, note_);
    }
    note_->setText(text);
  }
  replot(rpQueuedReplot);
}

QString TimeSeriesChart::note() const { return note_ ? note_->text() : QString(); }

void TimeSeriesChart::resetView() {
  double xmin = std::numeric_limits<double>::infinity(), xmax = -xmin, ymin = xmin, ymax = -xmin;
  const auto take = [&](const QVector<double>& ys) {
    for (double y : ys) {
      if (!std::isfinite(y) || (log_y_ && y <= 0)) continue;
      ymin = std::min(ymin, y);
      ymax = std::max(ymax, y);
    }
  };
  for (const auto& [id, s] : series_) take(s.y);
  for (QCPGraph* g : bands_) {
    bool found = false;
    const QCPRange r = g->getValueRange(found, QCP::sdBoth);
    if (found && (!log_y_ || r.lower > 0)) take({r.lower, r.upper});
  }
  if (!dataXRange(&xmin, &xmax)) {
    xmin = std::numeric_limits<double>::infinity();
    xmax = -xmin;
  }
  if (std::isfinite(extent_lo_) && std::isfinite(extent_hi_)) {
    xmin = std::min(xmin, extent_lo_);
    xmax = std::max(xmax, extent_hi_);
  }
  for (const Reference& r : references_) {
    ymin = std::min(ymin, r.y);
    ymax = std::max(ymax, r.y);
  }
  if (std::isfinite(include_lo_) && std::isfinite(ymin)) {
    ymin = std::min(ymin, include_lo_);
    ymax = std::max(ymax, include_hi_);
  }
  if (!std::isfinite(ymin) && std::isfinite(empty_lo_)) {
    ymin = empty_lo_;
    ymax = empty_hi_;
  } else if (!std::isfinite(ymin)) {
    ymin = log_y_ ? 1 : 0;
    ymax = log_y_ ? 10 : 1;
  }
  xAxis->setRange(std::isfinite(xmin) ? paddedRange(xmin, xmax) : QCPRange(0, 1));
  setPaddedYRange(ymin, ymax);
  user_view_ = false;
  updateEmptyState();
  replot(rpQueuedReplot);
}

void TimeSeriesChart::refresh() {
  if (user_view_) {
    updateEmptyState();
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

double TimeSeriesChart::snapX(double x) const {
  double best = x, distance = std::numeric_limits<double>::infinity();
  for (const auto& [id, s] : series_) {
    const auto it = std::lower_bound(s.x.begin(), s.x.end(), x);
    for (auto c = it == s.x.begin() ? it : it - 1; c != s.x.end() && c <= it; ++c) {
      if (std::abs(*c - x) < distance) {
        distance = std::abs(*c - x);
        best = *c;
      }
    }
  }
  return best;
}

QString TimeSeriesChart::crosshairText(double x) const {
  const double at = snapX(x);
  QStringList lines;
  lines << xAxis->label() + QStringLiteral(" ") + xText(at);
  for (const auto& [id, s] : series_) {
    if (s.x.isEmpty() || at < s.x.front() || at > s.x.back()) continue;  // not running there
    const int i = indexAt(s.x, at);
    const double v = smooths() ? s.s[i] : s.y[i];
    lines << s.label + QStringLiteral(": ") + QString::number(v, 'g', 5);
  }
  return lines.join('\n');
}

void TimeSeriesChart::followXRange(const QCPRange& range) {
  user_view_ = true;
  xAxis->setRange(range);
  fitYToVisibleX();
  updateEmptyState();
  replot(rpQueuedReplot);
}

void TimeSeriesChart::fitYToVisibleX() {
  // What TensorBoard does after an x zoom: y fits the points inside the new x range (the
  // reference lines are left out: a far one would squash the zoomed curves).
  const QCPRange x = xAxis->range();
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  const auto take = [&](double key, double value) {
    if (key < x.lower || key > x.upper || !std::isfinite(value) || (log_y_ && value <= 0)) return;
    lo = std::min(lo, value);
    hi = std::max(hi, value);
  };
  for (const auto& [id, s] : series_) {
    for (int i = 0; i < s.x.size(); ++i) {
      take(s.x[i], s.y[i]);
      if (i < s.s.size() && smooths()) take(s.x[i], s.s[i]);
    }
  }
  for (QCPGraph* g : bands_) {
    for (auto it = g->data()->constBegin(); it != g->data()->constEnd(); ++it)
      take(it->key, it->value);
  }
  if (std::isfinite(lo)) setPaddedYRange(lo, hi);
}

void TimeSeriesChart::setPaddedYRange(double lo, double hi) {
  if (log_y_) {
    yAxis->setRange(lo / 1.15, hi * 1.15);
  } else {
    const double pad = hi > lo ? 0.05 * (hi - lo) : std::max(1e-9, 0.05 * std::abs(hi));
    yAxis->setRange(lo - pad, hi + pad);
  }
}

void TimeSeriesChart::mouseMoveEvent(QMouseEvent* event) {
  interacting_ = (event->buttons() & Qt::LeftButton) != 0;  // a drag moves the range
  QCustomPlot::mouseMoveEvent(event);
  interacting_ = false;
  if (!axisRect()->rect().contains(event->pos()) || series_.empty()) {
    cross_line_->setVisible(false);
    cross_text_->setVisible(false);
    replot(rpQueuedReplot);
    return;
  }
  const double x = snapX(xAxis->pixelToCoord(event->pos().x()));
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
  emit viewResetByUser();
}

void TimeSeriesChart::wheelEvent(QWheelEvent* event) {
  user_view_ = true;
  interacting_ = true;
  QCustomPlot::wheelEvent(event);  // x only (setRangeZoom); y then fits what is in view
  interacting_ = false;
  fitYToVisibleX();
  replot(rpQueuedReplot);
}

void TimeSeriesChart::mousePressEvent(QMouseEvent* event) {
  if (event->button() == Qt::LeftButton) user_view_ = true;
  QCustomPlot::mousePressEvent(event);
}

}  // namespace gwb::plot
