// Shared look of every chart: the QCustomPlot settings measured in STYLE.md (1-px pens and the
// fast-polyline hint while live, antialiasing only for export) and stable run colours, so that a
// run has one colour in every chart and export. No LibTorch here.
#pragma once

#include <QColor>
#include <QString>

#include <qcustomplot.h>

namespace gwb::plot {

/// For charts that redraw while data arrives: no antialiasing, fast polylines, queued replots.
void applyLiveStyle(QCustomPlot& plot);
/// For exported images: antialiasing on everything.
void applyExportStyle(QCustomPlot& plot);

/// Ticks for log axes at 1, 2 and 5 x 10^k (or every integer multiple, or linear steps, when the
/// range is too narrow for those): QCPAxisTickerLog labels decades only, so a perplexity axis
/// from 200 to 7000 showed a single "1000".
class NiceLogTicker : public QCPAxisTicker {
 protected:
  QVector<double> createTickVector(double tick_step, const QCPRange& range) override;
  QVector<double> createSubTickVector(int sub_tick_count, const QVector<double>& ticks) override;
  QString getTickLabel(double tick, const QLocale& locale, QChar format_char,
                       int precision) override;
};
/// Puts `axis` on a log scale with NiceLogTicker, or back on a linear one.
void setLogAxis(QCPAxis* axis, bool log);

/// Number of colours in the run palette (Tableau 10 as TensorBoard and W&B use, pale ones
/// darkened).
constexpr int kPaletteSize = 10;
/// Colour number `index` of the palette (wraps around).
QColor paletteColor(int index);
/// The colour of a run: a function of its id only, so it is the same in every view and export.
QColor runColor(const QString& run_id);

}  // namespace gwb::plot
