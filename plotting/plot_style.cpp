// Palette and QCustomPlot settings.
#include "plotting/plot_style.h"

#include <qcustomplot.h>

#include <cmath>
#include <vector>

namespace gwb::plot {

QCPItemText* addEmptyText(QCustomPlot& plot) {
  auto* text = new QCPItemText(&plot);
  text->position->setType(QCPItemPosition::ptAxisRectRatio);
  text->position->setCoords(0.5, 0.5);
  text->setPositionAlignment(Qt::AlignCenter);
  text->setColor(QColor(110, 110, 110));
  text->setFont(QFont(plot.font().family(), 9));
  text->setText(QObject::tr("no data yet"));
  return text;
}

void applyLiveStyle(QCustomPlot& plot) {
  plot.setNotAntialiasedElements(QCP::aeAll);
  plot.setPlottingHint(QCP::phFastPolylines, true);
  plot.setPlottingHint(QCP::phImmediateRefresh, false);
}

void applyExportStyle(QCustomPlot& plot) {
  plot.setAntialiasedElements(QCP::aeAll);
  plot.setNotAntialiasedElements(QCP::aeNone);
}

QVector<double> NiceLogTicker::createTickVector(double tick_step, const QCPRange& range) {
  QVector<double> ticks;
  if (range.lower <= 0 || range.upper <= range.lower)
    return QCPAxisTicker::createTickVector(tick_step, range);
  const int k0 = static_cast<int>(std::floor(std::log10(range.lower)));
  const int k1 = static_cast<int>(std::ceil(std::log10(range.upper)));
  for (const auto& mantissas :
       {std::vector<double>{1, 2, 5}, std::vector<double>{1, 2, 3, 4, 5, 6, 7, 8, 9}}) {
    ticks.clear();
    for (int k = k0; k <= k1; ++k) {
      for (double m : mantissas) {
        const double v = m * std::pow(10.0, k);
        if (v >= range.lower && v <= range.upper) ticks << v;
      }
    }
    if (ticks.size() >= 3) return ticks;
  }
  return QCPAxisTicker::createTickVector(tick_step, range);  // a narrow range: linear steps
}

QVector<double> NiceLogTicker::createSubTickVector(int, const QVector<double>&) { return {}; }

QString NiceLogTicker::getTickLabel(double tick, const QLocale& locale, QChar, int) {
  return locale.toString(tick, 'g', 6);
}

void setLogAxis(QCPAxis* axis, bool log) {
  axis->setScaleType(log ? QCPAxis::stLogarithmic : QCPAxis::stLinear);
  axis->setTicker(log ? QSharedPointer<QCPAxisTicker>(new NiceLogTicker)
                      : QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
}

QColor paletteColor(int index) {
  // Chosen by maximising the smallest CIEDE2000 difference over every pair (22 here; Tableau 10
  // had pairs at 13 to 17: its blue and grey, orange and gold), among colours dark enough for a
  // 1-px line on white, then ordered so that each next colour is the farthest from those before.
  static const QRgb palette[kPaletteSize] = {0x4e79a7, 0xf28e2b, 0xe15759, 0x33bb44,
                                             0x992299, 0x666644, 0xee77ee, 0x00aaaa,
                                             0x994400, 0xaa9900, 0x006666, 0x887788};
  const int i = ((index % kPaletteSize) + kPaletteSize) % kPaletteSize;
  return QColor(palette[i]);
}

int runPaletteIndex(const QString& run_id) {
  // FNV-1a over the UTF-8 id: stable across processes and platforms, unlike qHash's seed.
  quint32 hash = 2166136261u;
  for (const char byte : run_id.toUtf8()) {
    hash ^= static_cast<quint8>(byte);
    hash *= 16777619u;
  }
  return static_cast<int>(hash % kPaletteSize);
}

QColor runColor(const QString& run_id) { return paletteColor(runPaletteIndex(run_id)); }

QColor runColor(const QString& run_id, const QList<QColor>& taken) {
  const int first = runPaletteIndex(run_id);
  for (int k = 0; k < kPaletteSize; ++k) {
    const QColor c = paletteColor(first + k);
    if (!taken.contains(c)) return c;
  }
  return paletteColor(first);  // more runs than colours: the id's own
}

QCPRange paddedRange(double lo, double hi) {
  if (!(hi > lo)) {
    const double d = std::max(1.0, std::abs(lo) / 10);
    return QCPRange(lo - d, lo + d);
  }
  const double pad = 0.02 * (hi - lo);
  return QCPRange(lo - pad, hi + pad);
}

}  // namespace gwb::plot
