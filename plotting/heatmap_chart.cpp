// HeatmapChart.
#include "plotting/heatmap_chart.h"

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
  // Cells are centred on each probe step (evenly spaced probes) and on each bin.
  const double dx = nx > 1 ? (steps.back() - steps.front()) / (nx - 1) : 1;
  map_->data()->setSize(nx, ny);
  map_->data()->setRange(QCPRange(steps.front(), steps.front() + dx * (nx - 1)),
                         QCPRange((edges[0] + edges[1]) / 2, (edges[ny - 1] + edges[ny]) / 2));
  for (int i = 0; i < nx; ++i) {
    double total = 0;
    for (double c : counts[i]) total += c;
    for (int j = 0; j < ny; ++j) {
      map_->data()->setCell(i, j, total > 0 && j < counts[i].size() ? counts[i][j] / total : 0);
    }
  }
  map_->rescaleDataRange(true);
  xAxis->setRange(steps.front() - dx / 2, steps.front() + dx * (nx - 0.5));
  yAxis->setRange(edges.front(), edges.back());
  replot(rpQueuedReplot);
}

QSize HeatmapChart::cells() const {
  return QSize(map_->data()->keySize(), map_->data()->valueSize());
}

double HeatmapChart::share(int column, int row) const { return map_->data()->cell(column, row); }

void HeatmapChart::clear() {
  map_->data()->clear();
  replot(rpQueuedReplot);
}

}  // namespace gwb::plot
