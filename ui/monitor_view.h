// The live monitor: every chart of a set of runs, redrawn from the MetricsStore on a ~40 ms
// timer when something changed (never at the data rate). Train loss (raw + debiased EMA, smoothing
// slider), validation perplexity (markers, with the paper's and the reproductions' numbers as
// labelled dashed lines), gate alpha and Plücker statistics, loss by position, and a strip of
// throughput, learning rate and gradient norm with spike markers. x axis as step, tokens or time;
// log y; seed groups as mean ± std bands. Each run keeps one colour everywhere. GUI thread only.
#pragma once

#include <QSet>
#include <QWidget>
#include <map>

#include "engine/report/report.h"
#include "engine/report/snli_report.h"
#include "ui/metrics_store.h"

class QCheckBox;
class QComboBox;
class QLabel;
class QListWidget;
class QPushButton;
class QSlider;
class QTabWidget;

namespace gwb::plot {
class TimeSeriesChart;
class HistogramGrid;
class HeatmapChart;
class ConfusionChart;
}  // namespace gwb::plot

namespace gwb::ui {

class ProbeCharts;

enum class XAxisMode { Step, Tokens, Time };

class MonitorView : public QWidget {
  Q_OBJECT

 public:
  explicit MonitorView(MetricsStore* store, QWidget* parent = nullptr);

  void setXAxisMode(XAxisMode mode);
  void setSmoothing(double weight);
  void setLogY(bool on);
  void setGroupSeeds(bool on);
  /// Shows or hides a run in every chart (and ticks or unticks it in the list).
  void setRunVisible(const QString& key, bool visible);
  bool runVisible(const QString& key) const { return !hidden_.contains(key); }
  /// The run list's text of a run ("" if not listed).
  QString listText(const QString& key) const;
  XAxisMode xAxisMode() const { return mode_; }
  double smoothing() const;
  bool logY() const;
  bool groupSeeds() const { return group_; }
  /// Redraws now (the timer does it otherwise).
  void redraw();

  plot::TimeSeriesChart* lossChart() const { return loss_; }
  plot::TimeSeriesChart* pplChart() const { return ppl_; }
  plot::TimeSeriesChart* positionChart() const { return position_; }
  plot::TimeSeriesChart* throughputChart() const { return throughput_; }
  plot::TimeSeriesChart* lrChart() const { return lr_; }
  plot::TimeSeriesChart* gradChart() const { return grad_; }
  /// SNLI runs: validation accuracy in % (overall, and per class dashed) with the majority-class
  /// baseline and any matching reported number; the latest evaluation's confusion matrix.
  plot::TimeSeriesChart* accuracyChart() const { return accuracy_; }
  plot::ConfusionChart* confusionChart() const { return confusion_; }
  ProbeCharts* probeCharts() const { return probes_; }
  QTabWidget* tabs() const { return tabs_; }

  /// Exports every chart of the current tab (images + data) into `dir`; returns the files.
  QStringList exportCurrentTab(const QString& dir, int width, int height, double scale);

 signals:
  /// A run's checkbox was toggled (so other views can follow).
  void visibilityChanged(const QString& key, bool visible);

 private:
  void scheduleRedraw();
  void onRunAdded(const QString& key);
  void onRunRemoved(const QString& key);
  void updateListItem(const QString& key);
  void rebuildAll();
  void drawCurves(const StoredRun& run);
  void drawGroups();
  void drawReferences();
  void drawAccuracy(const StoredRun& run);
  void drawConfusion();
  void exportDialog();
  double xOf(const EventBase& e) const;
  QString xLabel() const;
  QList<const StoredRun*> visibleRuns() const;

  MetricsStore* store_;
  QTabWidget* tabs_;
  QListWidget* runs_list_;
  QPushButton* remove_runs_;
  QComboBox* x_mode_;
  QCheckBox* log_y_;
  QCheckBox* group_seeds_;
  QSlider* smoothing_;
  QLabel* smoothing_label_;
  plot::TimeSeriesChart* loss_;
  plot::TimeSeriesChart* ppl_;
  plot::TimeSeriesChart* position_;
  plot::TimeSeriesChart* throughput_;
  plot::TimeSeriesChart* lr_;
  plot::TimeSeriesChart* grad_;
  plot::TimeSeriesChart* accuracy_;
  plot::ConfusionChart* confusion_;
  ProbeCharts* probes_;
  QTimer* redraw_timer_;
  XAxisMode mode_ = XAxisMode::Step;
  bool group_ = false;
  QSet<QString> hidden_;
  QSet<QString> dirty_;
  bool rebuild_ = false;
  std::map<QString, int> plotted_steps_;  // step events already on the step-based charts
  std::vector<ReportedNumber> reported_;
  std::vector<ReportedSnli> reported_snli_;
};

}  // namespace gwb::ui
