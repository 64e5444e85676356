// The Study page's charts: the waterfall of the gap from recipe A to recipe B (one floating bar per
// group with its 95% interval), bars with intervals (each architecture's own change per group, or
// a factorial's effects), and parallel coordinates of the paired outcomes (one axis per switch, the
// last the gap) with brushing: drag along an axis to keep the lines that cross that range. Plain
// values in; Qt and QCustomPlot only.
#pragma once

#include <qcustomplot.h>

#include <QColor>
#include <QStringList>
#include <QVector>
#include <optional>

namespace gwb::plot {

/// One bar of a waterfall: a total (from 0) or a step (from the running total).
struct WaterfallBar {
  QString label;
  double from = 0, to = 0;  ///< the bar spans [from, to] (a total: from = 0)
  std::optional<double> lo, hi;  ///< where the step's interval puts `to`
  bool total = false;
  bool uncertain = false;  ///< its interval contains 0: drawn pale
};

class WaterfallChart : public QCustomPlot {
  Q_OBJECT

 public:
  explicit WaterfallChart(QWidget* parent = nullptr);
  /// Shows the bars left to right; `value_label` names the axis ("gap %").
  void setBars(const QVector<WaterfallBar>& bars, const QString& value_label);
  int barCount() const { return bar_count_; }
  /// The drawn [bottom, top] of bar i (tests).
  QCPRange barSpan(int i) const;

 private:
  QCPItemText* empty_;
  QVector<QCPItemRect*> rects_;
  int bar_count_ = 0;
};

/// Categories with one bar per series and an interval on each bar (NaN: none).
struct IntervalSeries {
  QString name;
  QColor color;
  QVector<double> value, lo, hi;
};

class IntervalBarChart : public QCustomPlot {
  Q_OBJECT

 public:
  explicit IntervalBarChart(QWidget* parent = nullptr);
  void setData(const QStringList& categories, const QVector<IntervalSeries>& series,
               const QString& value_label);
  int seriesCount() const { return series_count_; }

 private:
  QCPBarsGroup* group_;
  QCPItemText* empty_;
  int series_count_ = 0;
};

/// One line of the parallel coordinates: a value per axis, and what it stands for.
struct ParallelLine {
  QVector<double> values;  ///< per axis, in the axis' own units
  QString id;              ///< e.g. "A+block s1234" (tooltips, selection)
};

class ParallelCoordinatesChart : public QCustomPlot {
  Q_OBJECT

 public:
  explicit ParallelCoordinatesChart(QWidget* parent = nullptr);
  /// `axes`: names; `categorical[i]`: axis i takes the levels 0 (A) and 1 (B).
  void setData(const QStringList& axes, const QVector<bool>& categorical,
               const QVector<ParallelLine>& lines);
  /// Keeps the lines whose value on `axis` lies in [lo, hi] (axis units); several axes combine.
  void setBrush(int axis, double lo, double hi);
  void clearBrushes();
  /// The lines that pass every brush (all without brushes), as indices of setData's lines.
  QVector<int> selected() const { return selected_; }
  int lineCount() const { return lines_.size(); }

 signals:
  void selectionChanged(const QVector<int>& lines);

 protected:
  void mousePressEvent(QMouseEvent* event) override;
  void mouseMoveEvent(QMouseEvent* event) override;
  void mouseReleaseEvent(QMouseEvent* event) override;
  void mouseDoubleClickEvent(QMouseEvent* event) override;

 private:
  double toUnit(int axis, double value) const;  // axis units -> [0, 1]
  double fromUnit(int axis, double unit) const;
  void redraw();

  QStringList axes_;
  QVector<bool> categorical_;
  QVector<ParallelLine> lines_;
  QVector<QCPRange> ranges_;                   // per axis, its units' span
  QVector<std::optional<QCPRange>> brushes_;   // per axis, in axis units
  QVector<int> selected_;
  QVector<QCPGraph*> graphs_;
  QVector<QCPItemRect*> brush_items_;
  QCPItemText* empty_;
  int dragging_axis_ = -1;
  double drag_start_ = 0;
};

}  // namespace gwb::plot
