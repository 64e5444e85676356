// The exported charts beyond CONTRACTS.md's set, the rest of what the monitor shows: throughput,
// learning rate and gradient norm of every run; for Grassmann runs the mean gate α per layer, the
// α distribution of each layer over training, the degenerate share per layer and offset, and the
// |p| and angle distributions of each layer and offset over training. Each as PNG + PDF with its
// data as CSV + JSON. Written by Export charts… when ticked (the headless --export keeps the
// contract's set).
#include <QJsonArray>
#include <QJsonObject>
#include <map>

#include "plotting/heatmap_chart.h"
#include "plotting/plot_style.h"
#include "plotting/time_series_chart.h"
#include "ui/chart_data.h"
#include "ui/export_common.h"

namespace gwb::ui::exports {
namespace {

QJsonArray jsonArray(const std::vector<double>& v) {
  QJsonArray out;
  for (double x : v) out.append(jnum(x));
  return out;
}
QJsonArray jsonArray(const std::vector<std::int64_t>& v) {
  QJsonArray out;
  for (std::int64_t x : v) out.append(static_cast<double>(x));
  return out;
}

// A step-based series of a run's step events: throughput, lr or gradient norm.
QStringList exportStepSeries(const StoredRun& run, const QString& base, const QString& title,
                             const QString& column, double (*value)(const StepEvent&),
                             double smoothing, const ExportOptions& o) {
  plot::TimeSeriesChart chart;
  chart.setTitle(run.name + QStringLiteral(": ") + title);
  chart.setAxisLabels(QObject::tr("step"), title);
  chart.setSmoothing(smoothing);
  QVector<double> x, y;
  QString csv = QStringLiteral("step,tokens,time,%1\n").arg(column);
  QJsonArray rows;
  for (const StepEvent& e : run.events.steps) {
    x << static_cast<double>(e.step);
    y << value(e);
    csv +=
        QStringLiteral("%1,%2,%3,%4\n").arg(e.step).arg(e.tokens).arg(num(e.time), num(value(e)));
    rows.append(QJsonObject{{"step", static_cast<double>(e.step)},
                            {"tokens", static_cast<double>(e.tokens)},
                            {"time", jnum(e.time)},
                            {column, jnum(value(e))}});
  }
  chart.appendPoints(run.key, run.name, run.color, x, y);
  shareRunSteps(run, chart);
  chart.resetView();
  return writeChart(chart, base, o, csv.toUtf8(), QJsonObject{{"run", run.name}, {"points", rows}});
}

// A distribution over training as a heat map: one column per probe step.
struct Columns {
  QVector<double> steps, edges;
  QVector<QVector<double>> counts;
  QJsonArray json;
};

void addColumn(Columns& c, std::int64_t step, const std::vector<double>& edges,
               const std::vector<std::int64_t>& counts) {
  c.steps << static_cast<double>(step);
  c.edges = QVector<double>(edges.begin(), edges.end());
  QVector<double> column;
  for (std::int64_t n : counts) column << static_cast<double>(n);
  c.counts << column;
  c.json.append(QJsonObject{{"step", static_cast<double>(step)},
                            {"edges", jsonArray(edges)},
                            {"counts", jsonArray(counts)}});
}

QStringList writeHeatmap(const StoredRun& run, const QString& base, const QString& title,
                         const QString& y_label, bool fit_rows, const Columns& c, QJsonObject json,
                         const ExportOptions& o) {
  plot::HeatmapChart map;
  map.setTitle(run.name + QStringLiteral(": ") + title);
  map.setAxisLabels(QObject::tr("step"), y_label);
  map.setFitRowsToData(fit_rows);
  map.setData(c.steps, c.edges, c.counts);
  // One row per (probe, bin) with the bin's edges, its count and its share of the probe.
  QString csv = QStringLiteral("step,bin,edge_low,edge_high,count,share\n");
  for (int i = 0; i < c.steps.size(); ++i) {
    double total = 0;
    for (double n : c.counts[i]) total += n;
    for (int b = 0; b < c.counts[i].size() && b + 1 < c.edges.size(); ++b) {
      csv += QStringLiteral("%1,%2,%3,%4,%5,%6\n")
                 .arg(static_cast<std::int64_t>(c.steps[i]))
                 .arg(b)
                 .arg(num(c.edges[b]), num(c.edges[b + 1]))
                 .arg(static_cast<std::int64_t>(c.counts[i][b]))
                 .arg(num(total > 0 ? c.counts[i][b] / total : 0.0));
    }
  }
  json["run"] = run.name;
  json["probes"] = c.json;
  return writeChart(map, base, o, csv.toUtf8(), json);
}

}  // namespace

QStringList exportThroughput(const StoredRun& run, const QString& dir, const ExportOptions& o) {
  return exportStepSeries(
      run, dir + QStringLiteral("/throughput"), QObject::tr("throughput (tokens/s)"),
      QStringLiteral("tokens_per_s"), [](const StepEvent& e) { return e.tokens_per_s; }, 0, o);
}

QStringList exportLr(const StoredRun& run, const QString& dir, const ExportOptions& o) {
  return exportStepSeries(
      run, dir + QStringLiteral("/lr"), QObject::tr("learning rate"), QStringLiteral("lr"),
      [](const StepEvent& e) { return e.lr; }, 0, o);
}

QStringList exportGradNorm(const StoredRun& run, const QString& dir, const ExportOptions& o) {
  return exportStepSeries(
      run, dir + QStringLiteral("/grad_norm"), QObject::tr("gradient norm (before clipping)"),
      QStringLiteral("grad_norm"), [](const StepEvent& e) { return e.grad_norm; }, o.ema_weight, o);
}

QStringList exportAlphaMean(const StoredRun& run, const QString& dir, const ExportOptions& o) {
  plot::TimeSeriesChart chart;
  chart.setTitle(run.name + QObject::tr(": mean gate α per layer (1: keep the token, 0: take the "
                                        "geometry)"));
  chart.setAxisLabels(QObject::tr("step"), QObject::tr("mean α"));
  chart.setSmoothing(0);
  std::map<std::int64_t, std::pair<QVector<double>, QVector<double>>> layers;
  QString csv = QStringLiteral("step,layer,mean\n");
  QJsonArray rows;
  for (const AlphaEvent& a : run.events.alphas) {
    layers[a.layer].first << static_cast<double>(a.step);
    layers[a.layer].second << a.mean;
    csv += QStringLiteral("%1,%2,%3\n").arg(a.step).arg(a.layer).arg(num(a.mean));
    rows.append(QJsonObject{{"step", static_cast<double>(a.step)},
                            {"layer", static_cast<double>(a.layer)},
                            {"mean", jnum(a.mean)}});
  }
  int i = 0;
  for (const auto& [layer, xy] : layers) {
    chart.setPoints(QString::number(layer), QObject::tr("layer %1").arg(layer),
                    plot::paletteColor(i++), xy.first, xy.second);
  }
  chart.resetView();
  return writeChart(chart, dir + QStringLiteral("/alpha_mean"), o, csv.toUtf8(),
                    QJsonObject{{"run", run.name}, {"points", rows}});
}

QStringList exportAlphaMaps(const StoredRun& run, const QString& dir, const ExportOptions& o) {
  std::map<std::int64_t, Columns> layers;
  for (const AlphaEvent& a : run.events.alphas)
    addColumn(layers[a.layer], a.step, a.edges, a.counts);
  QStringList written;
  for (const auto& [layer, c] : layers) {
    written << writeHeatmap(run, dir + QStringLiteral("/alpha_map_l%1").arg(layer),
                            QObject::tr("gate α of layer %1 over training").arg(layer),
                            QObject::tr("α"), false, c,
                            QJsonObject{{"layer", static_cast<double>(layer)}}, o);
  }
  return written;
}

QStringList exportDegenerate(const StoredRun& run, const QString& dir, const ExportOptions& o) {
  plot::TimeSeriesChart chart;
  chart.setTitle(run.name + QObject::tr(": degenerate share (|p| < eps) per layer and offset"));
  chart.setAxisLabels(QObject::tr("step"), QObject::tr("share"));
  chart.setSmoothing(0);
  chart.setYRangeIncludes(0, 0.01);  // as the monitor's: all zero read as ±1e-9
  QString csv = QStringLiteral("step,layer,offset,degenerate_share\n");
  QJsonArray rows;
  for (const PluckerEvent& p : run.events.pluckers) {
    csv += QStringLiteral("%1,%2,%3,%4\n")
               .arg(p.step)
               .arg(p.layer)
               .arg(p.offset)
               .arg(num(p.degenerate_share));
    rows.append(QJsonObject{{"step", static_cast<double>(p.step)},
                            {"layer", static_cast<double>(p.layer)},
                            {"offset", static_cast<double>(p.offset)},
                            {"degenerate_share", jnum(p.degenerate_share)}});
  }
  setPluckerSeries(chart, run, [](const PluckerEvent& p) { return p.degenerate_share; });
  chart.resetView();
  return writeChart(chart, dir + QStringLiteral("/degenerate"), o, csv.toUtf8(),
                    QJsonObject{{"run", run.name}, {"points", rows}});
}

QStringList exportPluckerMaps(const StoredRun& run, const QString& dir, const ExportOptions& o,
                              bool norms) {
  std::map<std::pair<std::int64_t, std::int64_t>, Columns> maps;
  for (const PluckerEvent& p : run.events.pluckers) {
    if (norms) {
      addColumn(maps[{p.layer, p.offset}], p.step, p.norm_edges, p.norm_counts);
    } else {
      addColumn(maps[{p.layer, p.offset}], p.step, p.angle_edges, p.angle_counts);
    }
  }
  QStringList written;
  for (const auto& [key, c] : maps) {
    const auto [layer, offset] = key;
    const QString base = dir + (norms ? QStringLiteral("/plucker_norm_l%1_d%2")
                                      : QStringLiteral("/plucker_angle_l%1_d%2"))
                                   .arg(layer)
                                   .arg(offset);
    const QString title =
        (norms ? QObject::tr("log10 |p| before normalisation, layer %1, δ = %2")
               : QObject::tr("angle between z_t and its partner, layer %1, δ = %2"))
            .arg(layer)
            .arg(offset);
    written << writeHeatmap(
        run, base, title, norms ? QObject::tr("log10 |p|") : QObject::tr("degrees"), norms, c,
        QJsonObject{{"layer", static_cast<double>(layer)}, {"offset", static_cast<double>(offset)}},
        o);
  }
  return written;
}

}  // namespace gwb::ui::exports
