// The exported charts of a run's training and evaluation: train loss, validation perplexity with
// the reported numbers beside it, loss by position; for SNLI runs validation accuracy and the
// confusion matrix. Each as PNG + PDF with its data as CSV + JSON.
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <cmath>

#include "engine/config/tasks.h"
#include "plotting/confusion_chart.h"
#include "plotting/time_series_chart.h"
#include "ui/chart_data.h"
#include "ui/export_common.h"
#include "ui/reference_lines.h"

namespace gwb::ui::exports {

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
  shareRunSteps(run, chart);
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

QStringList exportPpl(const StoredRun& run, const QString& dir, const ExportOptions& o) {
  plot::TimeSeriesChart chart;
  chart.setTitle(run.name + QObject::tr(": validation perplexity"));
  chart.setAxisLabels(QObject::tr("step"), QObject::tr("perplexity"));
  chart.setStyle(plot::TimeSeriesChart::Style::Markers);
  chart.setSmoothLogValues(true);
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
  for (const ReferenceLine& line : pplReferenceLines(run)) {
    chart.addReferenceLine(line.label, line.value, line.color);
    refs.append(QJsonObject{{"source", line.source},
                            {"label", line.label},
                            {"metric", line.metric},
                            {"value", line.value}});
  }
  if (run.has_config) chart.setNote(reportedPplNote({run.config}, reportedNumbers().wikitext2));
  shareRunSteps(run, chart);
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
  for (const EvalEvent* e : validEvals(run)) {
    if (!e->classification) continue;
    x << static_cast<double>(e->step);
    all << 100 * e->accuracy;
    for (int k = 0; k < 3; ++k) per[k] << 100 * perClass(*e, k);
    csv += QStringLiteral("%1,%2,%3,%4,%5,%6,%7,%8\n")
               .arg(e->step)
               .arg(e->tokens)
               .arg(num(e->time), num(e->loss), num(e->accuracy), num(perClass(*e, 0)),
                    num(perClass(*e, 1)), num(perClass(*e, 2)));
    QJsonObject pc;
    for (int k = 0; k < 3; ++k) pc[snliClassName(k)] = jnum(perClass(*e, k));
    rows.append(QJsonObject{{"step", static_cast<double>(e->step)},
                            {"tokens", static_cast<double>(e->tokens)},
                            {"time", jnum(e->time)},
                            {"loss", jnum(e->loss)},
                            {"accuracy", jnum(e->accuracy)},
                            {"per_class_accuracy", pc}});
  }
  chart.appendPoints(run.key, run.name, run.color, x, all);

  static const Qt::PenStyle kStyle[3] = {Qt::DashLine, Qt::DotLine, Qt::DashDotLine};
  for (int k = 0; k < 3; ++k) {
    const QString id = run.key + QStringLiteral("#") + snliClassLetter(k);
    chart.appendPoints(id, run.name + QStringLiteral(" ") + snliClassLetter(k),
                       run.color.lighter(125), x, per[k]);
    chart.setSeriesPenStyle(id, kStyle[k]);
  }
  QJsonArray refs;
  for (const ReferenceLine& line : accuracyReferenceLines(run)) {
    chart.addReferenceLine(line.label, line.value, line.color);
    refs.append(QJsonObject{{"source", line.source}, {"label", line.label}, {"value", line.value}});
  }
  if (run.has_config) chart.setNote(reportedSnliNote({run.config}, reportedNumbers().snli));
  shareRunSteps(run, chart);
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
  QStringList labels;
  for (int k = 0; k < kSnliClasses; ++k) labels << QObject::tr(snliClassName(k));
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
                   .arg(snliClassName(g), snliClassName(p))
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
                  {"labels", QJsonArray{snliClassName(0), snliClassName(1), snliClassName(2)}},
                  {"confusion", matrix}});
}

}  // namespace gwb::ui::exports
