// Palette and QCustomPlot settings.
#include "plotting/plot_style.h"

#include <qcustomplot.h>

namespace gwb::plot {

void applyLiveStyle(QCustomPlot& plot) {
  plot.setNotAntialiasedElements(QCP::aeAll);
  plot.setPlottingHint(QCP::phFastPolylines, true);
  plot.setPlottingHint(QCP::phImmediateRefresh, false);
}

void applyExportStyle(QCustomPlot& plot) {
  plot.setAntialiasedElements(QCP::aeAll);
  plot.setNotAntialiasedElements(QCP::aeNone);
}

QColor paletteColor(int index) {
  // Tableau 10 with its three pale colours (yellow, pink, grey) darkened: every run must stand
  // out against a white chart.
  static const QRgb tableau10[kPaletteSize] = {0x4e79a7, 0xf28e2b, 0xe15759, 0x3f9c96, 0x59a14f,
                                               0xc49a00, 0xb07aa1, 0xd3479a, 0x9c755f, 0x5a6470};
  const int i = ((index % kPaletteSize) + kPaletteSize) % kPaletteSize;
  return QColor(tableau10[i]);
}

QColor runColor(const QString& run_id) {
  // FNV-1a over the UTF-8 id: stable across processes and platforms, unlike qHash's seed.
  quint32 hash = 2166136261u;
  for (const char byte : run_id.toUtf8()) {
    hash ^= static_cast<quint8>(byte);
    hash *= 16777619u;
  }
  return paletteColor(static_cast<int>(hash % kPaletteSize));
}

}  // namespace gwb::plot
