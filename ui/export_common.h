// Internal to the exports (ui/export_*.cpp): writing one chart with its data files, and the
// pieces of a run's events every chart of it needs. GUI thread (charts are widgets).
#pragma once

#include <QJsonObject>
#include <QJsonValue>
#include <QStringList>
#include <vector>

#include "ui/metrics_store.h"
#include "ui/run_export.h"

class QCustomPlot;

namespace gwb::plot {
class TimeSeriesChart;
}

namespace gwb::ui::exports {

/// A number for CSV ("" for a missing one) and for JSON (null for a missing one).
QString num(double v);
QJsonValue jnum(double v);

/// `base`.{png,pdf} of `chart` (its title on the PDF's page too) and `base`.{csv,json}.
QStringList writeChart(QCustomPlot& chart, const QString& base, const ExportOptions& o,
                       const QByteArray& csv, const QJsonObject& json);

/// The steps a run covers (step events and evaluations): its step-based charts share this range.
void shareRunSteps(const StoredRun& run, plot::TimeSeriesChart& chart);
/// One series per (layer, offset) of the run's Plücker events: `value` over the steps.
void setPluckerSeries(plot::TimeSeriesChart& chart, const StoredRun& run,
                      double (*value)(const PluckerEvent&));
/// The run's validations, in order.
std::vector<const EvalEvent*> validEvals(const StoredRun& run);

// One file set per chart (run_export.h lists the names).
QStringList exportLoss(const StoredRun& run, const QString& dir, const ExportOptions& o);
QStringList exportPpl(const StoredRun& run, const QString& dir, const ExportOptions& o);
QStringList exportPositions(const StoredRun& run, const QString& dir, const ExportOptions& o);
QStringList exportAccuracy(const StoredRun& run, const QString& dir, const ExportOptions& o);
QStringList exportConfusion(const StoredRun& run, const QString& dir, const ExportOptions& o);
QStringList exportAlpha(const StoredRun& run, const QString& dir, const ExportOptions& o);
QStringList exportPlucker(const StoredRun& run, const QString& dir, const ExportOptions& o);
// Beyond the contract's set (export_more_charts.cpp).
QStringList exportThroughput(const StoredRun& run, const QString& dir, const ExportOptions& o);
QStringList exportLr(const StoredRun& run, const QString& dir, const ExportOptions& o);
QStringList exportGradNorm(const StoredRun& run, const QString& dir, const ExportOptions& o);
QStringList exportAlphaMean(const StoredRun& run, const QString& dir, const ExportOptions& o);
QStringList exportAlphaMaps(const StoredRun& run, const QString& dir, const ExportOptions& o);
QStringList exportDegenerate(const StoredRun& run, const QString& dir, const ExportOptions& o);
/// plucker_norm_l<L>_d<δ>.* (`norms`) or plucker_angle_l<L>_d<δ>.*: one per layer and offset.
QStringList exportPluckerMaps(const StoredRun& run, const QString& dir, const ExportOptions& o,
                              bool norms);

}  // namespace gwb::ui::exports
