// Shared look of every chart: the QCustomPlot settings measured in STYLE.md (1-px pens and the
// fast-polyline hint while live, antialiasing only for export) and stable run colours, so that a
// run has one colour in every chart and export. No LibTorch here.
#pragma once

#include <QColor>
#include <QList>
#include <QString>

#include <qcustomplot.h>

namespace gwb::plot {

/// For charts that redraw while data arrives: no antialiasing, fast polylines, queued replots.
void applyLiveStyle(QCustomPlot& plot);
/// For exported images: antialiasing on everything.
void applyExportStyle(QCustomPlot& plot);

/// The grey line centred in the axis rect that says why a chart is empty ("no data yet" until
/// the chart sets another text or hides it).
QCPItemText* addEmptyText(QCustomPlot& plot);

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

/// Number of colours in the run palette: twelve that stay apart (CIEDE2000 above 20 for every
/// pair, above 30 from the white background), Tableau's blue, orange and red first.
constexpr int kPaletteSize = 12;
/// Colour number `index` of the palette (wraps around). The first colours are the farthest apart,
/// so a few series (offsets, layers) get the most distinct ones.
QColor paletteColor(int index);
/// The palette index a run id prefers (FNV-1a of the id, modulo kPaletteSize).
int runPaletteIndex(const QString& run_id);
/// The colour a run id prefers: a function of the id only.
QColor runColor(const QString& run_id);
/// The colour of a run beside runs that hold `taken`: the id's own unless taken, else the next
/// free one of the palette after it (so up to kPaletteSize runs open together never share one);
/// with every colour taken, the id's own.
QColor runColor(const QString& run_id, const QList<QColor>& taken);

/// The x range that shows [lo, hi] with room for the markers at both ends (2 % of the span each
/// side); a single x gets [x - d, x + d] with d = max(1, |x| / 10), so it sits in the middle.
QCPRange paddedRange(double lo, double hi);

}  // namespace gwb::plot
