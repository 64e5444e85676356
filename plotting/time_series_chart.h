// A live multi-run line chart (QCustomPlot): each series drawn raw (faint) with a debiased EMA over
// it, or as markers (evaluations: never smoothed); log y; labelled dashed reference lines (the
// paper's and the reproductions' numbers); mean ± std bands for seed groups; vertical markers
// (spikes); zoom and drag, double-click to reset; a crosshair listing every series' value at the
// nearest step that exists. Says why it is empty instead of showing an empty legend. Points are
// appended once per GUI tick (addData, already sorted) and replots are queued, as STYLE.md
// measured. Qt only.
#pragma once

#include <qcustomplot.h>
#include <QColor>
#include <QString>
#include <QVector>
#include <cmath>
#include <map>

namespace gwb::plot {

/// TensorBoard's smoothing: an exponential moving average debiased by 1 - w^n, so the first
/// points are not pulled towards 0.
class DebiasedEma {
 public:
  explicit DebiasedEma(double weight = 0.6) : weight_(weight) {}
  double add(double value) {
    if (!std::isfinite(value)) return last_;
    ++n_;
    accum_ = accum_ * weight_ + (1 - weight_) * value;
    last_ = weight_ > 0 ? accum_ / (1 - std::pow(weight_, n_)) : value;
    return last_;
  }
  double weight() const { return weight_; }

 private:
  double weight_;
  double accum_ = 0;
  double last_ = 0;
  int n_ = 0;
};

class TimeSeriesChart : public QCustomPlot {
  Q_OBJECT

 public:
  enum class Style { Lines, Markers };

  explicit TimeSeriesChart(QWidget* parent = nullptr);

  void setTitle(const QString& title);
  void setAxisLabels(const QString& x, const QString& y);
  /// Lines (raw + EMA) or Markers (evaluations, drawn and exported unsmoothed).
  void setStyle(Style style);
  /// EMA weight in [0, 0.999]; 0 draws the raw series only. Recomputes every series.
  void setSmoothing(double weight);
  double smoothing() const { return smoothing_; }
  /// Whether the series are smoothed at all (Lines with a weight above 0).
  bool smooths() const { return style_ == Style::Lines && smoothing_ > 0; }
  /// Values that are exp of a loss (perplexities): the EMA runs on log(y), i.e. on the loss,
  /// and is exponentiated back, never an average of perplexities.
  void setSmoothLogValues(bool on);
  bool smoothLogValues() const { return smooth_log_; }
  void setLogY(bool on);
  bool logY() const { return log_y_; }

  /// Appends points (x increasing) to series `id`, creating it with `label` and `color` (an
  /// existing series takes the label and colour given).
  void appendPoints(const QString& id, const QString& label, const QColor& color,
                    const QVector<double>& x, const QVector<double>& y);
  /// Replaces series `id`'s points.
  void setPoints(const QString& id, const QString& label, const QColor& color,
                 const QVector<double>& x, const QVector<double>& y);
  /// Draws series `id` with a dash pattern (e.g. one per layer of one run).
  void setSeriesPenStyle(const QString& id, Qt::PenStyle style);
  /// Keeps [lo, hi] in view when fitting (e.g. 0..0.01 for shares that are all 0).
  void setYRangeIncludes(double lo, double hi) {
    include_lo_ = lo;
    include_hi_ = hi;
  }
  /// The y range shown while there is no data (e.g. 0..100 for an accuracy in %; else 0..1).
  void setEmptyYRange(double lo, double hi) {
    empty_lo_ = lo;
    empty_hi_ = hi;
  }
  void removeSeries(const QString& id);
  void clearSeries();
  QStringList seriesIds() const;
  int pointCount(const QString& id) const;

  /// A mean ± std band with its mean line, for runs of one configuration with different seeds.
  void setBand(const QString& id, const QString& label, const QColor& color,
               const QVector<double>& x, const QVector<double>& mean, const QVector<double>& std);
  void clearBands();
  /// The bands drawn: x with the lower, mean and upper lines.
  struct BandData {
    QVector<double> x, lower, mean, upper;
  };
  QVector<BandData> bandData() const;

  /// A labelled dashed horizontal line at `y`.
  void addReferenceLine(const QString& label, double y, const QColor& color);
  void clearReferenceLines();
  int referenceLineCount() const { return static_cast<int>(references_.size()); }

