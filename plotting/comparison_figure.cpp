// ComparisonFigure: three axis rects in one layout.
#include "plotting/comparison_figure.h"

#include "plotting/bar_chart.h"

#include <cmath>

#include "plotting/plot_style.h"

namespace gwb::plot {
namespace {

QCPAxisRect* panel(QCustomPlot* plot, const QString& x, const QString& y, const QString& title) {
  auto* rect = new QCPAxisRect(plot);
  rect->axis(QCPAxis::atBottom)->setLabel(x);
  rect->axis(QCPAxis::atLeft)->setLabel(y);
  rect->axis(QCPAxis::atTop)->setVisible(true);
  rect->axis(QCPAxis::atTop)->setTicks(false);
  rect->axis(QCPAxis::atTop)->setTickLabels(false);
  rect->axis(QCPAxis::atTop)->setLabel(title);
  rect->axis(QCPAxis::atTop)->setLabelFont(QFont(plot->font().family(), 9, QFont::Bold));
  return rect;
}

}  // namespace

ComparisonFigure::ComparisonFigure(QWidget* parent) : QCustomPlot(parent) {
  applyLiveStyle(*this);
  plotLayout()->clear();
  bar_rect_ = panel(this, tr("configuration"), tr("validation perplexity"),
                    tr("Ours vs the paper vs the reproduction"));
  ppl_rect_ = panel(this, tr("step"), tr("validation perplexity"), tr("Validation perplexity"));
  position_rect_ = panel(this, tr("position in the chunk"), tr("loss"),
                         tr("Loss by position (latest evaluation)"));
  auto* top = new QCPLayoutGrid;  // bars and curves side by side, loss by position below
  plotLayout()->addElement(0, 0, top);
  top->addElement(0, 0, bar_rect_);
  top->addElement(0, 1, ppl_rect_);
  plotLayout()->addElement(1, 0, position_rect_);
  plotLayout()->setRowStretchFactor(1, 0.8);
  setLogAxis(ppl_rect_->axis(QCPAxis::atLeft), true);
  setAutoAddPlottableToLegend(false);  // each panel keeps its own legend
  curve_legend_ = new QCPLegend;
  ppl_rect_->insetLayout()->addElement(curve_legend_, Qt::AlignTop | Qt::AlignRight);
  curve_legend_->setLayer(QStringLiteral("legend"));
  curve_legend_->setFont(QFont(font().family(), 8));
  position_legend_ = new QCPLegend;  // loss by position: which run, at which evaluation
  position_rect_->insetLayout()->addElement(position_legend_, Qt::AlignTop | Qt::AlignRight);
  position_legend_->setLayer(QStringLiteral("legend"));
  position_legend_->setFont(QFont(font().family(), 8));
  bar_legend_ = new QCPLegend;
  bar_rect_->insetLayout()->addElement(bar_legend_, Qt::AlignTop | Qt::AlignRight);
  bar_legend_->setLayer(QStringLiteral("legend"));
  bar_legend_->setFont(QFont(font().family(), 8));
  for (QCPAxisRect* r : {bar_rect_, ppl_rect_, position_rect_}) {
    for (QCPAxis* a : r->axes()) a->grid()->setSubGridVisible(false);
  }
}

void ComparisonFigure::setBarNote(const QString& note) {
  // A line under the figure, not inside the bars' panel, where it ran under the legend and the
  // bars.
  if (note.isEmpty()) {
    if (bar_note_) {
      plotLayout()->remove(bar_note_);  // deletes it
      plotLayout()->simplify();
      bar_note_ = nullptr;
    }
  } else {
    if (!bar_note_) {
      bar_note_ = new QCPTextElement(this, QString(), QFont(font().family(), 8));
      bar_note_->setTextColor(QColor(90, 90, 90));
      bar_note_->setTextFlags(Qt::AlignLeft | Qt::AlignVCenter);
      bar_note_->setMargins(QMargins(8, 2, 8, 4));
      plotLayout()->addElement(plotLayout()->rowCount(), 0, bar_note_);
      plotLayout()->setRowStretchFactor(plotLayout()->rowCount() - 1, 0.001);
    }
    bar_note_->setText(tr("Bars: %1").arg(note));
  }
  replot(rpQueuedReplot);
}

void ComparisonFigure::setBars(const QStringList& categories, const QVector<Bars>& bars) {
  for (QCPBars* b : bars_) removePlottable(b);
  bars_.clear();
  bar_legend_->clearItems();
  auto ticker = QSharedPointer<QCPAxisTickerText>::create();
  for (int i = 0; i < categories.size(); ++i) ticker->addTick(i + 1, categories[i]);
  QCPAxis* x = bar_rect_->axis(QCPAxis::atBottom);
  QCPAxis* y = bar_rect_->axis(QCPAxis::atLeft);
  x->setTicker(ticker);
  categories_ = categories;  // turned at layout time when they do not fit side by side
  x->setRange(0.4, categories.size() + 0.6);
  double top = 0;
  // Each category's bars centred on it among the sources with a number there.
  QVector<QVector<double>> all;
  for (const Bars& b : bars) all << b.values;
  double width = 0.8;
  const QVector<QVector<double>> placed = groupedBarKeys(
      all, static_cast<int>(categories.size()), [](double v) { return std::isfinite(v); }, &width);
  for (int s = 0; s < bars.size(); ++s) {
    const Bars& b = bars[s];
    auto* series = new QCPBars(x, y);
    series->setName(b.name);
    series->setBrush(b.color);
    series->setPen(QPen(b.color.darker(130), 1));
    series->setWidthType(QCPBars::wtPlotCoords);
    series->setWidth(width);
    const QVector<double>& keys = placed[s];
    QVector<double> values;
    for (int i = 0; i < b.values.size() && i < categories.size(); ++i) {
      if (!std::isfinite(b.values[i])) continue;
      values << b.values[i];
      top = std::max(top, b.values[i]);
    }
    series->setData(keys, values, true);
    if (!keys.isEmpty()) bar_legend_->addItem(new QCPPlottableLegendItem(bar_legend_, series));
    bars_.push_back(series);
  }
  y->setRange(0, top > 0 ? top * 1.15 : 1);
  replot(rpQueuedReplot);
}

void ComparisonFigure::updateLayout() {
  QCustomPlot::updateLayout();
  // The configuration names under the bars, turned when they would not fit side by side at the
  // size drawn (three of them overlapped in a 1200-px export).
  QCPAxis* x = bar_rect_->axis(QCPAxis::atBottom);
  const QFontMetrics metrics(x->tickLabelFont());
  int widest = 0;
  for (const QString& c : categories_) widest = std::max(widest, metrics.horizontalAdvance(c));
  const double slot = categories_.isEmpty() ? 0 : bar_rect_->width() / (categories_.size() + 0.2);
  const double rotation = widest + 8 > slot ? 30 : 0;
  if (x->tickLabelRotation() != rotation) {
    x->setTickLabelRotation(rotation);
    QCustomPlot::updateLayout();
  }
}

void ComparisonFigure::setCurves(const QVector<Curve>& valid_ppl,
                                 const QVector<Curve>& loss_by_position) {
  for (QCPAxisRect* r : {ppl_rect_, position_rect_}) {
    for (QCPGraph* g : r->graphs()) removeGraph(g);
  }
  curve_legend_->clearItems();
  position_legend_->clearItems();
  const auto draw = [this](QCPAxisRect* rect, const QVector<Curve>& curves, bool markers) {
    QCPLegend* legend = markers ? curve_legend_ : position_legend_;
    for (const Curve& c : curves) {
      QCPGraph* g = addGraph(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
      g->setPen(QPen(c.color, 1));
      g->setName(c.label);
      if (markers) g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 4));
      g->setData(c.x, c.y, true);
      if (!c.x.isEmpty()) legend->addItem(new QCPPlottableLegendItem(legend, g));
    }
    legend->setVisible(legend->itemCount() > 0);
    bool any = false;
    QCPRange xr, yr;
    for (QCPGraph* g : rect->graphs()) {
      bool found = false;
      const QCPRange kr = g->getKeyRange(found);
      if (!found) continue;
      const QCPRange vr = g->getValueRange(found, QCP::sdBoth);
      xr = any ? QCPRange(std::min(xr.lower, kr.lower), std::max(xr.upper, kr.upper)) : kr;
      yr = any ? QCPRange(std::min(yr.lower, vr.lower), std::max(yr.upper, vr.upper)) : vr;
      any = true;
    }
    if (any) {
      rect->axis(QCPAxis::atBottom)->setRange(paddedRange(xr.lower, xr.upper));
      rect->axis(QCPAxis::atLeft)->setRange(yr.lower * 0.95, yr.upper * 1.05);
    }
  };
  draw(ppl_rect_, valid_ppl, true);
  draw(position_rect_, loss_by_position, false);
  replot(rpQueuedReplot);
}

}  // namespace gwb::plot
