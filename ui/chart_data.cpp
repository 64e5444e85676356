// Spike marks, seed bands and series data files.
#include "ui/chart_data.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <cmath>
#include <map>

#include "engine/runs/run_reader.h"
#include "plotting/time_series_chart.h"

namespace gwb::ui {
namespace {

QString csvField(QString s) {
  if (!s.contains(',') && !s.contains('"')) return s;
  return '"' + s.replace('"', QStringLiteral("\"\"")) + '"';
}

QString num(double v) { return std::isfinite(v) ? QString::number(v, 'g', 10) : QString(); }

QString shortConfig(std::int64_t n_layers, std::int64_t seq_len, const std::string& tokenizer) {
  return QStringLiteral("N%1 L%2 %3")
      .arg(n_layers)
      .arg(seq_len)
      .arg(QString::fromStdString(tokenizer));
}

QString backboneName(const std::string& backbone) {
  return backbone == "distilbert" ? QStringLiteral("DistilBERT") : QString::fromStdString(backbone);
}

// "this configuration (a)" or "these configurations (a, b)".
QString missing(const QStringList& configs) {
  return configs.size() == 1
             ? QObject::tr("no reported number for this configuration (%1)").arg(configs.front())
             : QObject::tr("no reported number for these configurations (%1)")
                   .arg(configs.join(QStringLiteral(", ")));
}

}  // namespace

QString reportedPplNote(const QList<RunConfig>& configs,
                        const std::vector<ReportedNumber>& numbers) {
  QStringList without;
  for (const RunConfig& c : configs) {
    const bool any = !matchReported(numbers, c).empty();
    const QString label = shortConfig(c.model.n_layers, c.data.seq_len, c.data.tokenizer);
    if (!any && !without.contains(label)) without << label;
  }
  if (without.isEmpty()) return {};
  QStringList reported;
  for (const ReportedNumber& n : numbers) {
    const QString label = shortConfig(n.n_layers, n.seq_len, n.tokenizer) +
                          (n.metric == "test_ppl" ? QObject::tr(" (test)") : QString());
    if (!reported.contains(label)) reported << label;
  }
  return missing(without) + QStringLiteral("; ") +
         (reported.isEmpty()
              ? QObject::tr("none are installed")
              : QObject::tr("reported: %1").arg(reported.join(QStringLiteral(", "))));
}

QString reportedSnliNote(const QList<RunConfig>& configs,
                         const std::vector<ReportedSnli>& numbers) {
  QStringList without;
  for (const RunConfig& c : configs) {
    if (matchReportedSnli(numbers, c)) continue;
    const QString label =
        c.model.hasBackbone()
            ? QObject::tr("%1 heads on %2")
                  .arg(QString::fromStdString(c.model.head_variant), backboneName(c.model.backbone))
            : QObject::tr("trained from scratch");
    if (!without.contains(label)) without << label;
  }
  if (without.isEmpty()) return {};
  QStringList reported;
  for (const ReportedSnli& n : numbers) {
    const QString label = QObject::tr("%1 heads").arg(QString::fromStdString(n.head_variant));
    if (!reported.contains(label)) reported << label;
  }
  if (reported.isEmpty()) return missing(without) + QObject::tr("; none are installed");
  return missing(without) +
         QObject::tr("; reported: %1 on a frozen %2")
             .arg(reported.join(QObject::tr(" and ")), backboneName(numbers.front().backbone));
}

QMap<QString, QString> legendNames(const QList<const StoredRun*>& runs) {
  QMap<QString, QString> out;
  std::vector<const RunRecord*> records;
  QMap<QString, int> count;
  for (const StoredRun* r : runs) {
    out[r->key] = r->name;
    ++count[r->name];
    if (r->record.config) records.push_back(&r->record);
  }
  for (const auto& [dir, differs] : differsFromSameName(records)) {
    const QString key = QString::fromStdString(dir);
    if (out.contains(key) && !differs.empty())
      out[key] += QStringLiteral(" (") + QString::fromStdString(differs) + QStringLiteral(")");
  }
  for (const StoredRun* r : runs) {  // the same configuration twice: the folders tell them apart
    if (count[r->name] > 1 && out[r->key] == r->name)
      out[r->key] += QStringLiteral(" (") + QDir(r->key).absolutePath() + QStringLiteral(")");
  }
  return out;
}

std::vector<SpikeMark> spikeMarks(const StoredRun& run) {
  std::vector<SpikeMark> out;
  for (const SpikeEvent& spike : run.events.spikes) {
    SpikeMark mark;
    mark.step = static_cast<double>(spike.step);
    mark.tokens = static_cast<double>(spike.tokens);
    mark.time = spike.time;
    for (const StepEvent& s : run.events.steps) {  // where the curves put that step
      if (s.step >= spike.step) {
        mark.tokens = static_cast<double>(s.tokens);
        mark.time = s.time;
        break;
      }
    }
    out.push_back(mark);
  }
  return out;
}

SeedBand seedBand(const QList<const StoredRun*>& runs, SeedBand::Kind kind) {
  struct Point {
    std::vector<double> values, times;
    double tokens = 0;
  };
  std::map<std::int64_t, Point> points;
  for (const StoredRun* run : runs) {
    const auto add = [&](const EventBase& e, double v) {
      Point& p = points[e.step];
      p.values.push_back(v);
      p.times.push_back(e.time);
      p.tokens = static_cast<double>(e.tokens);
    };
    if (kind == SeedBand::TrainLoss) {
      for (const StepEvent& e : run->events.steps) add(e, e.loss);
    } else {
      for (const EvalEvent& e : run->events.evals) {
        if (e.split == "valid") add(e, e.ppl);
      }
    }
  }
  SeedBand band;
  for (const auto& [step, p] : points) {
    if (static_cast<int>(p.values.size()) != runs.size())
      continue;  // only steps every seed reached
    double mean = 0, time = 0;
    for (std::size_t i = 0; i < p.values.size(); ++i) {
      mean += p.values[i];
      time += p.times[i];
    }
    mean /= static_cast<double>(p.values.size());
    double sq = 0;
    for (double v : p.values) sq += (v - mean) * (v - mean);
    band.steps << static_cast<double>(step);
    band.tokens << p.tokens;
    band.times << time / static_cast<double>(p.values.size());
    band.mean << mean;
    band.std << (p.values.size() > 1 ? std::sqrt(sq / static_cast<double>(p.values.size() - 1))
                                     : 0.0);
  }
  return band;
}

QByteArray seriesCsv(const plot::TimeSeriesChart& chart) {
  QString out = QStringLiteral("series,label,x,y,smoothed\n");
  for (const auto& s : chart.seriesData()) {
    for (int i = 0; i < s.x.size(); ++i) {
      out += csvField(s.id) + ',' + csvField(s.label) + ',' + num(s.x[i]) + ',' + num(s.y[i]) +
             ',' + (i < s.smoothed.size() ? num(s.smoothed[i]) : QString()) + '\n';
    }
  }
  return out.toUtf8();
}

QByteArray seriesJson(const plot::TimeSeriesChart& chart) {
  QJsonArray series;
  for (const auto& s : chart.seriesData()) {
    QJsonArray x, y, smoothed;
    for (int i = 0; i < s.x.size(); ++i) {
      x.append(s.x[i]);
      y.append(std::isfinite(s.y[i]) ? QJsonValue(s.y[i]) : QJsonValue());
      if (i < s.smoothed.size()) smoothed.append(s.smoothed[i]);
    }
    series.append(
        QJsonObject{{"id", s.id}, {"label", s.label}, {"x", x}, {"y", y}, {"smoothed", smoothed}});
  }
  return QJsonDocument(QJsonObject{{"x_label", chart.xAxis->label()},
                                   {"y_label", chart.yAxis->label()},
                                   {"smoothing", chart.smooths() ? chart.smoothing() : 0.0},
                                   {"smoothing_of_log", chart.smooths() && chart.smoothLogValues()},
                                   {"series", series}})
      .toJson();
}

}  // namespace gwb::ui
