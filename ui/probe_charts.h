// The monitor's probe tabs (SPEC §6). Gate alpha: the latest histogram of every layer as small
// multiples (runs overlaid), one layer's histogram over training time as a heat map, and mean
// alpha per layer over time. Plücker: for one run, layer and offset, the |p| and angle
// distributions over time as heat maps, and the degenerate share and effective rank of every
// offset over time. Redrawn only when new probe events arrive. GUI thread only.
#pragma once

#include <QList>
#include <QSet>
#include <QStringList>
#include <QWidget>
#include <map>

#include "ui/metrics_store.h"

class QComboBox;
class QCustomPlot;

namespace gwb::plot {
class TimeSeriesChart;
class HistogramGrid;
class HeatmapChart;
}  // namespace gwb::plot

namespace gwb::ui {

class ProbeCharts : public QObject {
  Q_OBJECT

 public:
  explicit ProbeCharts(MetricsStore* store, QObject* parent = nullptr);

  QWidget* alphaTab() const { return alpha_tab_; }
  QWidget* pluckerTab() const { return plucker_tab_; }
  /// Redraws from `runs` (the visible ones) if their probes changed or `force`.
  void update(const QList<const StoredRun*>& runs, const QSet<QString>& dirty, bool force);

  plot::HistogramGrid* alphaHistograms() const { return alpha_hist_; }
  plot::HeatmapChart* alphaHeatmap() const { return alpha_map_; }
  plot::TimeSeriesChart* alphaMeans() const { return alpha_mean_; }
  plot::HeatmapChart* normHeatmap() const { return norm_map_; }
  plot::HeatmapChart* angleHeatmap() const { return angle_map_; }
  plot::TimeSeriesChart* degenerateShare() const { return degenerate_; }
  plot::TimeSeriesChart* effectiveRank() const { return rank_; }
  /// Selects what the single-run charts show.
  void select(const QString& run_key, int layer, int offset);

  /// Exports one of these charts (images and its data as CSV and JSON) to `base`.*.
  QStringList exportChart(QCustomPlot* chart, const QString& base, int width, int height,
                          double scale);

 private:
  void refillSelectors();
  void drawAlpha();
  void drawSelected();
  const StoredRun* selectedRun() const;

  MetricsStore* store_;
  QList<const StoredRun*> runs_;         // the visible runs with probes
  qsizetype shown_ = 0;                  // the visible runs
  std::map<QString, std::size_t> seen_;  // probe events drawn per run
  QWidget* alpha_tab_;
  QWidget* plucker_tab_;
  QComboBox* alpha_run_;
  QComboBox* alpha_layer_;
  QComboBox* plucker_run_;
  QComboBox* plucker_layer_;
  QComboBox* plucker_offset_;
  plot::HistogramGrid* alpha_hist_;
  plot::HeatmapChart* alpha_map_;
  plot::TimeSeriesChart* alpha_mean_;
  plot::HeatmapChart* norm_map_;
  plot::HeatmapChart* angle_map_;
  plot::TimeSeriesChart* degenerate_;
  plot::TimeSeriesChart* rank_;
  bool filling_ = false;
  int histogram_rows_ = 0;
};

}  // namespace gwb::ui
