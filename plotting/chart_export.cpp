// Chart export.
#include "plotting/chart_export.h"

#include <qcustomplot.h>
#include <QFileInfo>
#include <QSaveFile>
#include <stdexcept>

#include "plotting/plot_style.h"

namespace gwb::plot {
namespace {

// The text of the chart's first title element, or the name of the file.
QString chartTitle(QCustomPlot& plot, const QString& base) {
  QCPLayoutGrid* layout = plot.plotLayout();
  for (int i = 0; i < layout->elementCount(); ++i) {
    if (auto* text = qobject_cast<QCPTextElement*>(layout->elementAt(i))) {
      if (!text->text().isEmpty()) return text->text().simplified();
    }
  }
  return QFileInfo(base).fileName();
}

}  // namespace

QStringList exportImages(QCustomPlot& plot, const QString& base, int width, int height,
                         double scale) {
  scale = std::clamp(scale, 1.0, 3.0);
  applyExportStyle(plot);
  const QString png = base + QStringLiteral(".png"), pdf = base + QStringLiteral(".pdf");
  const bool ok_png = plot.savePng(png, width, height, scale);
  const bool ok_pdf = plot.savePdf(pdf, width, height, QCP::epNoCosmetic,
                                   QStringLiteral("Grassmann Workbench"), chartTitle(plot, base));
  applyLiveStyle(plot);
  if (!ok_png || !ok_pdf)
    throw std::runtime_error(("could not write " + (ok_png ? pdf : png)).toStdString());
  return {png, pdf};
}

void writeTextFile(const QString& path, const QByteArray& text) {
  QSaveFile file(path);
  if (!file.open(QIODevice::WriteOnly) || file.write(text) != text.size() || !file.commit()) {
    throw std::runtime_error(("could not write " + path + ": " + file.errorString()).toStdString());
  }
}

}  // namespace gwb::plot
