// Exports of runs (CONTRACTS.md): which charts a run has and where each goes; the comparison and
// the headless `--export` of run directories. The charts themselves: export_run_charts.cpp,
// export_probe_charts.cpp, export_comparison.cpp.
#include "ui/run_export.h"

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

QStringList exportRunFiles(const StoredRun& run, const QString& dir, const ExportOptions& options) {
  QDir().mkpath(dir);
  QStringList written;
  for (const QString& name : runChartNames(run)) {
    if (!options.charts.isEmpty() && !options.charts.contains(name)) continue;
    if (name == "loss") written << exports::exportLoss(run, dir, options);
    if (name == "ppl") written << exports::exportPpl(run, dir, options);
    if (name == "loss_by_position") written << exports::exportPositions(run, dir, options);
    if (name == "accuracy") written << exports::exportAccuracy(run, dir, options);
    if (name == "confusion") written << exports::exportConfusion(run, dir, options);
    if (name == "alpha") written << exports::exportAlpha(run, dir, options);
    if (name == "plucker") written << exports::exportPlucker(run, dir, options);
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
