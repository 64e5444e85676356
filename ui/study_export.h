// A study's charts as data (the Study page draws them, the export writes them with the same
// numbers) and the export of a study folder: waterfall (path) or effects (factorial), each
// architecture's own change, parallel coordinates, as PNG and PDF with their data as CSV and JSON,
// and the tables as Markdown, LaTeX and JSON (`grassmann-workbench --export STUDY_DIR --out DIR`).
// GUI thread (it draws offscreen); the report comes from engine/study.
#pragma once

#include <QStringList>
#include <QVector>

#include "engine/study/study_report.h"
#include "plotting/study_charts.h"
#include "ui/run_export.h"

namespace gwb::ui {

/// The waterfall of a path: A's measured gap, each group's averaged contribution in the first
/// order (with its interval), then B's measured gap; percent. Empty without A's cell.
QVector<plot::WaterfallBar> studyWaterfall(const study::StudyReport& report);
/// The waterfall's value axis, short enough for the window's chart.
QString studyGapLabel();

struct IntervalBars {
  QStringList categories;
  QVector<plot::IntervalSeries> series;
  QString value_label;
};
/// Path: per group, the change of each architecture's loss (nats), with intervals.
IntervalBars studyArchChanges(const study::StudyReport& report);
/// Factorial: per effect, the estimate on Delta and on each architecture's loss.
IntervalBars studyEffects(const study::StudyReport& report);

struct ParallelData {
  QStringList axes;
  QVector<bool> categorical;
  QVector<plot::ParallelLine> lines;
  QVector<QStringList> run_dirs;  ///< per line: the Grassmann and Transformer runs
};
/// One line per cell and seed with both runs finished: the factors' levels, then the gap %.
ParallelData studyParallel(const study::Study& study, const study::StudyReport& report);

/// Writes a study folder's charts and tables into `out` (created); returns the paths written.
/// InputError for a folder that is not a study.
QStringList exportStudyDirectory(const QString& study_dir, const QString& out,
                                 const ExportOptions& options);

}  // namespace gwb::ui
