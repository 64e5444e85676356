// A grouped bar chart: categories on the x axis, one coloured series of bars per source side by
// side, centred on their category among the sources that have a number there (a missing one
// leaves no empty slot), a legend, optional log scale. The data page shows tokens per split with
// it; the comparison view will show ours vs paper vs reproduction per configuration.
#pragma once

#include <qcustomplot.h>
#include <QStringList>
#include <QVector>

namespace gwb::plot {

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
  bool log_scale_ = false;
};

}  // namespace gwb::plot
