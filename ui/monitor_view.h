// The live monitor: every chart of a set of runs, redrawn from the MetricsStore on a ~40 ms
// timer when something changed (never at the data rate). Train loss (raw + debiased EMA, smoothing
// slider), validation perplexity (markers, with the paper's and the reproductions' numbers as
// labelled dashed lines), gate alpha and Plücker statistics, loss by position, and a strip of
// throughput, learning rate and gradient norm with spike markers. x axis as step, tokens or time;
// log y; seed groups as mean ± std bands. The step-based charts share one x range; an empty chart
// says why. Each run keeps one colour everywhere. Export charts… writes the runs' charts under
// the names of the headless export (ui/run_export). GUI thread only.
#pragma once

#include <QElapsedTimer>
#include <QSet>
#include <QWidget>
#include <map>
#include <memory>

#include "ui/metrics_store.h"
#include "ui/run_export.h"

class QCheckBox;
class QComboBox;
class QLabel;
class QListWidget;
class QPushButton;
class QSettings;
class QSlider;
class QTabWidget;

namespace gwb {
class ProcessUsage;
}

namespace gwb::plot {
class TimeSeriesChart;
class HistogramGrid;
class HeatmapChart;
class ConfusionChart;
}  // namespace gwb::plot

namespace gwb::ui {

class AccuracyPanel;
class MonitorRunList;
class RunDetailsDialog;
class ProbeCharts;

enum class XAxisMode { Step, Tokens, Time };

class MonitorView : public QWidget {
  Q_OBJECT

 public:
  explicit MonitorView(MetricsStore* store, QWidget* parent = nullptr);
  ~MonitorView() override;

  void setXAxisMode(XAxisMode mode);
  /// The train loss's (and gradient norm's) EMA weight in [0, 0.999], kept exactly (the slider
  /// moves in steps of 0.001).
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
  /// The x axis mode, smoothing and log y, and the runs shown (hidden ones unticked), as kept
  /// between sessions: a restored Monitor opens the runs it had whose folders still exist.
  void saveSettings(QSettings& settings) const;
  void restoreSettings(const QSettings& settings);
  MonitorRunList* runList() const { return run_list_; }
  /// The details dialog of `keys` (one run: its configuration and log; several: their
  /// configurations side by side). Not modal; deleted when closed.
  RunDetailsDialog* showDetails(const QStringList& keys);

  plot::TimeSeriesChart* lossChart() const { return loss_; }
  plot::TimeSeriesChart* pplChart() const { return ppl_; }
  plot::TimeSeriesChart* positionChart() const { return position_; }
  plot::TimeSeriesChart* throughputChart() const { return throughput_; }
  plot::TimeSeriesChart* lrChart() const { return lr_; }
  plot::TimeSeriesChart* gradChart() const { return grad_; }
  /// This process's CPU (%, 100 = one core) and resident memory (MiB) over wall time, sampled
  /// every 2 s (W&B's system charts), beside the throughput.
  plot::TimeSeriesChart* processCpuChart() const { return cpu_; }
  plot::TimeSeriesChart* processMemoryChart() const { return memory_; }
  /// Takes a sample of this process now (the timer does every 2 s).
  void sampleProcess();
  /// SNLI runs: validation accuracy in % (overall, and per class dashed) with the majority-class
  /// baseline and any matching reported number; the latest evaluation's confusion matrix.
  plot::TimeSeriesChart* accuracyChart() const { return accuracy_; }
  /// SNLI runs' train loss, on the SNLI tab (the Train loss chart holds Wikitext-2 runs).
  plot::TimeSeriesChart* snliLossChart() const { return snli_loss_; }
  plot::ConfusionChart* confusionChart() const { return confusion_; }
  ProbeCharts* probeCharts() const { return probes_; }
  QTabWidget* tabs() const { return tabs_; }

  /// Exports the runs `run_keys` (default: the visible ones) as `grassmann-workbench --export`
  /// does: each run's charts (`options.charts`, empty: all) into `dir`/<run name>/ and, with
  /// `comparison`, the comparison files into `dir`. Creates `dir`. Returns the files written.
  QStringList exportCharts(const QString& dir, const ExportOptions& options, bool comparison,
                           const QStringList& run_keys = {});

 signals:
  /// A run's checkbox was toggled (so other views can follow).
  void visibilityChanged(const QString& key, bool visible);
  /// A sample of this process: CPU in % of one core since the last one, resident bytes.
  void processSampled(double cpu_percent, qint64 rss_bytes);

 private:
  void scheduleRedraw();
  void onRunAdded(const QString& key);
  void onRunRemoved(const QString& key);
  void rebuildAll();
  void drawCurves(const StoredRun& run);
  void drawGroups();
  void drawReferences();
  void drawResumes();
  void renameRun(const QString& key);
  void chooseColour(const QString& key);
  void setLook(const QString& key, const QString& name, const QColor& color);
  void exportDialog();
  double xOf(const EventBase& e) const;
  QString xLabel() const;
  QList<const StoredRun*> visibleRuns() const;
  void shareXRange();

  MetricsStore* store_;
  QTabWidget* tabs_;
  MonitorRunList* run_list_;
  AccuracyPanel* accuracy_panel_;
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
  plot::TimeSeriesChart* snli_loss_;
  plot::TimeSeriesChart* cpu_;
  plot::TimeSeriesChart* memory_;
  std::unique_ptr<ProcessUsage> usage_;
  QElapsedTimer started_;
  plot::ConfusionChart* confusion_;
  ProbeCharts* probes_;
  QTimer* redraw_timer_;
  XAxisMode mode_ = XAxisMode::Step;
  double smoothing_weight_ = 0.6;
  bool group_ = false;
  QSet<QString> hidden_;
  QSet<QString> dirty_;
  bool rebuild_ = false;
  std::map<QString, int> plotted_steps_;  // step events already on the step-based charts
};

}  // namespace gwb::ui
