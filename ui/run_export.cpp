// Exports of runs (CONTRACTS.md): which charts a run has and where each goes; the comparison and
// the headless `--export` of run directories. The charts themselves: export_run_charts.cpp,
// export_probe_charts.cpp, export_comparison.cpp.
#include "ui/run_export.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <set>

#include "engine/util/error.h"
#include "ui/export_common.h"

namespace gwb::ui {

QStringList runChartNames(const StoredRun& run) {
  QStringList names{QStringLiteral("loss")};
  if (run.config.data.isSnli()) {
    names << QStringLiteral("accuracy") << QStringLiteral("confusion");
  } else {
    names << QStringLiteral("ppl") << QStringLiteral("loss_by_position");
  }
  if (run.arch == "grassmann") names << QStringLiteral("alpha") << QStringLiteral("plucker");
  return names;
}

QStringList moreChartNames(const StoredRun& run) {
  QStringList names{QStringLiteral("throughput"), QStringLiteral("lr"),
                    QStringLiteral("grad_norm")};
  if (!run.events.alphas.empty())
    names << QStringLiteral("alpha_mean") << QStringLiteral("alpha_map");
  if (!run.events.pluckers.empty()) {
    names << QStringLiteral("degenerate") << QStringLiteral("plucker_norm")
          << QStringLiteral("plucker_angle");
  }
  return names;
}

const std::vector<ChartKind>& chartKinds() {
  static const std::vector<ChartKind> kinds = {
      {"loss", QT_TRANSLATE_NOOP("ExportDialog", "train loss")},
      {"ppl", QT_TRANSLATE_NOOP("ExportDialog", "validation perplexity")},
      {"loss_by_position", QT_TRANSLATE_NOOP("ExportDialog", "loss by position")},
      {"accuracy", QT_TRANSLATE_NOOP("ExportDialog", "SNLI accuracy")},
      {"confusion", QT_TRANSLATE_NOOP("ExportDialog", "SNLI confusion matrix")},
      {"alpha", QT_TRANSLATE_NOOP("ExportDialog", "gate α histograms")},
      {"plucker", QT_TRANSLATE_NOOP("ExportDialog", "Plücker effective rank")},
      // The rest of what the monitor shows (not in the headless --export unless asked for).
      {"throughput", QT_TRANSLATE_NOOP("ExportDialog", "throughput")},
      {"lr", QT_TRANSLATE_NOOP("ExportDialog", "learning rate")},
      {"grad_norm", QT_TRANSLATE_NOOP("ExportDialog", "gradient norm")},
      {"alpha_mean", QT_TRANSLATE_NOOP("ExportDialog", "mean gate α per layer")},
      {"alpha_map",
       QT_TRANSLATE_NOOP("ExportDialog", "gate α over training, one per layer: _l<L>")},
      {"degenerate", QT_TRANSLATE_NOOP("ExportDialog", "Plücker degenerate share")},
      {"plucker_norm",
       QT_TRANSLATE_NOOP("ExportDialog",
                         "|p| over training, one per layer and offset: _l<L>_d<δ>")},
      {"plucker_angle",
       QT_TRANSLATE_NOOP("ExportDialog",
                         "angle over training, one per layer and offset: _l<L>_d<δ>")},
  };
  return kinds;
}

QStringList allChartNames() {
  QStringList names;
  for (const ChartKind& k : chartKinds()) names << QString::fromLatin1(k.name);
  return names;
}

QStringList exportRunFiles(const StoredRun& run, const QString& dir, const ExportOptions& options) {
  QDir().mkpath(dir);
  QStringList written;
  QStringList names = runChartNames(run);
  if (!options.charts.isEmpty()) names << moreChartNames(run);
  for (const QString& name : names) {
    if (!options.charts.isEmpty() && !options.charts.contains(name)) continue;
    if (name == "loss") written << exports::exportLoss(run, dir, options);
    if (name == "ppl") written << exports::exportPpl(run, dir, options);
    if (name == "loss_by_position") written << exports::exportPositions(run, dir, options);
    if (name == "accuracy") written << exports::exportAccuracy(run, dir, options);
    if (name == "confusion") written << exports::exportConfusion(run, dir, options);
    if (name == "alpha") written << exports::exportAlpha(run, dir, options);
    if (name == "plucker") written << exports::exportPlucker(run, dir, options);
    if (name == "throughput") written << exports::exportThroughput(run, dir, options);
    if (name == "lr") written << exports::exportLr(run, dir, options);
    if (name == "grad_norm") written << exports::exportGradNorm(run, dir, options);
    if (name == "alpha_mean") written << exports::exportAlphaMean(run, dir, options);
    if (name == "alpha_map") written << exports::exportAlphaMaps(run, dir, options);
    if (name == "degenerate") written << exports::exportDegenerate(run, dir, options);
    if (name == "plucker_norm") written << exports::exportPluckerMaps(run, dir, options, true);
    if (name == "plucker_angle") written << exports::exportPluckerMaps(run, dir, options, false);
  }
  return written;
}

QStringList exportRuns(const QList<const StoredRun*>& runs, const QString& out,
                       const ExportOptions& options, bool comparison) {
  QStringList written;
  std::set<QString> names;
  for (const StoredRun* run : runs) {
    QString name = run->name;
    for (int n = 2; names.count(name); ++n) name = run->name + QStringLiteral("-%1").arg(n);
    names.insert(name);
    written << exportRunFiles(*run, out + QStringLiteral("/") + name, options);
  }
  if (comparison) written << exportComparisonFiles(runs, out, options);
  return written;
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
  QList<const StoredRun*> runs;
  for (const QString& key : keys) runs << store.run(key);
  return exportRuns(runs, out, options);
}

}  // namespace gwb::ui
