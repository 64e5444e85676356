// The Study page, beside Runs and Compare: pick two recipes (or a configuration file and a recipe),
// the design (a path through the switch groups in an order, or a factorial of some switches),
// seeds and scale; see the plan (cells, runs to train, runs reused, the time expected) before
// anything starts; start it here (its runs join the queue and train on the engine's threads) or
// submit it to the cluster (`gwb study run --backend slurm`); follow a study folder as its runs
// finish: the cells' table, the waterfall of the gap from A to B with each group's interval and
// each architecture's own change, a factorial's effects, and parallel coordinates of the runs
// whose brushed lines open in the Monitor. Export writes what the headless export writes. Plans
// and reports are computed on a worker; GUI thread only; torch-free.
#pragma once

#include <QFutureWatcher>
#include <QWidget>
#include <memory>
#include <optional>

#include "engine/study/study_report.h"

class QComboBox;
class QLabel;
class QListWidget;
class QPushButton;
class QSpinBox;
class QTableWidget;
class QTabWidget;
class QTimer;

namespace gwb::plot {
class WaterfallChart;
class IntervalBarChart;
class ParallelCoordinatesChart;
}  // namespace gwb::plot

namespace gwb::ui {

class StudyPage : public QWidget {
  Q_OBJECT

 public:
  explicit StudyPage(QWidget* parent = nullptr);
  ~StudyPage() override;

  void setRunsDir(const QString& dir);
  /// Whether runs will train on CUDA (the hash holds the resolved precision).
  void setDeviceIsCuda(bool on) { cuda_ = on; }

  /// The request the form describes.
  study::StudyRequest request() const;
  /// Fills the form (tests, and a study opened from its folder).
  void setRequest(const study::StudyRequest& request);
  /// Plans on a worker; planned() when done (planError() says why not).
  void plan();
  /// Plans now on this thread (tests); false with planError() on bad input.
  bool planNow();
  const std::optional<study::Study>& planned() const { return planned_; }
  QString planError() const { return plan_error_; }
  QString planText() const;

  /// Writes study.json of the plan and asks for its runs (runsRequested); follows it.
  bool startHere();
  /// Opens a study folder and follows it; false (and `error`) if it is not one.
  bool openStudy(const QString& dir, QString* error = nullptr);
  /// Re-reads the followed study's runs now, on this thread (tests).
  void refreshNow();
  const std::optional<study::Study>& study() const { return study_; }
  const std::optional<study::StudyReport>& report() const { return report_; }

  QTableWidget* cellsTable() const { return cells_; }
  plot::WaterfallChart* waterfall() const { return waterfall_; }
  plot::IntervalBarChart* archChart() const { return arch_; }
  plot::IntervalBarChart* effectsChart() const { return effects_; }
  plot::ParallelCoordinatesChart* parallel() const { return parallel_; }
  /// The runs of the lines the parallel coordinates keep (both architectures of each).
  QStringList selectedRunDirs() const;
  /// Writes the charts and tables of the followed study into `dir`; the paths written.
  QStringList exportTo(const QString& dir, QString* error = nullptr);

 signals:
  /// Train these configurations into exactly these folders (the workbench queues them).
  void runsRequested(const QString& study_dir, const QList<gwb::RunConfig>& configs,
                     const QStringList& run_dirs);
  void openRunsRequested(const QStringList& run_dirs);
  void messageShown(const QString& text);
  /// The plan (or its error) is shown.
  void planShown();
  /// The followed study's report was redrawn.
  void reportShown();

 private:
  struct Planned {
    std::optional<study::Study> study;
    std::optional<double> estimate;
    QString error;
  };
  struct Followed {
    std::optional<study::Study> study;
    std::optional<study::StudyReport> report;
    QString error;
  };
  static Planned computePlan(const study::StudyRequest& request, const QString& runs_dir,
                             bool cuda);
  static Followed computeReport(const QString& study_dir);
  void showPlan(const Planned& p);
  void showReport(const Followed& f);
  void updateDesignControls();
  void submitToCluster();
  void say(const QString& text);

  QString runs_dir_;
  bool cuda_ = false;
  QComboBox* a_;
  QComboBox* b_;
  QComboBox* design_;
  QListWidget* groups_;
  QSpinBox* orders_;
  QSpinBox* fraction_;
  QSpinBox* seeds_;
  QComboBox* scale_;
  QSpinBox* steps_;
  QLabel* plan_label_;
  QLabel* study_label_;
  QPushButton* start_;
  QPushButton* submit_;
  QPushButton* open_selected_;
  QTableWidget* cells_;
  QTabWidget* charts_;
  plot::WaterfallChart* waterfall_;
  plot::IntervalBarChart* arch_;
  plot::IntervalBarChart* effects_;
  plot::ParallelCoordinatesChart* parallel_;
  QTimer* follow_timer_;
  QFutureWatcher<Planned>* plan_watcher_;
  QFutureWatcher<Followed>* follow_watcher_;
  std::optional<study::Study> planned_;
  std::optional<double> estimate_;
  QString plan_error_;
  QString study_dir_;
  std::optional<study::Study> study_;
  std::optional<study::StudyReport> report_;
  QVector<QStringList> line_dirs_;  // the parallel coordinates' lines: their runs
};

}  // namespace gwb::ui
