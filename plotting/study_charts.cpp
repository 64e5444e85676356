// Waterfall, interval bars and parallel coordinates on QCustomPlot.
#include "plotting/study_charts.h"

#include <algorithm>
#include <cmath>

#include "plotting/plot_style.h"

namespace gwb::plot {
namespace {

const QColor kUp(214, 39, 40);    // the gap grows: Grassmann falls behind
const QColor kDown(44, 160, 44);  // the gap shrinks
const QColor kTotal(31, 119, 180);

QColor pale(const QColor& c) {
  QColor p = c;
  p.setAlpha(90);
  return p;
}

}  // namespace

WaterfallChart::WaterfallChart(QWidget* parent) : QCustomPlot(parent) {
  applyLiveStyle(*this);
  xAxis->grid()->setVisible(false);
  yAxis->grid()->setSubGridVisible(false);
  empty_ = addEmptyText(*this);
  empty_->setText(tr("no finished cells yet"));
}

void WaterfallChart::setBars(const QVector<WaterfallBar>& bars, const QString& value_label) {
  clearPlottables();
  clearItems();
  rects_.clear();
  empty_ = addEmptyText(*this);
  empty_->setText(tr("no finished cells yet"));
  bar_count_ = bars.size();
  empty_->setVisible(bars.isEmpty());
  auto ticker = QSharedPointer<QCPAxisTickerText>::create();
  double lo = 0, hi = 0;
  QVector<double> keys, values, minus, plus;
  for (int i = 0; i < bars.size(); ++i) {
    const WaterfallBar& b = bars[i];
    ticker->addTick(i + 1, b.label);
    const QColor base = b.total ? kTotal : (b.to >= b.from ? kUp : kDown);
    auto* rect = new QCPItemRect(this);
    rect->topLeft->setCoords(i + 1 - 0.35, std::max(b.from, b.to));
    rect->bottomRight->setCoords(i + 1 + 0.35, std::min(b.from, b.to));
    rect->setPen(QPen(base.darker(130), 1));
    rect->setBrush(b.uncertain ? pale(base) : base);
    rect->setClipToAxisRect(true);
    rects_ << rect;
    lo = std::min({lo, b.from, b.to});
    hi = std::max({hi, b.from, b.to});
    if (b.lo && b.hi) {
      keys << i + 1;
      values << b.to;
      minus << b.to - *b.lo;
      plus << *b.hi - b.to;
      lo = std::min(lo, *b.lo);
      hi = std::max(hi, *b.hi);
    }
    if (i + 1 < bars.size()) {  // the connector to the next bar's start
      auto* line = new QCPItemLine(this);
      line->start->setCoords(i + 1 + 0.35, b.to);
      line->end->setCoords(i + 2 - 0.35, b.to);
      line->setPen(QPen(QColor(120, 120, 120), 1, Qt::DotLine));
    }
  }
  if (!keys.isEmpty()) {
    // The error bars hang on an invisible graph at the bars' ends.
    QCPGraph* anchor = addGraph();
    anchor->setData(keys, values, true);
    anchor->setLineStyle(QCPGraph::lsNone);
    anchor->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssNone));
    anchor->removeFromLegend();
    auto* errors = new QCPErrorBars(xAxis, yAxis);
    errors->setDataPlottable(anchor);
    errors->setData(minus, plus);
    errors->setPen(QPen(Qt::black, 1));
    errors->setWhiskerWidth(8);
    errors->removeFromLegend();
  }
  xAxis->setTicker(ticker);
  xAxis->setTickLabelRotation(bars.size() > 6 ? -30
                                              : 0);  // ends at its tick: the last stays inside
  xAxis->setRange(0.4, bars.size() + 0.6);
  const double pad = std::max(1.0, (hi - lo) * 0.08);
  yAxis->setRange(lo - pad, hi + pad);
  yAxis->setLabel(value_label);
  replot(rpQueuedReplot);
}

QCPRange WaterfallChart::barSpan(int i) const {
  if (i < 0 || i >= rects_.size()) return {};
  return QCPRange(rects_[i]->bottomRight->coords().y(), rects_[i]->topLeft->coords().y());
}

IntervalBarChart::IntervalBarChart(QWidget* parent)
    : QCustomPlot(parent), group_(new QCPBarsGroup(this)) {
  applyLiveStyle(*this);
  group_->setSpacingType(QCPBarsGroup::stAbsolute);
  group_->setSpacing(2);
  xAxis->grid()->setVisible(false);
  yAxis->grid()->setSubGridVisible(false);
  legend->setBrush(QColor(255, 255, 255, 220));
  axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
  empty_ = addEmptyText(*this);
  empty_->setText(tr("no finished cells yet"));
}

