// The exported charts of a Grassmann run's probes: the gate α histograms of each layer at the
// latest probe, and the effective rank of the normalised Plücker vectors per layer and offset over
// the steps. Each as PNG + PDF with its data as CSV + JSON.
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <map>

#include "plotting/histogram_grid.h"
#include "plotting/plot_style.h"
#include "plotting/time_series_chart.h"
#include "ui/export_common.h"

namespace gwb::ui::exports {

QStringList exportAlpha(const StoredRun& run, const QString& dir, const ExportOptions& o) {
  plot::HistogramGrid grid;
  std::map<std::int64_t, const AlphaEvent*> latest;
  QString csv = QStringLiteral("step,layer,mean,share_above_0.95,share_below_0.05\n");
  QJsonArray events;
  for (const AlphaEvent& a : run.events.alphas) {
    latest[a.layer] = &a;
    csv += QStringLiteral("%1,%2,%3,%4,%5\n")
               .arg(a.step)
               .arg(a.layer)
               .arg(num(a.mean), num(a.share_above), num(a.share_below));
    QJsonArray edges, counts;
    for (double e : a.edges) edges.append(e);
    for (std::int64_t c : a.counts) counts.append(static_cast<double>(c));
    events.append(QJsonObject{{"step", static_cast<double>(a.step)},
                              {"layer", static_cast<double>(a.layer)},
                              {"mean", jnum(a.mean)},
                              {"share_above_0.95", jnum(a.share_above)},
                              {"share_below_0.05", jnum(a.share_below)},
                              {"edges", edges},
                              {"counts", counts}});
  }
  QStringList titles;
  for (const auto& [layer, a] : latest)
    titles << QObject::tr("layer %1: α at step %2").arg(layer).arg(a->step);
  grid.setTitle(run.name + QObject::tr(": gate α of each layer (latest probe; 1: keep the token, "
                                       "0: take the geometry)"));
  // A run without probes (train.probe_every 0, or stopped before the first) says so rather than
  // "no data yet", which read as if it were still coming.
  const QString none = QObject::tr("no gate α probe in this run (train.probe_every)");
  grid.setEmptyText(none);
  grid.setPanels(titles, 3);
  int panel = 0;
  for (const auto& [layer, a] : latest) {
    QVector<double> edges(a->edges.begin(), a->edges.end()), counts;
    for (std::int64_t c : a->counts) counts << static_cast<double>(c);
    grid.setHistogram(panel++, run.key, run.color, edges, counts);
  }
  QJsonObject json{{"run", run.name}, {"title", grid.title()}, {"alpha", events}};
  if (events.isEmpty()) json["empty"] = none;  // what the image says, for a script
  return writeChart(grid, dir + QStringLiteral("/alpha"), o, csv.toUtf8(), json);
}

void setPluckerSeries(plot::TimeSeriesChart& chart, const StoredRun& run,
                      double (*value)(const PluckerEvent&)) {
  std::map<std::pair<std::int64_t, std::int64_t>, std::pair<QVector<double>, QVector<double>>>
      series;
  for (const PluckerEvent& p : run.events.pluckers) {
    series[{p.layer, p.offset}].first << static_cast<double>(p.step);
    series[{p.layer, p.offset}].second << value(p);
  }
  int i = 0;
  for (const auto& [key, xy] : series) {
    chart.setPoints(QStringLiteral("%1/%2").arg(key.first).arg(key.second),
                    QObject::tr("layer %1, δ = %2").arg(key.first).arg(key.second),
                    plot::paletteColor(i++), xy.first, xy.second);
  }
}

QStringList exportPlucker(const StoredRun& run, const QString& dir, const ExportOptions& o) {
  plot::TimeSeriesChart chart;
  chart.setTitle(run.name + QObject::tr(": effective rank of the normalised Plücker vectors"));
  chart.setAxisLabels(QObject::tr("step"), QObject::tr("effective rank"));
  chart.setSmoothing(0);
  const QString none = QObject::tr("no Plücker probe in this run (train.probe_every)");
  chart.setEmptyText(none);
  QString csv = QStringLiteral("step,layer,offset,degenerate_share,effective_rank\n");
  QJsonArray events;
  for (const PluckerEvent& p : run.events.pluckers) {
    csv += QStringLiteral("%1,%2,%3,%4,%5\n")
               .arg(p.step)
               .arg(p.layer)
               .arg(p.offset)
               .arg(num(p.degenerate_share), num(p.effective_rank));
    QJsonArray ne, nc, ae, ac;
    for (double v : p.norm_edges) ne.append(v);
    for (std::int64_t v : p.norm_counts) nc.append(static_cast<double>(v));
    for (double v : p.angle_edges) ae.append(v);
    for (std::int64_t v : p.angle_counts) ac.append(static_cast<double>(v));
    events.append(QJsonObject{{"step", static_cast<double>(p.step)},
                              {"layer", static_cast<double>(p.layer)},
                              {"offset", static_cast<double>(p.offset)},
                              {"degenerate_share", jnum(p.degenerate_share)},
                              {"effective_rank", jnum(p.effective_rank)},
                              {"norm_edges", ne},
                              {"norm_counts", nc},
                              {"angle_edges", ae},
                              {"angle_counts", ac}});
  }
  setPluckerSeries(chart, run, [](const PluckerEvent& p) { return p.effective_rank; });
  chart.resetView();
  QJsonObject json{{"run", run.name}, {"plucker", events}};
  if (events.isEmpty()) json["empty"] = none;
  return writeChart(chart, dir + QStringLiteral("/plucker"), o, csv.toUtf8(), json);
}

}  // namespace gwb::ui::exports
