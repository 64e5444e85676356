// HeatmapChart.
#include "plotting/heatmap_chart.h"

#include <algorithm>

#include "plotting/plot_style.h"

namespace gwb::plot {

QCPColorGradient viridis() {
  QCPColorGradient g;
  g.clearColorStops();
  g.setColorStopAt(0.00, QColor(68, 1, 84));
  g.setColorStopAt(0.25, QColor(59, 82, 139));
  g.setColorStopAt(0.50, QColor(33, 145, 140));
  g.setColorStopAt(0.75, QColor(94, 201, 98));
  g.setColorStopAt(1.00, QColor(253, 231, 37));
  g.setColorInterpolation(QCPColorGradient::ciRGB);
  return g;
}

HeatmapChart::HeatmapChart(QWidget* parent) : QCustomPlot(parent) {
  applyLiveStyle(*this);
  setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
  map_ = new QCPColorMap(xAxis, yAxis);
  scale_ = new QCPColorScale(this);
  plotLayout()->addElement(0, 1, scale_);
  scale_->setType(QCPAxis::atRight);
  scale_->axis()->setLabel(QStringLiteral("share"));
  map_->setColorScale(scale_);
  map_->setGradient(viridis());
  map_->setInterpolate(false);
  auto* margins = new QCPMarginGroup(this);
  axisRect()->setMarginGroup(QCP::msBottom | QCP::msTop, margins);
  scale_->setMarginGroup(QCP::msBottom | QCP::msTop, margins);
  empty_text_ = addEmptyText(*this);
}

void HeatmapChart::setEmptyText(const QString& text) {
  empty_text_->setText(text);
  replot(rpQueuedReplot);
}

void HeatmapChart::setTitle(const QString& title) {
  if (!title_) {
    plotLayout()->insertRow(0);
    title_ = new QCPTextElement(this, title, QFont(font().family(), 9, QFont::Bold));
    plotLayout()->addElement(0, 0, title_);
  }
  title_->setText(title);
}

void HeatmapChart::setAxisLabels(const QString& x, const QString& y) {
  xAxis->setLabel(x);
  yAxis->setLabel(y);
}

void HeatmapChart::setData(const QVector<double>& steps, const QVector<double>& edges,
                           const QVector<QVector<double>>& counts) {
  const int nx = steps.size(), ny = edges.size() - 1;
  if (nx == 0 || ny <= 0 || counts.size() != nx) {
    clear();
    return;
  }
  // Cells are centred on each probe step (evenly spaced probes) and on each bin. QCPColorMap
  // gives a dimension of one cell no extent (it draws nothing), so a single probe or bin is
  // stored as two equal cells that together span the axis.
  const double dx = nx > 1 ? (steps.back() - steps.front()) / (nx - 1)
                           : 2 * std::max(1.0, std::abs(steps.front()) / 10);
  const int kx = std::max(nx, 2), ky = std::max(ny, 2);
  const double x0 = steps.front() - dx / 2, x1 = steps.back() + dx / 2;  // the columns' extent
  map_->data()->setSize(kx, ky);
  map_->data()->setRange(QCPRange(x0 + (x1 - x0) / (2 * kx), x1 - (x1 - x0) / (2 * kx)),
                         QCPRange(edges[0] + (edges[ny] - edges[0]) / (2 * ky),
                                  edges[ny] - (edges[ny] - edges[0]) / (2 * ky)));
  for (int i = 0; i < kx; ++i) {
    const int column = i * nx / kx;
    double total = 0;
    for (double c : counts[column]) total += c;
    for (int j = 0; j < ky; ++j) {
      const int bin = j * ny / ky;
      map_->data()->setCell(
          i, j, total > 0 && bin < counts[column].size() ? counts[column][bin] / total : 0);
    }
  }
  cells_ = QSize(nx, ny);
  map_->rescaleDataRange(true);
  xAxis->setRange(x0, x1);
  // Fitted, the y axis spans the bins that hold anything, one bin of margin either side (the |p|
  // map's fixed bins run from -6 to 4 for values between 0 and 1.3: issue 24).
  int lo = ny, hi = -1;
  for (const QVector<double>& column : counts) {
    for (int b = 0; b < std::min<int>(ny, column.size()); ++b) {
      if (column[b] <= 0) continue;
      lo = std::min(lo, b);
      hi = std::max(hi, b);
    }
  }
  if (hi < 0 || !fit_rows_) {
    yAxis->setRange(edges.front(), edges.back());
  } else {
    yAxis->setRange(edges[std::max(0, lo - 1)], edges[std::min(ny, hi + 2)]);
  }
  empty_text_->setVisible(false);
  replot(rpQueuedReplot);
}

QSize HeatmapChart::cells() const { return cells_; }

double HeatmapChart::share(int column, int row) const { return map_->data()->cell(column, row); }

void HeatmapChart::clear() {
  map_->data()->clear();
  cells_ = QSize(0, 0);
  empty_text_->setVisible(true);
  replot(rpQueuedReplot);
}

}  // namespace gwb::plot