  /// Dotted vertical lines at `x` (e.g. where the spike detector fired), each with `label` at
  /// its top when one is given (e.g. "resumed").
  void setMarkers(const QVector<double>& x, const QColor& color, const QString& label = {});
  /// The x of the markers drawn.
  QVector<double> markerXs() const;

  /// The x extent of the data (series and bands); false when there is none.
  bool dataXRange(double* lo, double* hi) const;
  /// Fits x to at least [lo, hi] (the extent shared by the charts of one run) besides its own
  /// data; NaN: its own data only.
  void setXExtent(double lo, double hi);

  /// What the chart says while it has no data (default "no data yet"); empty: nothing.
  void setEmptyText(const QString& text);
  /// A line under the chart (e.g. that no reported number matches); empty: none.
  void setNote(const QString& text);
  QString note() const;

  /// Fits the axes to the data (and reference lines), with room for the markers at the ends.
  /// Double-click does the same.
  void resetView();
  /// Queues a replot, rescaling first unless the user zoomed or dragged.
  void refresh();
  /// Shows x over `range` as if the user had zoomed there (another chart's zoom, linked), y
  /// fitted to the points in it.
  void followXRange(const QCPRange& range);
  /// Fits y to the points inside the x range shown.
  void fitYToVisibleX();

  struct SeriesData {
    QString id, label;
    QVector<double> x, y, smoothed;
  };
  /// What is plotted, for exports.
  QVector<SeriesData> seriesData() const;
  /// The x of a point nearest to `x` (the crosshair reads existing steps, not fractions).
  double snapX(double x) const;
  /// The crosshair text for x (what hovering at x shows): the nearest existing x and each
  /// series' value there; a series that ended before it (or starts after it) is left out.
  QString crosshairText(double x) const;

 signals:
  /// The user zoomed or dragged the x axis (wheel, drag), not the data or a linked chart.
  void userXRangeChanged(const QCPRange& range);
  /// The user double-clicked the chart back to its data.
  void viewResetByUser();

 protected:
  /// Lays out as QCustomPlot does, then moves the legend to the corner and each reference line's
  /// label to the end and side of its line that cover the fewest drawn points (on screen and in
  /// exports alike).
  void updateLayout() override;
  void mouseMoveEvent(QMouseEvent* event) override;
  void mouseDoubleClickEvent(QMouseEvent* event) override;
  void leaveEvent(QEvent* event) override;
  void wheelEvent(QWheelEvent* event) override;
  void mousePressEvent(QMouseEvent* event) override;

 private:
  struct Series {
    QString label;
    QColor color;
    Qt::PenStyle pen_style = Qt::SolidLine;
    QCPGraph* raw = nullptr;
    QCPGraph* smooth = nullptr;
    DebiasedEma ema;
    QVector<double> x, y, s;
  };
  Series& series(const QString& id, const QString& label, const QColor& color);
  void restyle(Series& s);
  double smoothed(Series& s, double value) const;
  void resmooth(Series& s);
  bool hasData() const;
  void updateEmptyState();
  /// y over [lo, hi] with the chart's margin (a factor on a log axis, 5 % on a linear one).
  void setPaddedYRange(double lo, double hi);
  std::vector<QPointF> drawnPixels() const;
  bool placeOverlays();

  Style style_ = Style::Lines;
  double smoothing_ = 0.6;
  bool log_y_ = false;
  bool smooth_log_ = false;
  bool user_view_ = false;    // zoomed or dragged: stop following the data
  bool interacting_ = false;  // inside a wheel or drag event: range changes are the user's
  double include_lo_ = NAN, include_hi_ = NAN;
  double empty_lo_ = NAN, empty_hi_ = NAN;
  double extent_lo_ = NAN, extent_hi_ = NAN;
  std::map<QString, Series> series_;
  std::vector<QCPGraph*> bands_;
  struct Reference {
    QCPItemStraightLine* line;
    QCPItemText* label;
    double y;
  };
  std::vector<Reference> references_;
  std::vector<QCPItemStraightLine*> markers_;
  std::vector<QCPItemText*> marker_labels_;
  QCPTextElement* title_ = nullptr;
  QCPItemStraightLine* cross_line_ = nullptr;
  QCPItemText* cross_text_ = nullptr;
  QCPItemText* empty_text_ = nullptr;
  QCPTextElement* note_ = nullptr;
};

}  // namespace gwb::plot
