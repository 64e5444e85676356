// Exports of runs and comparisons (CONTRACTS.md): per run loss, ppl and loss_by_position (and
// alpha and plucker for Grassmann) as PNG + PDF + CSV + JSON; the comparison as a multi-panel
// figure (PNG, PDF) with its data (CSV, JSON) and as tables (Markdown, CSV, LaTeX). Used by the
// monitor's Export charts… (every chart of the runs ticked, or the charts ticked) and by
// `grassmann-workbench --export`, so both write the same names. The charts live in
// export_run_charts.cpp, export_probe_charts.cpp and export_comparison.cpp. GUI thread (charts are
// widgets).
#pragma once

#include <QList>
#include <QStringList>
#include <vector>

#include "engine/report/report.h"
#include "engine/report/snli_report.h"
#include "ui/metrics_store.h"

namespace gwb::ui {

struct ExportOptions {
  int width = 1200;
  int height = 800;
  double scale = 1;
  double ema_weight = 0.6;  ///< smoothing of loss_ema in loss.csv
  QStringList charts;       ///< the run charts to write (runChartNames' and moreChartNames' names);
                            ///< empty: runChartNames' (the contract's set)
};

/// The charts a run has, by their file names: loss, ppl, loss_by_position, or for SNLI runs
/// loss, accuracy, confusion; then alpha, plucker for Grassmann runs.
QStringList runChartNames(const StoredRun& run);

/// The rest of what the monitor shows, exported only when asked for by name (Export charts…
/// offers them): throughput, lr, grad_norm; for Grassmann runs alpha_mean, alpha_map (one file
/// set per layer, alpha_map_l<L>.*), degenerate, plucker_norm and plucker_angle (one per layer
/// and offset, plucker_norm_l<L>_d<δ>.*).
QStringList moreChartNames(const StoredRun& run);
/// Every chart an export can write, the contract's first, with what it shows (untranslated,
/// for tr() in the "ExportDialog" context).
struct ChartKind {
  const char* name;
  const char* what;
};
const std::vector<ChartKind>& chartKinds();
/// chartKinds()' names (what `--charts` accepts).
QStringList allChartNames();

/// `dir`/{loss,ppl,loss_by_position}.{png,pdf,csv,json}, or for SNLI runs
/// {loss,accuracy,confusion}.*, (+ alpha, plucker for Grassmann); only `options.charts` if set.
QStringList exportRunFiles(const StoredRun& run, const QString& dir, const ExportOptions& options);

/// Each run's charts into `out`/<run name>/ (a repeated name gets -2, -3, ...) and, with
/// `comparison`, the comparison files into `out`: what --export writes for these runs.
QStringList exportRuns(const QList<const StoredRun*>& runs, const QString& out,
                       const ExportOptions& options, bool comparison = true);

/// `dir`/comparison.{png,pdf,csv,json} and `dir`/comparison_table.{md,csv,tex} (the Wikitext-2
/// runs), and with SNLI runs among them snli_comparison.* and snli_comparison_table.*.
QStringList exportComparisonFiles(const QList<const StoredRun*>& runs, const QString& dir,
                                  const ExportOptions& options);
/// `dir`/snli_comparison.{png,pdf,csv,json} (test accuracy overall and per class, ours beside
/// the reported numbers) and `dir`/snli_comparison_table.{md,csv,tex}.
QStringList exportSnliComparison(const std::vector<SnliReportRow>& rows, const QString& dir,
                                 const ExportOptions& options);

/// Everything `--export RUN_DIR... --out DIR` writes. InputError on a bad run directory.
QStringList exportRunDirectories(const QStringList& run_dirs, const QString& out,
                                 const ExportOptions& options);

}  // namespace gwb::ui
