// What the monitor derives from stored runs besides the raw curves (spike markers, seed bands),
// and the data files written beside exported charts. GUI-side helpers, no widgets.
#pragma once

#include <QByteArray>
#include <QList>
#include <QVector>
#include <vector>

#include "ui/metrics_store.h"

namespace gwb::plot {
class TimeSeriesChart;
}

namespace gwb::ui {

/// Where the trainer's spike detector fired (its "... spike at step N ..." log events).
struct SpikeMark {
  double step = 0, tokens = 0, time = 0;
};
std::vector<SpikeMark> spikeMarks(const StoredRun& run);

/// Mean and sample standard deviation across runs (seeds) at the steps all of them have.
struct SeedBand {
  enum Kind { TrainLoss, ValidPpl };
  QVector<double> steps, tokens, times;  // times: mean over the runs
  QVector<double> mean, std;
};
SeedBand seedBand(const QList<const StoredRun*>& runs, SeedBand::Kind kind);

/// A time-series chart's data: CSV `series,label,x,y,smoothed` and the same as JSON.
QByteArray seriesCsv(const plot::TimeSeriesChart& chart);
QByteArray seriesJson(const plot::TimeSeriesChart& chart);

}  // namespace gwb::ui
