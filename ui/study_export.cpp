// Study chart data and the study export.
#include "ui/study_export.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <cmath>

#include "engine/util/error.h"
#include "plotting/chart_export.h"
#include "plotting/plot_style.h"

namespace gwb::ui {
namespace {

double gapPercent(double delta) { return 100.0 * std::expm1(delta); }

double orNaN(const std::optional<double>& v) { return v ? *v : NAN; }

QJsonValue number(double v) { return std::isfinite(v) ? QJsonValue(v) : QJsonValue(); }

QString csvNumber(double v) { return std::isfinite(v) ? QString::number(v, 'g', 10) : QString(); }

}  // namespace

QString studyGapLabel() { return QObject::tr("gap % (PPL ratio - 1)"); }

QVector<plot::WaterfallBar> studyWaterfall(const study::StudyReport& r) {
  QVector<plot::WaterfallBar> bars;
  const study::CellResult* a = nullptr;
  const study::CellResult* b = nullptr;
  for (const study::CellResult& c : r.cells) {
    if (c.id == "A") a = &c;
    if (c.id == "B") b = &c;
  }
  if (!a || !std::isfinite(a->delta.mean)) return bars;
  double cum = a->delta.mean;
  bars.push_back({QString::fromStdString(r.a), 0, gapPercent(cum), a->gap_percent.lo,
                  a->gap_percent.hi, true, false});
  for (const study::StepResult& s : r.steps_results) {
    const study::Interval& i = s.delta.averaged;
    if (!std::isfinite(i.mean)) continue;  // not every run of the step has finished
    plot::WaterfallBar bar;
    bar.label = QString::fromStdString(s.group);
    bar.from = gapPercent(cum);
    bar.to = gapPercent(cum + i.mean);
    if (i.hasInterval()) {
      bar.lo = gapPercent(cum + *i.lo);
      bar.hi = gapPercent(cum + *i.hi);
    }
    bar.uncertain = i.containsZero();
    cum += i.mean;
    bars.push_back(bar);
  }
  if (b && std::isfinite(b->delta.mean))
    bars.push_back({QString::fromStdString(r.b), 0, gapPercent(b->delta.mean), b->gap_percent.lo,
                    b->gap_percent.hi, true, false});
  return bars;
}

IntervalBars studyArchChanges(const study::StudyReport& r) {
  IntervalBars out;
  out.value_label = QObject::tr("Δ loss (nats)");
  plot::IntervalSeries g{QObject::tr("Grassmann"), plot::paletteColor(1), {}, {}, {}};
  plot::IntervalSeries t{QObject::tr("Transformer"), plot::paletteColor(0), {}, {}, {}};
  for (const study::StepResult& s : r.steps_results) {
    out.categories << QString::fromStdString(s.group);
    for (auto [series, interval] : {std::pair{&g, &s.grassmann}, std::pair{&t, &s.transformer}}) {
      series->value << interval->mean;
      series->lo << orNaN(interval->lo);
      series->hi << orNaN(interval->hi);
    }
  }
  out.series = {g, t};
  return out;
}

IntervalBars studyEffects(const study::StudyReport& r) {
  IntervalBars out;
  out.value_label = QObject::tr("effect (nats)");
  plot::IntervalSeries d{QObject::tr("on Delta"), plot::paletteColor(2), {}, {}, {}};
  plot::IntervalSeries g{QObject::tr("on Grassmann loss"), plot::paletteColor(1), {}, {}, {}};
  plot::IntervalSeries t{QObject::tr("on Transformer loss"), plot::paletteColor(0), {}, {}, {}};
  for (const study::EffectResult& e : r.effects) {
    out.categories << QString::fromStdString(e.delta.names);
    for (auto [series, interval] : {std::pair{&d, &e.delta.interval}, std::pair{&g, &e.grassmann},
                                    std::pair{&t, &e.transformer}}) {
      series->value << interval->mean;
      series->lo << orNaN(interval->lo);
      series->hi << orNaN(interval->hi);
    }
  }
  out.series = {d, g, t};
  return out;
}

ParallelData studyParallel(const study::Study& s, const study::StudyReport& r) {
  ParallelData p;
  for (const std::string& f : r.factors) {
    p.axes << QString::fromStdString(f);
    p.categorical << true;
  }
  p.axes << QObject::tr("gap %");
  p.categorical << false;
  for (std::size_t c = 0; c < r.cells.size() && c < s.runs.size(); ++c) {
    const study::CellResult& cell = r.cells[c];
    for (std::size_t k = 0; k < cell.delta_per_seed.size() && k < s.runs[c].size(); ++k) {
      const double delta = cell.delta_per_seed[k];
      if (!std::isfinite(delta)) continue;
      plot::ParallelLine line;
      for (const auto& [name, level] : cell.levels) line.values << (level == "B" ? 1.0 : 0.0);
      line.values << gapPercent(delta);
      line.id =
          QStringLiteral("%1 s%2").arg(QString::fromStdString(cell.id)).arg(s.runs[c][k].seed);
      p.lines << line;
      p.run_dirs << QStringList{QString::fromStdString(s.runs[c][k].grassmann),
                                QString::fromStdString(s.runs[c][k].transformer)};
    }
  }
  return p;
}

QStringList exportStudyDirectory(const QString& study_dir, const QString& out,
                                 const ExportOptions& options) {
  const study::Study s = study::readStudy(study_dir.toStdString());
  const study::StudyReport r = study::buildStudyReport(s);
  if (!QDir().mkpath(out))
    throw InputError({out.toStdString()}, "expected a folder that can be created");
  QStringList files;
  const auto text = [&](const QString& name, const std::string& content) {
    plot::writeTextFile(out + "/" + name, QByteArray::fromStdString(content));
    files << out + "/" + name;
  };
  text(QStringLiteral("study.md"), study::reportMarkdown(r));
  text(QStringLiteral("study.tex"), study::reportLatex(r));
  text(QStringLiteral("study.csv"), study::reportCsv(r));
  text(QStringLiteral("study.json"), study::reportJson(r) + "\n");

  const auto intervalCsv = [](const IntervalBars& bars) {
    QString csv = QStringLiteral("category");
    for (const plot::IntervalSeries& s : bars.series)
      csv += QStringLiteral(",%1,%1 lo,%1 hi").arg(s.name);
    csv += '\n';
    for (int i = 0; i < bars.categories.size(); ++i) {
      QString row = bars.categories[i];
      if (row.contains(',')) row = '"' + row + '"';
      for (const plot::IntervalSeries& s : bars.series)
        row += ',' + csvNumber(s.value[i]) + ',' + csvNumber(s.lo[i]) + ',' + csvNumber(s.hi[i]);
      csv += row + '\n';
    }
    return csv.toUtf8();
  };
  const auto intervalJson = [](const IntervalBars& bars) {
    QJsonArray rows;
    for (int i = 0; i < bars.categories.size(); ++i) {
      QJsonObject row{{"category", bars.categories[i]}};
      for (const plot::IntervalSeries& s : bars.series) {
        row[s.name] =
            QJsonObject{{"mean", number(s.value[i])},
                        {"ci", std::isfinite(s.lo[i]) ? QJsonValue(QJsonArray{s.lo[i], s.hi[i]})
                                                      : QJsonValue()}};
      }
      rows.append(row);
    }
    return QJsonDocument(QJsonObject{{"value", bars.value_label}, {"rows", rows}}).toJson();
  };
  const auto image = [&](QCustomPlot& plot, const QString& name, const QString& title) {
    plot.plotLayout()->insertRow(0);
    plot.plotLayout()->addElement(0, 0,
                                  new QCPTextElement(&plot, title, QFont("sans", 11, QFont::Bold)));
    files << plot::exportImages(plot, out + "/" + name, options.width, options.height,
                                options.scale);
  };
  const QString title = QObject::tr("%1 %2 → %3, scale %4")
                            .arg(QString::fromStdString(r.design), QString::fromStdString(r.a),
                                 QString::fromStdString(r.b), QString::fromStdString(r.scale));
  if (r.design == "path") {
    const QVector<plot::WaterfallBar> bars = studyWaterfall(r);
    plot::WaterfallChart waterfall;
    waterfall.setBars(bars, studyGapLabel());
    image(waterfall, QStringLiteral("waterfall"), QObject::tr("Gap from A to B: ") + title);
    QString csv = QStringLiteral("bar,from,to,lo,hi,total,contains_zero\n");
    QJsonArray rows;
    for (const plot::WaterfallBar& b : bars) {
      csv += QStringLiteral("%1,%2,%3,%4,%5,%6,%7\n")
                 .arg(b.label, csvNumber(b.from), csvNumber(b.to), csvNumber(orNaN(b.lo)),
                      csvNumber(orNaN(b.hi)), b.total ? "true" : "false",
                      b.uncertain ? "true" : "false");
      rows.append(QJsonObject{{"bar", b.label},
                              {"from", number(b.from)},
                              {"to", number(b.to)},
                              {"lo", number(orNaN(b.lo))},
                              {"hi", number(orNaN(b.hi))},
                              {"total", b.total},
                              {"contains_zero", b.uncertain}});
    }
    plot::writeTextFile(out + "/waterfall.csv", csv.toUtf8());
    plot::writeTextFile(out + "/waterfall.json", QJsonDocument(rows).toJson());
    files << out + "/waterfall.csv" << out + "/waterfall.json";
    const IntervalBars arch = studyArchChanges(r);
    plot::IntervalBarChart chart;
    chart.setData(arch.categories, arch.series, arch.value_label);
    image(chart, QStringLiteral("arch_changes"),
          QObject::tr("Each architecture's own change: ") + title);
    plot::writeTextFile(out + "/arch_changes.csv", intervalCsv(arch));
    plot::writeTextFile(out + "/arch_changes.json", intervalJson(arch));
    files << out + "/arch_changes.csv" << out + "/arch_changes.json";
  } else {
    const IntervalBars effects = studyEffects(r);
    plot::IntervalBarChart chart;
    chart.setData(effects.categories, effects.series, effects.value_label);
    image(chart, QStringLiteral("effects"), QObject::tr("Effects: ") + title);
    plot::writeTextFile(out + "/effects.csv", intervalCsv(effects));
    plot::writeTextFile(out + "/effects.json", intervalJson(effects));
    files << out + "/effects.csv" << out + "/effects.json";
  }
  const ParallelData p = studyParallel(s, r);
  plot::ParallelCoordinatesChart parallel;
  parallel.setData(p.axes, p.categorical, p.lines);
  image(parallel, QStringLiteral("parallel"), QObject::tr("Runs by switch: ") + title);
  QString csv = QStringLiteral("line");
  for (const QString& a : p.axes) csv += ',' + a;
  csv += QStringLiteral(",grassmann_run,transformer_run\n");
  QJsonArray rows;
  for (int i = 0; i < p.lines.size(); ++i) {
    csv += p.lines[i].id;
    QJsonObject row{{"line", p.lines[i].id}};
    for (int a = 0; a < p.axes.size(); ++a) {
      csv += ',' + csvNumber(p.lines[i].values[a]);
      row[p.axes[a]] = number(p.lines[i].values[a]);
    }
    csv += ',' + p.run_dirs[i][0] + ',' + p.run_dirs[i][1] + '\n';
    row["runs"] = QJsonArray::fromStringList(p.run_dirs[i]);
    rows.append(row);
  }
  plot::writeTextFile(out + "/parallel.csv", csv.toUtf8());
  plot::writeTextFile(out + "/parallel.json", QJsonDocument(rows).toJson());
  files << out + "/parallel.csv" << out + "/parallel.json";
  return files;
}

}  // namespace gwb::ui
