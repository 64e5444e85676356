// ProbeCharts.
#include "ui/probe_charts.h"

#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QSplitter>
#include <QVBoxLayout>
#include <set>

#include "plotting/chart_export.h"
#include "plotting/heatmap_chart.h"
#include "plotting/histogram_grid.h"
#include "plotting/plot_style.h"
#include "plotting/time_series_chart.h"
#include "ui/chart_data.h"

namespace gwb::ui {
namespace {

QVector<double> toVector(const std::vector<double>& v) {
  return QVector<double>(v.begin(), v.end());
}
QVector<double> toVector(const std::vector<std::int64_t>& v) {
  QVector<double> out;
  for (std::int64_t x : v) out << static_cast<double>(x);
  return out;
}

// One run's layers: the run's colour, a dash pattern per layer.
Qt::PenStyle layerPen(std::int64_t layer) {
  static const Qt::PenStyle styles[] = {Qt::SolidLine, Qt::DashLine, Qt::DotLine, Qt::DashDotLine,
                                        Qt::DashDotDotLine};
  return styles[layer % 5];
}

QWidget* row(std::initializer_list<std::pair<QString, QWidget*>> items) {
  auto* w = new QWidget;
  auto* layout = new QHBoxLayout(w);
  layout->setContentsMargins(0, 0, 0, 0);
  for (const auto& [label, widget] : items) {
    layout->addWidget(new QLabel(label));
    layout->addWidget(widget);
  }
  layout->addStretch(1);
  return w;
}

QByteArray heatmapCsv(const plot::HeatmapChart& map) {
  QString out = QStringLiteral("column,row,share\n");
  const QSize cells = map.cells();
  for (int i = 0; i < cells.width(); ++i) {
    for (int j = 0; j < cells.height(); ++j)
      out += QStringLiteral("%1,%2,%3\n").arg(i).arg(j).arg(map.share(i, j), 0, 'g', 8);
  }
  return out.toUtf8();
}

}  // namespace

ProbeCharts::ProbeCharts(MetricsStore* store, QObject* parent) : QObject(parent), store_(store) {
  alpha_hist_ = new plot::HistogramGrid;
  alpha_hist_->setObjectName(QStringLiteral("alpha_histograms"));
  alpha_map_ = new plot::HeatmapChart;
  alpha_map_->setObjectName(QStringLiteral("alpha_heatmap"));
  alpha_map_->setTitle(tr("Gate α distribution over training"));
  alpha_map_->setAxisLabels(tr("step"), tr("α"));
  alpha_mean_ = new plot::TimeSeriesChart;
  alpha_mean_->setObjectName(QStringLiteral("alpha_mean"));
  alpha_mean_->setTitle(tr("Mean α per layer (1: keep the token, 0: take the geometry)"));
  alpha_mean_->setAxisLabels(tr("step"), tr("mean α"));
  alpha_mean_->setSmoothing(0);
  alpha_run_ = new QComboBox;
  alpha_layer_ = new QComboBox;

  // The latest histograms get real height (HistogramGrid asks for kRowHeight per row of panels),
  // the heat map and the means a minimum each; extra height goes to the histograms first.
  auto* alpha_split = new QSplitter(Qt::Vertical);
  alpha_split->setChildrenCollapsible(false);
  alpha_split->addWidget(alpha_hist_);
  auto* map_box = new QWidget;
  auto* map_layout = new QVBoxLayout(map_box);
  map_layout->setContentsMargins(0, 0, 0, 0);
  map_layout->addWidget(row({{tr("run"), alpha_run_}, {tr("layer"), alpha_layer_}}));
  map_layout->addWidget(alpha_map_, 1);
  alpha_map_->setMinimumHeight(150);
  alpha_mean_->setMinimumHeight(150);
  alpha_split->addWidget(map_box);
  alpha_split->addWidget(alpha_mean_);
  alpha_split->setStretchFactor(0, 3);
  alpha_split->setStretchFactor(1, 2);
  alpha_split->setStretchFactor(2, 2);
  alpha_tab_ = alpha_split;

  norm_map_ = new plot::HeatmapChart;
  norm_map_->setObjectName(QStringLiteral("plucker_norm_heatmap"));
  norm_map_->setTitle(tr("log10 |p| before normalisation"));
  norm_map_->setAxisLabels(tr("step"), tr("log10 |p|"));
  norm_map_->setFitRowsToData(true);  // its fixed bins run far past the data
  angle_map_ = new plot::HeatmapChart;
  angle_map_->setObjectName(QStringLiteral("plucker_angle_heatmap"));
  angle_map_->setTitle(tr("Angle between z_t and its partner (degrees)"));
  angle_map_->setAxisLabels(tr("step"), tr("degrees"));
  degenerate_ = new plot::TimeSeriesChart;
  degenerate_->setObjectName(QStringLiteral("plucker_degenerate_share"));
  degenerate_->setTitle(tr("Degenerate share (|p| < eps) per offset"));
  degenerate_->setAxisLabels(tr("step"), tr("share"));
  degenerate_->setSmoothing(0);
  degenerate_->setYRangeIncludes(0, 0.01);
  rank_ = new plot::TimeSeriesChart;
  rank_->setObjectName(QStringLiteral("plucker_effective_rank"));
  rank_->setTitle(tr("Effective rank of the normalised Plücker vectors per offset"));
  rank_->setAxisLabels(tr("step"), tr("effective rank"));
  rank_->setSmoothing(0);
  plucker_run_ = new QComboBox;
  plucker_layer_ = new QComboBox;
  plucker_offset_ = new QComboBox;
  auto* maps = new QSplitter(Qt::Horizontal);
  maps->addWidget(norm_map_);
  maps->addWidget(angle_map_);
  auto* lines = new QSplitter(Qt::Horizontal);
  lines->addWidget(degenerate_);
  lines->addWidget(rank_);
  auto* plucker_split = new QSplitter(Qt::Vertical);
  plucker_split->addWidget(maps);
  plucker_split->addWidget(lines);
  auto* plucker_box = new QWidget;
  auto* plucker_layout = new QVBoxLayout(plucker_box);
  plucker_layout->setContentsMargins(0, 0, 0, 0);
  plucker_layout->addWidget(row({{tr("run"), plucker_run_},
                                 {tr("layer"), plucker_layer_},
                                 {tr("offset δ"), plucker_offset_}}));
  plucker_layout->addWidget(plucker_split, 1);
  plucker_tab_ = plucker_box;

  for (QComboBox* box : {alpha_run_, alpha_layer_, plucker_run_, plucker_layer_, plucker_offset_}) {
    connect(box, &QComboBox::currentIndexChanged, this, [this] {
      if (!filling_) drawSelected();
    });
  }
}

void ProbeCharts::update(const QList<const StoredRun*>& runs, const QSet<QString>& dirty,
                         bool force) {
  QList<const StoredRun*> grassmann;
  bool changed = force || runs.size() != shown_;
  shown_ = runs.size();
  for (const StoredRun* r : runs) {
    if (r->events.alphas.empty() && r->events.pluckers.empty()) continue;
    grassmann << r;
    const std::size_t n = r->events.alphas.size() + r->events.pluckers.size();
    if (dirty.contains(r->key) && seen_[r->key] != n) changed = true;
    seen_[r->key] = n;
  }
  if (!changed && grassmann.size() == runs_.size()) return;
  runs_ = grassmann;
  // Say why a chart is empty: no run yet, no Grassmann run (only they have probes), or no probe
  // of the runs shown yet.
  const bool any_grassmann = std::any_of(runs.begin(), runs.end(),
                                         [](const StoredRun* r) { return r->arch == "grassmann"; });
  const QString empty =
      runs.isEmpty()  ? tr("no data yet")
      : any_grassmann ? tr("no probe yet")
                      : tr("no probes: only Grassmann runs have gate α and Plücker statistics");
  alpha_hist_->setEmptyText(empty);
  for (plot::HeatmapChart* map : {alpha_map_, norm_map_, angle_map_}) map->setEmptyText(empty);
  for (plot::TimeSeriesChart* chart : {alpha_mean_, degenerate_, rank_}) chart->setEmptyText(empty);
  refillSelectors();
  drawAlpha();
  drawSelected();
}

void ProbeCharts::refillSelectors() {
  filling_ = true;
  for (QComboBox* box : {alpha_run_, plucker_run_}) {
    const QString current = box->currentData().toString();
    box->clear();
    for (const StoredRun* r : runs_) box->addItem(r->name, r->key);
    const int i = box->findData(current);
    box->setCurrentIndex(i >= 0 ? i : 0);
  }
  std::int64_t layers = 0;
  std::set<std::int64_t> offsets;
  for (const StoredRun* r : runs_) {
    for (const AlphaEvent& a : r->events.alphas) layers = std::max(layers, a.layer + 1);
    for (const PluckerEvent& p : r->events.pluckers) offsets.insert(p.offset);
  }
  for (QComboBox* box : {alpha_layer_, plucker_layer_}) {
    const int current = std::max(0, box->currentIndex());
    box->clear();
    for (std::int64_t l = 0; l < layers; ++l) box->addItem(QString::number(l), static_cast<int>(l));
    box->setCurrentIndex(std::min(current, box->count() - 1));
  }
  const QVariant offset = plucker_offset_->currentData();
  plucker_offset_->clear();
  for (std::int64_t o : offsets) plucker_offset_->addItem(QString::number(o), static_cast<int>(o));
  const int i = plucker_offset_->findData(offset);
  plucker_offset_->setCurrentIndex(i >= 0 ? i : 0);
  filling_ = false;
}

void ProbeCharts::drawAlpha() {
  std::int64_t layers = 0;
  std::set<std::int64_t> latest_steps;  // each run's latest probe: named when they agree
  for (const StoredRun* r : runs_) {
    std::int64_t last = -1;
    for (const AlphaEvent& a : r->events.alphas) {
      layers = std::max(layers, a.layer + 1);
      last = std::max(last, a.step);
    }
    if (last >= 0) latest_steps.insert(last);
  }
  const QString probe = latest_steps.size() == 1 ? tr("probe at step %1").arg(*latest_steps.begin())
                                                 : tr("latest probe of each run");
  QStringList titles;
  for (std::int64_t l = 0; l < layers; ++l) titles << tr("layer %1: α (%2)").arg(l).arg(probe);
  alpha_hist_->setPanels(titles, std::min<std::int64_t>(3, std::max<std::int64_t>(1, layers)));
  const int rows = static_cast<int>(std::clamp<std::int64_t>((layers + 2) / 3, 1, 3));
  if (rows != histogram_rows_) {  // the histograms' share of the tab follows their rows
    histogram_rows_ = rows;
    if (auto* split = qobject_cast<QSplitter*>(alpha_tab_)) {
      const int total = std::max(3 * plot::HistogramGrid::kRowHeight, split->height());
      const int histograms = std::min(total / 2, rows * plot::HistogramGrid::kRowHeight + 60);
      split->setSizes({histograms, (total - histograms) / 2, (total - histograms) / 2});
    }
  }
  alpha_mean_->clearSeries();
  const QMap<QString, QString> names = legendNames(runs_);
  for (const StoredRun* r : runs_) {
    std::map<std::int64_t, const AlphaEvent*> latest;
    std::map<std::int64_t, std::pair<QVector<double>, QVector<double>>> means;
    for (const AlphaEvent& a : r->events.alphas) {
      latest[a.layer] = &a;
      means[a.layer].first << static_cast<double>(a.step);
      means[a.layer].second << a.mean;
    }
    for (const auto& [layer, a] : latest) {
      alpha_hist_->setHistogram(static_cast<int>(layer), r->key, r->color, toVector(a->edges),
                                toVector(a->counts), names.value(r->key, r->name));
    }
    for (const auto& [layer, xy] : means) {
      const QString id = r->key + QStringLiteral("/") + QString::number(layer);
      alpha_mean_->setPoints(id, r->name + tr(" layer %1").arg(layer), r->color, xy.first,
                             xy.second);
      alpha_mean_->setSeriesPenStyle(id, layerPen(layer));
    }
  }
  alpha_mean_->refresh();
}

const StoredRun* ProbeCharts::selectedRun() const {
  const QString key = plucker_run_->currentData().toString();
  for (const StoredRun* r : runs_) {
    if (r->key == key) return r;
  }
  return runs_.isEmpty() ? nullptr : runs_.first();
}

void ProbeCharts::select(const QString& run_key, int layer, int offset) {
  filling_ = true;
  alpha_run_->setCurrentIndex(std::max(0, alpha_run_->findData(run_key)));
  plucker_run_->setCurrentIndex(std::max(0, plucker_run_->findData(run_key)));
  alpha_layer_->setCurrentIndex(std::max(0, alpha_layer_->findData(layer)));
  plucker_layer_->setCurrentIndex(std::max(0, plucker_layer_->findData(layer)));
  plucker_offset_->setCurrentIndex(std::max(0, plucker_offset_->findData(offset)));
  filling_ = false;
  drawSelected();
}

void ProbeCharts::drawSelected() {
  // Gate alpha of one layer over time.
  const QString alpha_key = alpha_run_->currentData().toString();
  const int alpha_layer = alpha_layer_->currentData().toInt();
  QVector<double> steps, edges;
  QVector<QVector<double>> counts;
  for (const StoredRun* r : runs_) {
    if (r->key != alpha_key) continue;
    for (const AlphaEvent& a : r->events.alphas) {
      if (a.layer != alpha_layer) continue;
      steps << static_cast<double>(a.step);
      edges = toVector(a.edges);
      counts << toVector(a.counts);
    }
  }
  alpha_map_->setData(steps, edges, counts);

  // Plücker statistics of one run, layer and offset.
  const StoredRun* run = selectedRun();
  const int layer = plucker_layer_->currentData().toInt(),
            offset = plucker_offset_->currentData().toInt();
  QVector<double> psteps, norm_edges, angle_edges;
  QVector<QVector<double>> norms, angles;
  degenerate_->clearSeries();
  rank_->clearSeries();
  if (run) {
    std::map<std::int64_t, std::pair<QVector<double>, QVector<double>>> share, rank;
    QVector<double> xs;
    for (const PluckerEvent& p : run->events.pluckers) {
      if (p.layer != layer) continue;
      share[p.offset].first << static_cast<double>(p.step);
      share[p.offset].second << p.degenerate_share;
      rank[p.offset].first << static_cast<double>(p.step);
      rank[p.offset].second << p.effective_rank;
      if (p.offset != offset) continue;
      psteps << static_cast<double>(p.step);
      norm_edges = toVector(p.norm_edges);
      angle_edges = toVector(p.angle_edges);
      norms << toVector(p.norm_counts);
      angles << toVector(p.angle_counts);
    }
    int i = 0;
    for (const auto& [o, xy] : share) {
      const QColor c = plot::paletteColor(i++);  // one run is shown: colours tell the offsets apart
      degenerate_->setPoints(QString::number(o), tr("δ = %1").arg(o), c, xy.first, xy.second);
      rank_->setPoints(QString::number(o), tr("δ = %1").arg(o), c, rank[o].first, rank[o].second);
    }
  }
  norm_map_->setData(psteps, norm_edges, norms);
  angle_map_->setData(psteps, angle_edges, angles);
  degenerate_->refresh();
  rank_->refresh();
}

QStringList ProbeCharts::exportChart(QCustomPlot* chart, const QString& base, int width, int height,
                                     double scale) {
  QStringList written = plot::exportImages(*chart, base, width, height, scale);
  QByteArray csv, json;
  if (auto* series = qobject_cast<plot::TimeSeriesChart*>(chart)) {
    csv = seriesCsv(*series);
    json = seriesJson(*series);
  } else if (auto* map = qobject_cast<plot::HeatmapChart*>(chart)) {
    csv = heatmapCsv(*map);
    json = QJsonDocument(QJsonObject{{"x_label", map->xAxis->label()},
                                     {"y_label", map->yAxis->label()},
                                     {"columns", map->cells().width()},
                                     {"rows", map->cells().height()}})
               .toJson();
  } else {
    QString text = QStringLiteral("panel,run,bin,edge_low,edge_high,count\n");
    QJsonArray panels;
    for (const StoredRun* r : runs_) {
      std::map<std::int64_t, const AlphaEvent*> latest;
      for (const AlphaEvent& a : r->events.alphas) latest[a.layer] = &a;
      for (const auto& [layer, a] : latest) {
        for (std::size_t b = 0; b < a->counts.size(); ++b) {
          text += QStringLiteral("%1,%2,%3,%4,%5,%6\n")
                      .arg(layer)
                      .arg(r->name)
                      .arg(b)
                      .arg(a->edges[b])
                      .arg(a->edges[b + 1])
                      .arg(a->counts[b]);
        }
        QJsonArray counts;
        for (std::int64_t c : a->counts) counts.append(static_cast<double>(c));
        panels.append(QJsonObject{{"layer", static_cast<int>(layer)},
                                  {"run", r->name},
                                  {"step", static_cast<double>(a->step)},
                                  {"counts", counts}});
      }
    }
    csv = text.toUtf8();
    json = QJsonDocument(QJsonObject{{"histograms", panels}}).toJson();
  }
  plot::writeTextFile(base + QStringLiteral(".csv"), csv);
  plot::writeTextFile(base + QStringLiteral(".json"), json);
  return written << base + QStringLiteral(".csv") << base + QStringLiteral(".json");
}

}  // namespace gwb::ui