void IntervalBarChart::setData(const QStringList& categories, const QVector<IntervalSeries>& series,
                               const QString& value_label) {
  clearPlottables();
  group_->clear();
  series_count_ = series.size();
  auto ticker = QSharedPointer<QCPAxisTickerText>::create();
  for (int i = 0; i < categories.size(); ++i) ticker->addTick(i + 1, categories[i]);
  xAxis->setTicker(ticker);
  xAxis->setTickLabelRotation(categories.size() > 6 ? -30 : 0);
  double lo = 0, hi = 0;
  bool any = false;
  const double width = 0.8 / std::max<qsizetype>(1, series.size());
  for (const IntervalSeries& s : series) {
    auto* bars = new QCPBars(xAxis, yAxis);
    bars->setName(s.name);
    bars->setPen(QPen(s.color.darker(130), 1));
    bars->setBrush(s.color);
    bars->setWidthType(QCPBars::wtPlotCoords);
    bars->setWidth(width);
    bars->setBarsGroup(group_);
    QVector<double> keys, values, minus, plus;
    for (int i = 0; i < categories.size() && i < s.value.size(); ++i) {
      if (!std::isfinite(s.value[i])) continue;
      keys << i + 1;
      values << s.value[i];
      const bool ci = i < s.lo.size() && std::isfinite(s.lo[i]) && std::isfinite(s.hi[i]);
      minus << (ci ? s.value[i] - s.lo[i] : 0);
      plus << (ci ? s.hi[i] - s.value[i] : 0);
      lo = std::min({lo, s.value[i], ci ? s.lo[i] : s.value[i]});
      hi = std::max({hi, s.value[i], ci ? s.hi[i] : s.value[i]});
      any = true;
    }
    bars->setData(keys, values, true);
    if (!keys.isEmpty()) {
      auto* errors = new QCPErrorBars(xAxis, yAxis);
      errors->setDataPlottable(bars);
      errors->setData(minus, plus);
      errors->setPen(QPen(Qt::black, 1));
      errors->setWhiskerWidth(6);
      errors->removeFromLegend();
    }
  }
  legend->setVisible(any && series.size() > 1);
  empty_->setVisible(!any);
  xAxis->setRange(0.4, categories.size() + 0.6);
  const double pad = std::max(1e-3, (hi - lo) * 0.08);
  yAxis->setRange(lo - pad, hi + pad);
  yAxis->setLabel(value_label);
  replot(rpQueuedReplot);
}

ParallelCoordinatesChart::ParallelCoordinatesChart(QWidget* parent) : QCustomPlot(parent) {
  applyLiveStyle(*this);
  xAxis->setVisible(false);
  yAxis->setVisible(false);
  xAxis->grid()->setVisible(false);
  yAxis->grid()->setVisible(false);
  yAxis->setRange(-0.12, 1.12);
  empty_ = addEmptyText(*this);
  empty_->setText(tr("no finished runs yet"));
  setToolTip(tr("Drag along an axis to keep the lines in that range; double-click to clear"));
}

double ParallelCoordinatesChart::toUnit(int axis, double value) const {
  const QCPRange& r = ranges_[axis];
  return r.size() > 0 ? (value - r.lower) / r.size() : 0.5;
}

double ParallelCoordinatesChart::fromUnit(int axis, double unit) const {
  const QCPRange& r = ranges_[axis];
  return r.lower + unit * r.size();
}

void ParallelCoordinatesChart::setData(const QStringList& axes, const QVector<bool>& categorical,
                                       const QVector<ParallelLine>& lines) {
  axes_ = axes;
  categorical_ = categorical;
  categorical_.resize(axes.size());
  lines_ = lines;
  ranges_.clear();
  for (int a = 0; a < axes.size(); ++a) {
    if (categorical_[a]) {
      ranges_ << QCPRange(0, 1);
      continue;
    }
    double lo = INFINITY, hi = -INFINITY;
    for (const ParallelLine& l : lines) {
      if (a < l.values.size() && std::isfinite(l.values[a])) {
        lo = std::min(lo, l.values[a]);
        hi = std::max(hi, l.values[a]);
      }
    }
    if (!std::isfinite(lo)) lo = 0, hi = 1;
    if (hi - lo < 1e-9) lo -= 0.5, hi += 0.5;
    ranges_ << QCPRange(lo, hi);
  }
  brushes_ = QVector<std::optional<QCPRange>>(axes.size());
  redraw();
}

void ParallelCoordinatesChart::setBrush(int axis, double lo, double hi) {
  if (axis < 0 || axis >= brushes_.size()) return;
  brushes_[axis] = QCPRange(std::min(lo, hi), std::max(lo, hi));
  redraw();
}

void ParallelCoordinatesChart::clearBrushes() {
  brushes_ = QVector<std::optional<QCPRange>>(axes_.size());
  redraw();
}

