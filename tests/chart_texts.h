// What a viewer reads on a QCustomPlot chart, for the widget tests: the visible text items and
// the text elements of its layout (titles, notes). Header-only; the tests that use it link
// QCustomPlot through the plotting library.
#pragma once

#include <qcustomplot.h>
#include <QStringList>

namespace gwb::test {

inline QStringList shownTexts(QCustomPlot& plot) {
  QStringList out;
  for (int i = 0; i < plot.itemCount(); ++i) {
    if (auto* text = qobject_cast<QCPItemText*>(plot.item(i)); text && text->visible())
      out << text->text();
  }
  for (QCPLayoutElement* e : plot.plotLayout()->elements(true)) {
    if (auto* text = qobject_cast<QCPTextElement*>(e); text && text->visible()) out << text->text();
  }
  return out;
}

}  // namespace gwb::test
