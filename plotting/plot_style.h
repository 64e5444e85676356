// Shared look of every chart: the QCustomPlot settings measured in STYLE.md (1-px pens and the
// fast-polyline hint while live, antialiasing only for export) and stable run colours, so that a
// run has one colour in every chart and export. No LibTorch here.
#pragma once

#include <QColor>
#include <QString>

class QCustomPlot;

namespace gwb::plot {

/// For charts that redraw while data arrives: no antialiasing, fast polylines, queued replots.
void applyLiveStyle(QCustomPlot& plot);
/// For exported images: antialiasing on everything.
void applyExportStyle(QCustomPlot& plot);

/// Number of colours in the run palette (Tableau 10 as TensorBoard and W&B use, pale ones
/// darkened).
constexpr int kPaletteSize = 10;
/// Colour number `index` of the palette (wraps around).
QColor paletteColor(int index);
/// The colour of a run: a function of its id only, so it is the same in every view and export.
QColor runColor(const QString& run_id);

}  // namespace gwb::plot
