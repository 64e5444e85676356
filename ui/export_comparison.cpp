// The exported comparison of runs (CONTRACTS.md): the figure (bars of the best validation
// perplexity beside the reported numbers, validation perplexity over steps, loss by position) with
// its data, the tables (Markdown, CSV, LaTeX), and the same for SNLI runs.
#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <cmath>

#include "engine/config/tasks.h"
#include "engine/runs/sources.h"
#include "plotting/bar_chart.h"
#include "plotting/chart_export.h"
#include "plotting/comparison_figure.h"
#include "ui/chart_data.h"
#include "ui/export_common.h"
#include "ui/reference_lines.h"

namespace gwb::ui {

using exports::jnum;
using exports::num;
using exports::validEvals;
using exports::writeChart;

QStringList exportComparisonFiles(const QList<const StoredRun*>& runs, const QString& dir,
                                  const ExportOptions& o) {
  QDir().mkpath(dir);
  std::vector<RunRecord> records;
  for (const StoredRun* r : runs) {
    if (r->has_config) records.push_back(r->current());
  }
  const std::vector<ReportRow> rows = buildReport(records, reportedNumbers().wikitext2);
  const auto snli = buildSnliReport(records, reportedNumbers().snli);
  // Only SNLI runs: no Wikitext-2 figure or table at all (an empty one was written before).
  if (rows.empty() && !snli.empty()) return exportSnliComparison(snli, dir, o);
  // Bars: per configuration our best validation perplexity beside each source's number.
  const ComparisonBars data = comparisonBars(rows);
  QStringList categories;
  for (const std::string& c : data.categories) categories << QString::fromStdString(c);
  QString csv = QStringLiteral("configuration,source,metric,value\n");
  QJsonArray bars;
  QVector<plot::ComparisonFigure::Bars> series;
  for (std::size_t s = 0; s < data.sources.size(); ++s) {
    const SourceStyle style = sourceStyle(data.sources[s]);
    const QString label = style.source == "ours" ? QObject::tr("ours (best valid)")
                                                 : QString::fromStdString(style.label);
    series.push_back({label, sourceColor(style.source),
                      QVector<double>(data.values[s].begin(), data.values[s].end())});
  }
  for (std::size_t i = 0; i < rows.size(); ++i) {
    QJsonObject bar{{"configuration", categories[static_cast<int>(i)]}};
    for (std::size_t s = 0; s < data.sources.size(); ++s) {
      const double v = data.values[s][i];
      bar[QString::fromStdString(data.sources[s])] = jnum(v);
      if (std::isfinite(v))
        csv += categories[static_cast<int>(i)] + ',' + QString::fromStdString(data.sources[s]) +
               QStringLiteral(",valid_ppl,") + num(v) + '\n';
    }
    for (const auto& ref : rows[i].references) {  // every reported number, test ones too
      if (ref.metric != "valid_ppl")
        csv += categories[static_cast<int>(i)] + ',' + QString::fromStdString(ref.source) + ',' +
               QString::fromStdString(ref.metric) + ',' + num(ref.value) + '\n';
    }
    bars.append(bar);
  }
  plot::ComparisonFigure figure;
  figure.setBars(categories, series);
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
      pos.label = r->name + QObject::tr(" (step %1)").arg(e->step);  // the latest evaluation
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
  QList<RunConfig> wikitext;
  for (const RunRecord& r : records) {
    if (r.config && !r.config->data.isSnli()) wikitext << *r.config;
  }
  figure.setBarNote(reportedPplNote(wikitext, reportedNumbers().wikitext2));
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
  if (!snli.empty()) written << exportSnliComparison(snli, dir, o);
  return written;
}

QStringList exportSnliComparison(const std::vector<SnliReportRow>& rows, const QString& dir,
                                 const ExportOptions& o) {
  // Bars: per configuration its test accuracy and, per class, ours beside the reported numbers.
  const SnliComparisonBars data = snliComparisonBars(rows);
  QStringList categories;
  for (std::size_t i = 0; i < data.categories.size(); ++i)
    categories << (data.parts[i] == "all"
                       ? QString::fromStdString(data.categories[i])
                       : QStringLiteral("  ") + QString::fromStdString(data.categories[i]));
  QString csv = QStringLiteral("configuration,class,source,test_accuracy_percent\n");
  QJsonArray bars;
  QString configuration;
  for (std::size_t i = 0; i < data.categories.size(); ++i) {
    if (data.parts[i] == "all") configuration = QString::fromStdString(data.categories[i]);
    QJsonObject bar{{"configuration", configuration},
                    {"class", QString::fromStdString(data.parts[i])}};
    for (std::size_t s = 0; s < data.sources.size(); ++s) {
      const double v = data.values[s][i];
      bar[data.sources[s] == "ours" ? QStringLiteral("ours_test")
                                    : QString::fromStdString(data.sources[s])] = jnum(v);
      if (std::isfinite(v))
        csv += configuration + ',' + QString::fromStdString(data.parts[i]) + ',' +
               QString::fromStdString(data.sources[s]) + ',' + num(v) + '\n';
    }
    bars.append(bar);
  }
  plot::BarChart chart;
  chart.setTitle(QObject::tr("SNLI: test accuracy per class, ours beside the reported heads"));
  chart.setCategories(categories);
  chart.setValueLabel(QObject::tr("test accuracy (%)"));
  chart.xAxis->setLabel(QObject::tr("configuration and class"));
  for (std::size_t s = 0; s < data.sources.size(); ++s) {
    const SourceStyle style = sourceStyle(data.sources[s]);
    chart.addSeries(
        style.source == "ours" ? QObject::tr("ours (test)") : QString::fromStdString(style.label),
        QVector<double>(data.values[s].begin(), data.values[s].end()), sourceColor(style.source));
  }
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

}  // namespace gwb::ui
