// Small multiples of histograms (QCustomPlot, one axis rect per panel): the current gate-alpha
// histogram of every layer, or the |p| and angle distributions of every offset. Several runs
// overlay in a panel as step lines with a light fill, each in its run colour. A title above the
// panels (an export names its run there); each row of panels asks for real height, and no panel
// says why. Qt only.
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

  /// A bold line above the panels; empty: none.
  void setTitle(const QString& title);
  QString title() const { return title_text_; }
  /// Lays out `titles.size()` panels in `columns` columns; clears every histogram. The widget's
  /// minimum height grows with the rows (kRowHeight each, up to three rows).
  void setPanels(const QStringList& titles, int columns = 3);
  /// What the chart says while it has no panels (default "no data yet").
  void setEmptyText(const QString& text);
  static constexpr int kRowHeight = 140;
  int panelCount() const { return static_cast<int>(rects_.size()); }
  /// Draws series `id` in `panel`: `values` per bin (bins = edges - 1), shown as shares of the
  /// total. With a `label`, the series is in the legend under the title (once for all panels),
  /// so that overlapping runs can be told apart.
  void setHistogram(int panel, const QString& id, const QColor& color, const QVector<double>& edges,
                    const QVector<double>& values, const QString& label = {});
  /// Number of series drawn in `panel`.
  int seriesCount(int panel) const;
  /// The labels in the legend, in the order they were first drawn.
  QStringList legendLabels() const;
  void clearHistograms();

 private:
  void layOut();

  QString title_text_, empty_text_;
  QStringList panel_titles_;
  int columns_ = 3;
  QCPMarginGroup* margins_ = nullptr;
  std::vector<QCPAxisRect*> rects_;
  std::vector<std::map<QString, QCPGraph*>> graphs_;
  QCPLegend* legend_ = nullptr;  // under the title; shown once a labelled series is drawn
  QStringList legend_ids_;
};

}  // namespace gwb::plot
