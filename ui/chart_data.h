// What the monitor derives from stored runs besides the raw curves (spike markers, seed bands, the
// note of a chart without a matching reported number), and the data files written beside
// exported charts. GUI-side helpers, no widgets.
#pragma once

#include <QByteArray>
#include <QList>
#include <QMap>
#include <QVector>
#include <vector>

#include "engine/report/report.h"
#include "engine/report/snli_report.h"
#include "engine/runs/reported.h"
#include "ui/metrics_store.h"

namespace gwb::plot {
class TimeSeriesChart;
}

namespace gwb::ui {

/// Where the trainer's spike detector fired (its spike events; older runs' spike sentences are
/// read as such by the run store).
struct SpikeMark {
  double step = 0, tokens = 0, time = 0;
};
/// Each run's name for a legend by key, with what tells it from a run of the same name among
/// `runs` ("reference-grassmann-n6-l128 (seed=1235)"), or its folder where the configurations
/// are the same.
QMap<QString, QString> legendNames(const QList<const StoredRun*>& runs);

std::vector<SpikeMark> spikeMarks(const StoredRun& run);

/// Mean and sample standard deviation across runs (seeds) at the steps all of them have.
struct SeedBand {
  enum Kind { TrainLoss, ValidPpl };
  QVector<double> steps, tokens, times;  // times: mean over the runs
  QVector<double> mean, std;
};
SeedBand seedBand(const QList<const StoredRun*>& runs, SeedBand::Kind kind);

/// The line under a perplexity chart when none of `configs` (Wikitext-2 runs) has a reported
/// number: "no reported number for this configuration (N2 L64 gpt2); reported: N6 L128 bert,
/// ...". Empty when every configuration has one (or there are none).
QString reportedPplNote(const QList<RunConfig>& configs,
                        const std::vector<ReportedNumber>& numbers);
/// The same for SNLI runs: the reported rows are for heads on a frozen DistilBERT, so a run from
/// scratch has none.
QString reportedSnliNote(const QList<RunConfig>& configs, const std::vector<ReportedSnli>& numbers);

/// A time-series chart's data: CSV `series,label,x,y,smoothed` and the same as JSON. `smoothed`
/// is what the chart draws as its smoothed line (the value itself for evaluations).
QByteArray seriesCsv(const plot::TimeSeriesChart& chart);
QByteArray seriesJson(const plot::TimeSeriesChart& chart);

}  // namespace gwb::ui
