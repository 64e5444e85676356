// Small multiples of histograms (QCustomPlot, one axis rect per panel): the current gate-alpha
// histogram of every layer, or the |p| and angle distributions of every offset. Several runs
// overlay in a panel as step lines with a light fill, each in its run colour. Qt only.
#pragma once

#include <qcustomplot.h>
#include <QColor>
#include <QStringList>
#include <QVector>

namespace gwb::plot {

class HistogramGrid : public QCustomPlot {
  Q_OBJECT

 public:
  explicit HistogramGrid(QWidget* parent = nullptr);

  /// Lays out `titles.size()` panels in `columns` columns; clears every histogram.
  void setPanels(const QStringList& titles, int columns = 3);
  int panelCount() const { return static_cast<int>(rects_.size()); }
  /// Draws series `id` in `panel`: `values` per bin (bins = edges - 1), shown as shares of the
  /// total.
  void setHistogram(int panel, const QString& id, const QColor& color, const QVector<double>& edges,
                    const QVector<double>& values);
  /// Number of series drawn in `panel`.
  int seriesCount(int panel) const;
  void clearHistograms();

 private:
  std::vector<QCPAxisRect*> rects_;
  std::vector<std::map<QString, QCPGraph*>> graphs_;
};

}  // namespace gwb::plot
