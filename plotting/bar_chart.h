// A grouped bar chart: categories on the x axis, one coloured series of bars per source side by
// side, centred on their category among the sources that have a number there (a missing one
// leaves no empty slot), a legend, optional log scale. The data page shows tokens per split with
// it; the comparison view will show ours vs paper vs reproduction per configuration.
#pragma once

#include <qcustomplot.h>
#include <QStringList>
#include <QVector>
#include <functional>

namespace gwb::plot {

/// Where grouped bars go: for `values` (per series, per category; NaN or `drawn` false: no bar),
/// each series' bar keys (category c at c + 1), the bars of one category side by side in series
/// order and centred on it among those present, all of width `*width` (the most bars any
/// category has share 0.8 of a category).
QVector<QVector<double>> groupedBarKeys(const QVector<QVector<double>>& values, int categories,
                                        const std::function<bool(double)>& drawn, double* width);

class BarChart : public QCustomPlot {
  Q_OBJECT

 public:
  explicit BarChart(QWidget* parent = nullptr);

  /// The categories along x, in order. Clears the series.
  void setCategories(const QStringList& labels);
  /// Adds a series: one value per category (NaN: no bar). Replots.
  void addSeries(const QString& name, const QVector<double>& values, const QColor& color);
  /// Removes every series. Replots.
  void clearSeries();
  /// A title above the chart ("" : none).
  void setTitle(const QString& title);
  /// Title of the value axis.
  void setValueLabel(const QString& label);
  /// Logarithmic value axis (values <= 0 are not drawn).
  void setLogScale(bool on);

  int seriesCount() const { return static_cast<int>(series_.size()); }
  const QStringList& categories() const { return categories_; }

 private:
  void rescale();
  void placeBars();
  bool drawn(double value) const;

  QStringList categories_;
  QVector<QCPBars*> series_;
  QVector<QVector<double>> values_;  // per series, per category
  QCPTextElement* title_ = nullptr;
  bool log_scale_ = false;
};

}  // namespace gwb::plot
