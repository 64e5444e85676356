// A histogram over training time as a heat map (QCPColorMap): x is the step of each probe, y the
// bins, the colour the share of values in a bin at that step (each column sums to 1). A single
// probe (or bin) is drawn as one cell across the axis; empty, it says so. Qt only.
#pragma once

#include <qcustomplot.h>
#include <QString>
#include <QVector>

namespace gwb::plot {

class HeatmapChart : public QCustomPlot {
  Q_OBJECT

 public:
  explicit HeatmapChart(QWidget* parent = nullptr);

  void setTitle(const QString& title);
  void setAxisLabels(const QString& x, const QString& y);
  /// Whether the y axis shows only the bins that hold anything (with a bin of margin) rather than
  /// all of them (default: all, e.g. α over 0..1).
  void setFitRowsToData(bool on) { fit_rows_ = on; }
  /// `steps` (increasing) and, per step, the counts of the bins between `edges`.
  void setData(const QVector<double>& steps, const QVector<double>& edges,
               const QVector<QVector<double>>& counts);
  /// Columns (probes) x rows (bins) of the data (0 x 0 when empty).
  QSize cells() const;
  /// The share in the cell of step index `column` and bin `row`.
  double share(int column, int row) const;
  void clear();
  /// What the chart says while it has no data (default "no data yet").
  void setEmptyText(const QString& text);

 private:
  QCPColorMap* map_;
  QCPColorScale* scale_;
  QCPTextElement* title_ = nullptr;
  QCPItemText* empty_text_ = nullptr;
  QSize cells_{0, 0};
  bool fit_rows_ = false;
};

/// Viridis as a QCustomPlot gradient (perceptually uniform; QCustomPlot 2.1 lacks it).
QCPColorGradient viridis();

}  // namespace gwb::plot
