// The exports' shared pieces.
#include "ui/export_common.h"

#include <QJsonDocument>
#include <cmath>

#include "plotting/chart_export.h"
#include "plotting/time_series_chart.h"

namespace gwb::ui::exports {

QString num(double v) { return std::isfinite(v) ? QString::number(v, 'g', 10) : QString(); }
QJsonValue jnum(double v) { return std::isfinite(v) ? QJsonValue(v) : QJsonValue(); }

QStringList writeChart(QCustomPlot& chart, const QString& base, const ExportOptions& o,
                       const QByteArray& csv, const QJsonObject& json) {
  QStringList written = plot::exportImages(chart, base, o.width, o.height, o.scale);
  plot::writeTextFile(base + QStringLiteral(".csv"), csv);
  plot::writeTextFile(base + QStringLiteral(".json"), QJsonDocument(json).toJson());
  return written << base + QStringLiteral(".csv") << base + QStringLiteral(".json");
}

// The steps a run covers (step events and evaluations): its step-based charts share this x range.
void shareRunSteps(const StoredRun& run, plot::TimeSeriesChart& chart) {
  double lo = NAN, hi = NAN;
  const auto take = [&](std::int64_t step) {
    lo = std::isnan(lo) ? step : std::min(lo, static_cast<double>(step));
    hi = std::isnan(hi) ? step : std::max(hi, static_cast<double>(step));
  };
  for (const StepEvent& e : run.events.steps) take(e.step);
  for (const EvalEvent& e : run.events.evals) take(e.step);
  chart.setXExtent(lo, hi);
}

std::vector<const EvalEvent*> validEvals(const StoredRun& run) {
  std::vector<const EvalEvent*> out;
  for (const EvalEvent& e : run.events.evals) {
    if (e.split == "valid") out.push_back(&e);
  }
  return out;
}

}  // namespace gwb::ui::exports
