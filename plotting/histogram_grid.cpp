// HistogramGrid.
#include "plotting/histogram_grid.h"

#include "plotting/plot_style.h"

namespace gwb::plot {

HistogramGrid::HistogramGrid(QWidget* parent)
    : QCustomPlot(parent), empty_text_(tr("no data yet")) {
  applyLiveStyle(*this);
  setAutoAddPlottableToLegend(false);  // one legend entry per run, not one per panel
  margins_ = new QCPMarginGroup(this);
  setPanels({});
}

void HistogramGrid::setTitle(const QString& title) {
  title_text_ = title;
  layOut();
}

void HistogramGrid::setEmptyText(const QString& text) {
  empty_text_ = text;
  if (rects_.empty()) layOut();
}

void HistogramGrid::setPanels(const QStringList& titles, int columns) {
  panel_titles_ = titles;
  columns_ = std::max(1, columns);
  layOut();
}

void HistogramGrid::layOut() {
  clearHistograms();
  plotLayout()->clear();
  rects_.clear();
  graphs_.clear();
  const QStringList& titles = panel_titles_;
  const int columns = columns_;
  int row0 = 0;
  if (!title_text_.isEmpty()) {
    plotLayout()->addElement(
        row0++, 0, new QCPTextElement(this, title_text_, QFont(font().family(), 9, QFont::Bold)));
  }
  // The legend row: one entry per labelled series (a run), horizontal, without a frame.
  legend_ = new QCPLegend;
  legend_->setFillOrder(QCPLayoutGrid::foColumnsFirst);
  legend_->setBorderPen(Qt::NoPen);
  legend_->setBrush(Qt::NoBrush);
  legend_->setFont(QFont(font().family(), 8));
  legend_->setVisible(false);
  plotLayout()->addElement(row0++, 0, legend_);
  legend_->setLayer(QStringLiteral("legend"));  // once it has its plot
  plotLayout()->setRowStretchFactor(row0 - 1, 0.001);
  legend_ids_.clear();
  auto* panels = new QCPLayoutGrid;
  plotLayout()->addElement(row0, 0, panels);
  if (titles.isEmpty() && !empty_text_.isEmpty()) {
    auto* text = new QCPTextElement(this, empty_text_, QFont(font().family(), 9));
    text->setTextColor(QColor(110, 110, 110));
    panels->addElement(0, 0, text);
  }
  const int rows = (static_cast<int>(titles.size()) + columns - 1) / columns;
  setMinimumHeight(std::max(1, std::min(rows, 3)) * kRowHeight);
  for (int i = 0; i < titles.size(); ++i) {
    auto* rect = new QCPAxisRect(this);
    panels->addElement(i / columns, i % columns, rect);
    rect->axis(QCPAxis::atBottom)->setLabel(titles[i]);
    rect->axis(QCPAxis::atBottom)->setLabelFont(QFont(font().family(), 8));
    rect->axis(QCPAxis::atBottom)->setTickLabelFont(QFont(font().family(), 7));
    rect->axis(QCPAxis::atLeft)->setTickLabelFont(QFont(font().family(), 7));
    if (i % columns == 0) {  // the share axis, once a row
      rect->axis(QCPAxis::atLeft)->setLabel(tr("share"));
      rect->axis(QCPAxis::atLeft)->setLabelFont(QFont(font().family(), 8));
    }
    rect->setMarginGroup(QCP::msLeft, margins_);
    rects_.push_back(rect);
  }
  graphs_.resize(rects_.size());
  replot(rpQueuedReplot);
}

void HistogramGrid::setHistogram(int panel, const QString& id, const QColor& color,
                                 const QVector<double>& edges, const QVector<double>& values,
                                 const QString& label) {
  if (panel < 0 || panel >= panelCount() || edges.size() != values.size() + 1) return;
  QCPAxisRect* rect = rects_[panel];
  QCPGraph*& graph = graphs_[panel][id];
  if (!graph) {
    graph = addGraph(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
    graph->setLineStyle(QCPGraph::lsStepLeft);
    graph->setPen(QPen(color, 1.5));
    QColor fill = color;
    fill.setAlpha(45);
    graph->setBrush(fill);
    graph->setName(label);
    if (!label.isEmpty() && legend_ && !legend_ids_.contains(id)) {
      legend_ids_ << id;
      graph->addToLegend(legend_);
      legend_->setVisible(true);
    }
  }
  double total = 0;
  for (double v : values) total += v;
  QVector<double> x = edges, y(edges.size());
  for (int i = 0; i < values.size(); ++i) y[i] = total > 0 ? values[i] / total : 0;
  y.back() = y.size() > 1 ? y[y.size() - 2] : 0;  // a step line needs the last edge too
  graph->setData(x, y, true);
  rect->axis(QCPAxis::atBottom)->setRange(edges.front(), edges.back());
  double top = 0;
  for (const auto& [key, g] : graphs_[panel]) {
    bool found = false;
    top = std::max(top, g->getValueRange(found).upper);
  }
  rect->axis(QCPAxis::atLeft)->setRange(0, top > 0 ? top * 1.1 : 1);
  replot(rpQueuedReplot);
}

QStringList HistogramGrid::legendLabels() const {
  QStringList out;
  if (!legend_) return out;
  for (int i = 0; i < legend_->itemCount(); ++i) {
    if (auto* item = qobject_cast<QCPPlottableLegendItem*>(legend_->item(i)))
      out << item->plottable()->name();
  }
  return out;
}

int HistogramGrid::seriesCount(int panel) const {
  return panel >= 0 && panel < panelCount() ? static_cast<int>(graphs_[panel].size()) : 0;
}

void HistogramGrid::clearHistograms() {
  for (auto& panel : graphs_) {
    for (auto& [id, g] : panel) removeGraph(g);
    panel.clear();
  }
  legend_ids_.clear();
  if (legend_) legend_->setVisible(false);
}

}  // namespace gwb::plot
