// Building each exported chart offscreen from a run's events, and the data files beside them.
#include "ui/run_export.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <cmath>
#include <limits>
#include <map>
#include <set>

#include "engine/util/error.h"
#include "engine/util/paths.h"
#include "plotting/bar_chart.h"
#include "plotting/chart_export.h"
#include "plotting/comparison_figure.h"
#include "plotting/confusion_chart.h"
#include "plotting/histogram_grid.h"
#include "plotting/plot_style.h"
#include "plotting/time_series_chart.h"

namespace gwb::ui {
namespace {

QString num(double v) { return std::isfinite(v) ? QString::number(v, 'g', 10) : QString(); }
QJsonValue jnum(double v) { return std::isfinite(v) ? QJsonValue(v) : QJsonValue(); }

QStringList writeChart(QCustomPlot& chart, const QString& base, const ExportOptions& o,
                       const QByteArray& csv, const QJsonObject& json) {
  QStringList written = plot::exportImages(chart, base, o.width, o.height, o.scale);
  plot::writeTextFile(base + QStringLiteral(".csv"), csv);
  plot::writeTextFile(base + QStringLiteral(".json"), QJsonDocument(json).toJson());
  return written << base + QStringLiteral(".csv") << base + QStringLiteral(".json");
}

std::vector<const EvalEvent*> validEvals(const StoredRun& run) {
  std::vector<const EvalEvent*> out;
  for (const EvalEvent& e : run.events.evals) {
    if (e.split == "valid") out.push_back(&e);
  }
  return out;
}

QStringList exportLoss(const StoredRun& run, const QString& dir, const ExportOptions& o) {
  plot::TimeSeriesChart chart;
  chart.setTitle(run.name + QObject::tr(": train loss"));
  chart.setAxisLabels(QObject::tr("step"), QObject::tr("loss"));
  chart.setSmoothing(o.ema_weight);
  QVector<double> x, y;
  for (const StepEvent& e : run.events.steps) {
    x << static_cast<double>(e.step);
    y << e.loss;
  }
  chart.appendPoints(run.key, run.name, run.color, x, y);
  chart.resetView();
  const QVector<double> smoothed = chart.seriesData().front().smoothed;
  QString csv = QStringLiteral("step,tokens,time,loss,loss_ema\n");
  QJsonArray rows;
  for (std::size_t i = 0; i < run.events.steps.size(); ++i) {
    const StepEvent& e = run.events.steps[i];
    csv += QStringLiteral("%1,%2,%3,%4,%5\n")
               .arg(e.step)
               .arg(e.tokens)
               .arg(num(e.time), num(e.loss), num(smoothed[i]));
    rows.append(QJsonObject{{"step", static_cast<double>(e.step)},
                            {"tokens", static_cast<double>(e.tokens)},
                            {"time", jnum(e.time)},
                            {"loss", jnum(e.loss)},
                            {"loss_ema", jnum(smoothed[i])}});
  }
  return writeChart(chart, dir + QStringLiteral("/loss"), o, csv.toUtf8(),
                    QJsonObject{{"run", run.name}, {"ema_weight", o.ema_weight}, {"points", rows}});
}

QStringList exportPpl(const StoredRun& run, const QString& dir, const ExportOptions& o,
                      const std::vector<ReportedNumber>& reported) {
  plot::TimeSeriesChart chart;
  chart.setTitle(run.name + QObject::tr(": validation perplexity"));
  chart.setAxisLabels(QObject::tr("step"), QObject::tr("perplexity"));
  chart.setStyle(plot::TimeSeriesChart::Style::Markers);
  chart.setLogY(true);
  QVector<double> x, y;
  QString csv = QStringLiteral("step,tokens,time,ppl,loss\n");
  QJsonArray rows;
  for (const EvalEvent* e : validEvals(run)) {
    x << static_cast<double>(e->step);
    y << e->ppl;
    csv += QStringLiteral("%1,%2,%3,%4,%5\n")
               .arg(e->step)
               .arg(e->tokens)
               .arg(num(e->time), num(e->ppl), num(e->loss));
    rows.append(QJsonObject{{"step", static_cast<double>(e->step)},
                            {"tokens", static_cast<double>(e->tokens)},
                            {"time", jnum(e->time)},
                            {"ppl", jnum(e->ppl)},
                            {"loss", jnum(e->loss)}});
  }
  chart.appendPoints(run.key, run.name, run.color, x, y);
  QJsonArray refs;
  if (run.has_config) {
    for (const char* source : {"paper", "reproduction", "arledge"}) {
      if (const auto n = matchReported(reported, source, run.config)) {
        const double v = n->value(run.config.model.arch);
        chart.addReferenceLine(
            QString::fromStdString(n->label), v,
            source == std::string("paper") ? QColor(176, 48, 48) : QColor(48, 80, 160));
        refs.append(QJsonObject{{"source", QString::fromStdString(n->source)},
                                {"label", QString::fromStdString(n->label)},
                                {"metric", QString::fromStdString(n->metric)},
                                {"value", v}});
      }
    }
  }
  chart.resetView();
  return writeChart(chart, dir + QStringLiteral("/ppl"), o, csv.toUtf8(),
                    QJsonObject{{"run", run.name}, {"points", rows}, {"reported", refs}});
}

QStringList exportPositions(const StoredRun& run, const QString& dir, const ExportOptions& o) {
  plot::TimeSeriesChart chart;
  chart.setSmoothing(0);
  chart.setAxisLabels(QObject::tr("position"), QObject::tr("loss"));
  const auto evals = validEvals(run);
  QString csv = QStringLiteral("position,loss\n");
  QJsonArray values;
  if (!evals.empty()) {
    const EvalEvent& e = *evals.back();
    chart.setTitle(run.name + QObject::tr(": validation loss by position (step %1)").arg(e.step));
    QVector<double> x, y;
    for (std::size_t i = 0; i < e.loss_by_position.size(); ++i) {
      x << static_cast<double>(i + 1);
      y << e.loss_by_position[i];
      csv += QStringLiteral("%1,%2\n").arg(i + 1).arg(num(e.loss_by_position[i]));
      values.append(jnum(e.loss_by_position[i]));
    }
    chart.appendPoints(run.key, run.name, run.color, x, y);
  }
  chart.resetView();
  return writeChart(
      chart, dir + QStringLiteral("/loss_by_position"), o, csv.toUtf8(),
      QJsonObject{{"run", run.name},
                  {"step", evals.empty() ? 0.0 : static_cast<double>(evals.back()->step)},
                  {"loss_by_position", values}});
}

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
  grid.setPanels(titles, 3);
  int panel = 0;
  for (const auto& [layer, a] : latest) {
    QVector<double> edges(a->edges.begin(), a->edges.end()), counts;
    for (std::int64_t c : a->counts) counts << static_cast<double>(c);
    grid.setHistogram(panel++, run.key, run.color, edges, counts);
  }
  return writeChart(grid, dir + QStringLiteral("/alpha"), o, csv.toUtf8(),
                    QJsonObject{{"run", run.name}, {"alpha", events}});
}

QStringList exportPlucker(const StoredRun& run, const QString& dir, const ExportOptions& o) {
  plot::TimeSeriesChart chart;
  chart.setTitle(run.name + QObject::tr(": effective rank of the normalised Plücker vectors"));
  chart.setAxisLabels(QObject::tr("step"), QObject::tr("effective rank"));
  chart.setSmoothing(0);
  std::map<std::pair<std::int64_t, std::int64_t>, std::pair<QVector<double>, QVector<double>>>
      series;
  QString csv = QStringLiteral("step,layer,offset,degenerate_share,effective_rank\n");
  QJsonArray events;
  for (const PluckerEvent& p : run.events.pluckers) {
    series[{p.layer, p.offset}].first << static_cast<double>(p.step);
    series[{p.layer, p.offset}].second << p.effective_rank;
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
  int i = 0;
  for (const auto& [key, xy] : series) {
    chart.setPoints(QStringLiteral("%1/%2").arg(key.first).arg(key.second),
                    QObject::tr("layer %1, δ = %2").arg(key.first).arg(key.second),
                    plot::paletteColor(i++), xy.first, xy.second);
  }
  chart.resetView();
  return writeChart(chart, dir + QStringLiteral("/plucker"), o, csv.toUtf8(),
                    QJsonObject{{"run", run.name}, {"plucker", events}});
}

std::vector<ReportedNumber> reportedNumbers() {
  try {
    return loadReportedNumbers(reportedNumbersPath());
  } catch (const std::exception&) {
    return {};
  }
}

std::vector<ReportedSnli> reportedSnli() {
  try {
    return loadReportedSnli(reportedNumbersPath());
  } catch (const std::exception&) {
    return {};
  }
}

const char* const kClassKeys[3] = {"entailment", "neutral", "contradiction"};

double perClass(const EvalEvent& e, int k) {
  return k < static_cast<int>(e.per_class_accuracy.size()) ? e.per_class_accuracy[k] : NAN;
}

// SNLI: validation accuracy over steps (overall and per class, %), with the majority-class
// baseline of the split and any matching reported number as dashed lines.
QStringList exportAccuracy(const StoredRun& run, const QString& dir, const ExportOptions& o) {
  plot::TimeSeriesChart chart;
  chart.setTitle(run.name + QObject::tr(": validation accuracy (dashed: per class)"));
  chart.setAxisLabels(QObject::tr("step"), QObject::tr("accuracy (%)"));
  chart.setSmoothing(0);
  chart.setStyle(plot::TimeSeriesChart::Style::Markers);
  QVector<double> x, all, per[3];
  QString csv = QStringLiteral("step,tokens,time,loss,accuracy,entailment,neutral,contradiction\n");
  QJsonArray rows;
  const EvalEvent* last = nullptr;
  for (const EvalEvent* e : validEvals(run)) {
    if (!e->classification) continue;
    last = e;
    x << static_cast<double>(e->step);
    all << 100 * e->accuracy;
    for (int k = 0; k < 3; ++k) per[k] << 100 * perClass(*e, k);
    csv += QStringLiteral("%1,%2,%3,%4,%5,%6,%7,%8\n")
               .arg(e->step)
               .arg(e->tokens)
               .arg(num(e->time), num(e->loss), num(e->accuracy), num(perClass(*e, 0)),
                    num(perClass(*e, 1)), num(perClass(*e, 2)));
    QJsonObject pc;
    for (int k = 0; k < 3; ++k) pc[kClassKeys[k]] = jnum(perClass(*e, k));
    rows.append(QJsonObject{{"step", static_cast<double>(e->step)},
                            {"tokens", static_cast<double>(e->tokens)},
                            {"time", jnum(e->time)},
                            {"loss", jnum(e->loss)},
                            {"accuracy", jnum(e->accuracy)},
                            {"per_class_accuracy", pc}});
  }
  chart.appendPoints(run.key, run.name, run.color, x, all);
  static const char* const kShort[3] = {"E", "N", "C"};
  static const Qt::PenStyle kStyle[3] = {Qt::DashLine, Qt::DotLine, Qt::DashDotLine};
  for (int k = 0; k < 3; ++k) {
    const QString id = run.key + QStringLiteral("#") + kShort[k];
    chart.appendPoints(id, run.name + QStringLiteral(" ") + kShort[k], run.color.lighter(125), x,
                       per[k]);
    chart.setSeriesPenStyle(id, kStyle[k]);
  }
  QJsonArray refs;
  if (last && last->examples > 0 && last->confusion.size() == 3) {
    std::int64_t largest = 0;
    for (const auto& row : last->confusion) {
      std::int64_t n = 0;
      for (std::int64_t v : row) n += v;
      largest = std::max(largest, n);
    }
    const double majority = 100.0 * largest / last->examples;
    chart.addReferenceLine(QObject::tr("majority class (dev)"), majority, QColor(0x80, 0x80, 0x80));
    refs.append(QJsonObject{{"label", "majority class (dev)"}, {"value", majority}});
  }
  if (run.has_config) {
    if (const auto n = matchReportedSnli(reportedSnli(), run.config)) {
      const double v = n->of(run.config.model.arch).val;
      chart.addReferenceLine(QString::fromStdString(n->label) + QObject::tr(" (dev)"), v,
                             n->source == "paper" ? QColor(176, 48, 48) : QColor(48, 80, 160));
      refs.append(QJsonObject{{"source", QString::fromStdString(n->source)},
                              {"label", QString::fromStdString(n->label)},
                              {"value", v}});
    }
  }
  chart.resetView();
  return writeChart(chart, dir + QStringLiteral("/accuracy"), o, csv.toUtf8(),
                    QJsonObject{{"run", run.name}, {"points", rows}, {"reported", refs}});
}

// SNLI: the confusion matrix of the test split, evaluated once with the best checkpoint (the
// latest validation while the run has no test yet).
QStringList exportConfusion(const StoredRun& run, const QString& dir, const ExportOptions& o) {
  const EvalEvent* chosen = nullptr;
  for (const EvalEvent& e : run.events.evals) {
    if (!e.classification) continue;
    if (e.split == "test" || !chosen || chosen->split != "test") chosen = &e;
  }
  plot::ConfusionChart chart;
  QString csv = QStringLiteral("gold,predicted,count\n");
  QJsonArray matrix;
  const QStringList labels = {QObject::tr("entailment"), QObject::tr("neutral"),
                              QObject::tr("contradiction")};
  if (chosen && chosen->confusion.size() == 3) {
    chart.setTitle(run.name + QObject::tr(": confusion matrix, %1 split at step %2 (%3 pairs)")
                                  .arg(QString::fromStdString(chosen->split))
                                  .arg(chosen->step)
                                  .arg(chosen->examples));
    QVector<QVector<qint64>> counts;
    for (int g = 0; g < 3; ++g) {
      QJsonArray row;
      counts << QVector<qint64>(chosen->confusion[g].begin(), chosen->confusion[g].end());
      for (int p = 0; p < 3 && p < static_cast<int>(chosen->confusion[g].size()); ++p) {
        csv += QStringLiteral("%1,%2,%3\n")
                   .arg(kClassKeys[g], kClassKeys[p])
                   .arg(chosen->confusion[g][p]);
        row.append(static_cast<double>(chosen->confusion[g][p]));
      }
      matrix.append(row);
    }
    chart.setMatrix(labels, counts);
  } else {
    chart.setTitle(run.name + QObject::tr(": confusion matrix"));
    chart.setMatrix({}, {}, QObject::tr("No evaluation yet"));
  }
  return writeChart(
      chart, dir + QStringLiteral("/confusion"), o, csv.toUtf8(),
      QJsonObject{{"run", run.name},
                  {"split", chosen ? QString::fromStdString(chosen->split) : QString()},
                  {"step", chosen ? static_cast<double>(chosen->step) : 0.0},
                  {"labels", QJsonArray{"entailment", "neutral", "contradiction"}},
                  {"confusion", matrix}});
}

}  // namespace

QStringList exportRunFiles(const StoredRun& run, const QString& dir, const ExportOptions& options) {
  QDir().mkpath(dir);
  QStringList written = exportLoss(run, dir, options);
  if (run.config.data.isSnli()) {
    written << exportAccuracy(run, dir, options) << exportConfusion(run, dir, options);
  } else {
    written << exportPpl(run, dir, options, reportedNumbers())
            << exportPositions(run, dir, options);
  }
  if (run.arch == "grassmann")
    written << exportAlpha(run, dir, options) << exportPlucker(run, dir, options);
  return written;
}

RunRecord recordOf(const StoredRun& run) {
  RunRecord r;
  r.dir = run.key.toStdString();
  r.config = run.config;
  r.summary = run.summary;
  r.has_summary = run.has_summary;
  // A run that trains has at most a stale summary of an earlier stop: its numbers are its
  // evaluations so far, and the row says so.
  r.in_progress = run.running();
  if (r.in_progress) {
    r.summary.best_valid_ppl = 0;
    r.summary.test_ppl = 0;
    r.summary.best_valid_accuracy = -1;
    r.summary.test_accuracy = -1;
    r.summary.test_per_class_accuracy.clear();
  }
  if (run.config.data.isSnli()) {
    r.summary.task = "snli";
    if (r.summary.best_valid_accuracy < 0) {  // in progress: its evaluations so far
      for (const EvalEvent& e : run.events.evals) {
        if (!e.classification) continue;
        if (e.split == "valid" && e.accuracy > r.summary.best_valid_accuracy) {
          r.summary.best_valid_accuracy = e.accuracy;
          r.summary.best_step = e.step;
        }
        if (e.split == "test") {
          r.summary.test_accuracy = e.accuracy;
          r.summary.test_per_class_accuracy = e.per_class_accuracy;
        }
      }
    }
  } else if (r.summary.best_valid_ppl <= 0) {
    for (const EvalEvent& e : run.events.evals) {
      if (e.split == "valid" &&
          (r.summary.best_valid_ppl <= 0 || e.ppl < r.summary.best_valid_ppl)) {
        r.summary.best_valid_ppl = e.ppl;
        r.summary.best_step = e.step;
      }
      if (e.split == "test") r.summary.test_ppl = e.ppl;
    }
  }
  if (r.summary.tokens_per_s <= 0 && !run.events.steps.empty()) {
    double sum = 0;
    for (const StepEvent& s : run.events.steps) sum += s.tokens_per_s;
    r.summary.tokens_per_s = sum / static_cast<double>(run.events.steps.size());
  }
  if (r.summary.params <= 0 && run.has_config) {
    RunConfig c = run.config;
    resolveRunConfig(c, knownVocabSize(c.data.tokenizer));
    r.summary.params = countTrainedParameters(c);
  }
  return r;
}

QStringList exportComparisonFiles(const QList<const StoredRun*>& runs, const QString& dir,
                                  const ExportOptions& o) {
  QDir().mkpath(dir);
  std::vector<RunRecord> records;
  for (const StoredRun* r : runs) {
    if (r->has_config) records.push_back(recordOf(*r));
  }
  const auto rows = buildReport(records, reportedNumbers());
  QStringList categories;
  QVector<double> ours, paper, reproduction, arledge;
  QString csv = QStringLiteral("configuration,source,metric,value\n");
  QJsonArray bars;
  for (const ReportRow& row : rows) {
    const QString label =
        QString::fromStdString(configLabel(row.arch, row.n_layers, row.seq_len, row.tokenizer));
    categories << label;
    ours << (row.best_valid_ppl.n ? row.best_valid_ppl.mean : NAN);
    csv += label + QStringLiteral(",ours,valid_ppl,") + num(ours.back()) + '\n';
    double p = NAN, r = NAN, a = NAN;
    for (const auto& ref : row.references) {
      if (ref.source == "paper") p = ref.value;
      if (ref.source == "reproduction") r = ref.value;
      if (ref.source == "arledge") a = ref.value;
      csv += label + ',' + QString::fromStdString(ref.source) + ',' +
             QString::fromStdString(ref.metric) + ',' + num(ref.value) + '\n';
    }
    paper << p;
    reproduction << r;
    arledge << a;
    bars.append(QJsonObject{{"configuration", label},
                            {"ours_valid_ppl", jnum(ours.back())},
                            {"paper", jnum(p)},
                            {"reproduction", jnum(r)},
                            {"arledge_test", jnum(a)}});
  }
  plot::ComparisonFigure figure;
  figure.setBars(categories, {{QObject::tr("ours (best valid)"), QColor(0x4e, 0x79, 0xa7), ours},
                              {QObject::tr("paper"), QColor(0xb0, 0x30, 0x30), paper},
                              {QObject::tr("reproduction"), QColor(0x30, 0x50, 0xa0).lighter(150),
                               reproduction},
                              {QObject::tr("Arledge (test)"), QColor(0x90, 0x90, 0x90), arledge}});
  QVector<plot::ComparisonFigure::Curve> ppl, positions;
  QJsonArray curves;
  for (const StoredRun* r : runs) {
    if (r->config.data.isSnli()) continue;  // snli_comparison.*
    plot::ComparisonFigure::Curve c{r->name, r->color, {}, {}}, pos{r->name, r->color, {}, {}};
    QJsonArray cx, cy;
    for (const EvalEvent* e : validEvals(*r)) {
      c.x << static_cast<double>(e->step);
      c.y << e->ppl;
      cx.append(static_cast<double>(e->step));
      cy.append(jnum(e->ppl));
      pos.x.clear();
      pos.y.clear();
      for (std::size_t i = 0; i < e->loss_by_position.size(); ++i) {
        pos.x << static_cast<double>(i + 1);
        pos.y << e->loss_by_position[i];
      }
    }
    ppl << c;
    positions << pos;
    curves.append(QJsonObject{{"run", r->name}, {"step", cx}, {"valid_ppl", cy}});
  }
  figure.setCurves(ppl, positions);
  QStringList written = writeChart(
      figure, dir + QStringLiteral("/comparison"), o, csv.toUtf8(),
      QJsonObject{{"bars", bars},
                  {"curves", curves},
                  {"report",
                   QJsonDocument::fromJson(QByteArray::fromStdString(reportJson(rows))).array()}});
  const QString table = dir + QStringLiteral("/comparison_table");
  plot::writeTextFile(table + QStringLiteral(".md"),
                      QByteArray::fromStdString(reportMarkdown(rows)));
  plot::writeTextFile(table + QStringLiteral(".csv"), QByteArray::fromStdString(reportCsv(rows)));
  plot::writeTextFile(table + QStringLiteral(".tex"), QByteArray::fromStdString(reportLatex(rows)));
  written << table + QStringLiteral(".md") << table + QStringLiteral(".csv")
          << table + QStringLiteral(".tex");
  const auto snli = buildSnliReport(records, reportedSnli());
  if (!snli.empty()) written << exportSnliComparison(snli, dir, o);
  return written;
}

QStringList exportSnliComparison(const std::vector<SnliReportRow>& rows, const QString& dir,
                                 const ExportOptions& o) {
  // Bars: per configuration its test accuracy and, per class, ours beside the reported numbers.
  QStringList categories;
  QVector<double> ours, paper, reproduction;
  QString csv = QStringLiteral("configuration,class,source,test_accuracy_percent\n");
  QJsonArray bars;
  static const char* const kParts[4] = {"all", "entailment", "neutral", "contradiction"};
  for (const SnliReportRow& row : rows) {
    const QString label =
        QString::fromStdString(row.arch + " " + row.family.substr(0, row.family.find(" (")));
    for (int part = 0; part < 4; ++part) {
      categories << (part == 0
                         ? label
                         : QStringLiteral("  %1").arg(QString(kParts[part]).left(1).toUpper()));
      const Stat& mine = part == 0 ? row.test_accuracy : row.test_per_class[part - 1];
      ours << (mine.n ? mine.mean : NAN);
      double p = NAN, r = NAN;
      for (const auto& ref : row.references) {
        const double v =
            part == 0 ? ref.test
                      : (ref.test_per_class.size() == 3 ? ref.test_per_class[part - 1] : NAN);
        if (ref.source == "paper") p = v;
        if (ref.source == "reproduction") r = v;
      }
      paper << p;
      reproduction << r;
      for (const auto& [source, value] : {std::pair<const char*, double>{"ours", ours.back()},
                                          {"paper", p},
                                          {"reproduction", r}}) {
        if (std::isfinite(value))
          csv += label + ',' + kParts[part] + ',' + source + ',' + num(value) + '\n';
      }
      bars.append(QJsonObject{{"configuration", label},
                              {"class", kParts[part]},
                              {"ours_test", jnum(ours.back())},
                              {"paper", jnum(p)},
                              {"reproduction", jnum(r)}});
    }
  }
  plot::BarChart chart;
  chart.setCategories(categories);
  chart.setValueLabel(QObject::tr("test accuracy (%)"));
  chart.addSeries(QObject::tr("ours (test)"), ours, QColor(0x4e, 0x79, 0xa7));
  chart.addSeries(QObject::tr("paper"), paper, QColor(0xb0, 0x30, 0x30));
  chart.addSeries(QObject::tr("reproduction"), reproduction, QColor(0x30, 0x50, 0xa0).lighter(150));
  QStringList written = writeChart(
      chart, dir + QStringLiteral("/snli_comparison"), o, csv.toUtf8(),
      QJsonObject{
          {"bars", bars},
          {"report",
           QJsonDocument::fromJson(QByteArray::fromStdString(snliReportJson(rows))).array()}});
  const QString table = dir + QStringLiteral("/snli_comparison_table");
  plot::writeTextFile(table + QStringLiteral(".md"),
                      QByteArray::fromStdString(snliReportMarkdown(rows)));
  plot::writeTextFile(table + QStringLiteral(".csv"),
                      QByteArray::fromStdString(snliReportCsv(rows)));
  plot::writeTextFile(table + QStringLiteral(".tex"),
                      QByteArray::fromStdString(snliReportLatex(rows)));
  return written << table + QStringLiteral(".md") << table + QStringLiteral(".csv")
                 << table + QStringLiteral(".tex");
}

QStringList exportRunDirectories(const QStringList& run_dirs, const QString& out,
                                 const ExportOptions& options) {
  MetricsStore store;
  QStringList keys;
  for (const QString& d : run_dirs) {
    if (!QFileInfo::exists(d + QStringLiteral("/config.json"))) {
      throw InputError({d.toStdString()}, expectedGot("a run directory with config.json", "none"));
    }
    keys << store.open(d);
  }
  QStringList written;
  QList<const StoredRun*> runs;
  std::set<QString> names;
  for (const QString& key : keys) {
    const StoredRun* run = store.run(key);
    runs << run;
    QString name = run->name;
    for (int n = 2; names.count(name); ++n) name = run->name + QStringLiteral("-%1").arg(n);
    names.insert(name);
    written << exportRunFiles(*run, out + QStringLiteral("/") + name, options);
  }
  written << exportComparisonFiles(runs, out, options);
  return written;
}

}  // namespace gwb::ui
