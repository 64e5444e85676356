// Writing a chart as images: PNG (scale 1 to 3) and vector PDF, with antialiasing on for the
// export and back off for live drawing, at an explicit size (STYLE.md), offscreen-safe. The
// plotted data (CSV, JSON) is written by the caller, who knows its columns. Qt only.
#pragma once

#include <QString>
#include <QStringList>

class QCustomPlot;

namespace gwb::plot {

/// Writes `base`.png and `base`.pdf; returns the paths written. The PDF's document title is the
/// chart's title element (the file's name if it has none), its creator the workbench. Throws
/// std::runtime_error on failure.
QStringList exportImages(QCustomPlot& plot, const QString& base, int width, int height,
                         double scale);
/// Writes `text` to `path` atomically (QSaveFile). Throws std::runtime_error on failure.
void writeTextFile(const QString& path, const QByteArray& text);

}  // namespace gwb::plot