void ParallelCoordinatesChart::redraw() {
  clearGraphs();
  graphs_.clear();
  clearItems();
  empty_ = addEmptyText(*this);
  empty_->setText(tr("no finished runs yet"));
  empty_->setVisible(lines_.isEmpty());
  brush_items_.clear();
  selected_.clear();
  const int n = axes_.size();
  xAxis->setRange(-0.3, std::max(1, n - 1) + 0.3);
  for (int i = 0; i < lines_.size(); ++i) {
    bool in = true;
    for (int a = 0; a < n; ++a) {
      if (brushes_[a] &&
          (a >= lines_[i].values.size() || !brushes_[a]->contains(lines_[i].values[a])))
        in = false;
    }
    if (in) selected_ << i;
  }
  const bool filtered = selected_.size() != lines_.size();
  // Unselected lines first (grey, behind), then the selected ones in colour.
  for (int pass = 0; pass < 2; ++pass) {
    for (int i = 0; i < lines_.size(); ++i) {
      const bool sel = selected_.contains(i);
      if ((pass == 0) == sel) continue;
      QVector<double> x, y;
      for (int a = 0; a < n && a < lines_[i].values.size(); ++a) {
        // Categorical levels spread a little so the lines on one level stay apart.
        const double jitter = categorical_[a] ? ((i % 7) - 3) * 0.008 : 0.0;
        x << a;
        y << toUnit(a, lines_[i].values[a]) + jitter;
      }
      QCPGraph* g = addGraph();
      g->setData(x, y, true);
      g->removeFromLegend();
      g->setPen(QPen(sel ? (filtered ? QColor(214, 39, 40) : paletteColor(i % kPaletteSize))
                         : QColor(200, 200, 200),
                     sel ? 1.5 : 1));
      graphs_ << g;
    }
  }
  for (int a = 0; a < n; ++a) {
    auto* axis = new QCPItemLine(this);
    axis->start->setCoords(a, 0);
    axis->end->setCoords(a, 1);
    axis->setPen(QPen(Qt::black, 1));
    auto* name = new QCPItemText(this);
    name->position->setCoords(a, 1.08);
    name->setText(axes_[a]);
    name->setFont(QFont(font().family(), 9, QFont::Bold));
    const auto label = [&](double unit, const QString& text) {
      auto* t = new QCPItemText(this);
      t->position->setCoords(a, unit);
      t->setPositionAlignment(Qt::AlignRight | Qt::AlignVCenter);
      t->setPadding(QMargins(0, 0, 4, 0));
      t->setText(text);
      t->setColor(QColor(90, 90, 90));
    };
    if (categorical_[a]) {
      label(0, QStringLiteral("A"));
      label(1, QStringLiteral("B"));
    } else {
      label(0, QString::number(ranges_[a].lower, 'g', 3));
      label(1, QString::number(ranges_[a].upper, 'g', 3));
    }
    if (brushes_[a]) {
      auto* rect = new QCPItemRect(this);
      rect->topLeft->setCoords(a - 0.04, toUnit(a, brushes_[a]->upper));
      rect->bottomRight->setCoords(a + 0.04, toUnit(a, brushes_[a]->lower));
      rect->setBrush(QColor(255, 200, 0, 90));
      rect->setPen(QPen(QColor(200, 140, 0)));
      brush_items_ << rect;
    }
  }
  replot(rpQueuedReplot);
  emit selectionChanged(selected_);
}

void ParallelCoordinatesChart::mousePressEvent(QMouseEvent* event) {
  const double x = xAxis->pixelToCoord(event->position().x());
  const int axis = static_cast<int>(std::lround(x));
  if (axis >= 0 && axis < axes_.size() && std::abs(x - axis) < 0.15) {
    dragging_axis_ = axis;
    drag_start_ = std::clamp(yAxis->pixelToCoord(event->position().y()), 0.0, 1.0);
    return;
  }
  QCustomPlot::mousePressEvent(event);
}

void ParallelCoordinatesChart::mouseMoveEvent(QMouseEvent* event) {
  if (dragging_axis_ < 0) return QCustomPlot::mouseMoveEvent(event);
  const double now = std::clamp(yAxis->pixelToCoord(event->position().y()), 0.0, 1.0);
  brushes_[dragging_axis_] = QCPRange(fromUnit(dragging_axis_, std::min(drag_start_, now)),
                                      fromUnit(dragging_axis_, std::max(drag_start_, now)));
  redraw();
}

void ParallelCoordinatesChart::mouseReleaseEvent(QMouseEvent* event) {
  if (dragging_axis_ < 0) return QCustomPlot::mouseReleaseEvent(event);
  const double now = std::clamp(yAxis->pixelToCoord(event->position().y()), 0.0, 1.0);
  if (std::abs(now - drag_start_) < 0.01) {
    brushes_[dragging_axis_].reset();  // a click on an axis clears its brush
  } else {
    brushes_[dragging_axis_] = QCPRange(fromUnit(dragging_axis_, std::min(drag_start_, now)),
                                        fromUnit(dragging_axis_, std::max(drag_start_, now)));
  }
  dragging_axis_ = -1;
  redraw();
}

void ParallelCoordinatesChart::mouseDoubleClickEvent(QMouseEvent* event) {
  clearBrushes();
  QCustomPlot::mouseDoubleClickEvent(event);
}

}  // namespace gwb::plot
