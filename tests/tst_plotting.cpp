// The plotting library: stable run colours (checked against FNV-1a computed independently) and
// the grouped bar chart's data, ranges and log-scale handling. Offscreen.
#include <QtTest>
#include <cmath>

#include "plotting/bar_chart.h"
#include "plotting/plot_style.h"

using namespace gwb::plot;

class TestPlotting : public QObject {
  Q_OBJECT

 private slots:
  void runColourIsAFunctionOfTheIdOnly() {
    // Indices from FNV-1a (32-bit) of the UTF-8 id modulo 10, computed in Python.
    QCOMPARE(runColor("20261127-101500-grassmann-n6"), paletteColor(4));
    QCOMPARE(runColor("run-a"), paletteColor(8));
    QCOMPARE(runColor(""), paletteColor(1));
    QCOMPARE(paletteColor(0), QColor("#4e79a7"));
    QCOMPARE(paletteColor(-1), paletteColor(kPaletteSize - 1));
    QCOMPARE(paletteColor(kPaletteSize + 2), paletteColor(2));
  }

  void barChartGroupsSeriesPerCategory() {
    BarChart chart;
    chart.resize(600, 400);
    chart.setCategories({"train", "valid", "test"});
    chart.addSeries("gpt2", {2448382, 258659, 295877}, paletteColor(0));
    chart.addSeries("bert", {2392643, NAN, 299309}, paletteColor(1));
    QCOMPARE(chart.seriesCount(), 2);
    QCOMPARE(chart.plottableCount(), 2);
    auto* bert = qobject_cast<QCPBars*>(chart.plottable(1));
    QVERIFY(bert);
    QCOMPARE(bert->data()->size(), 2);  // the NaN leaves a gap
    QCOMPARE(bert->data()->at(1)->key, 3.0);
    QVERIFY(chart.yAxis->range().upper >= 2448382);
    QCOMPARE(chart.yAxis->range().lower, 0.0);
    QCOMPARE(chart.xAxis->range().lower, 0.4);
    QCOMPARE(chart.xAxis->range().upper, 3.6);
    chart.setCategories({"a"});
    QCOMPARE(chart.seriesCount(), 0);
    QCOMPARE(chart.plottableCount(), 0);
  }

  void logScaleDropsNonPositiveBars() {
    BarChart chart;
    chart.setCategories({"a", "b", "c"});
    chart.setLogScale(true);
    chart.addSeries("s", {10, 0, 1000}, paletteColor(0));
    auto* bars = qobject_cast<QCPBars*>(chart.plottable(0));
    QCOMPARE(bars->data()->size(), 2);
    QCOMPARE(chart.yAxis->scaleType(), QCPAxis::stLogarithmic);
    QCOMPARE(chart.yAxis->range().lower, 5.0);
    QCOMPARE(chart.yAxis->range().upper, 2000.0);
  }

  void exportsToPngAndPdfOffscreen() {
    BarChart chart;
    chart.setCategories({"x", "y"});
    chart.addSeries("s", {1, 2}, paletteColor(3));
    const QString png = QDir::temp().filePath("gwb-bar-chart-test.png");
    const QString pdf = QDir::temp().filePath("gwb-bar-chart-test.pdf");
    QVERIFY(chart.savePng(png, 400, 300, 2.0));
    QVERIFY(chart.savePdf(pdf, 400, 300, QCP::epNoCosmetic));
    QCOMPARE(QImage(png).size(), QSize(800, 600));
    QFile file(pdf);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QVERIFY(file.read(5) == "%PDF-");
    QFile::remove(png);
    QFile::remove(pdf);
  }
};

QTEST_MAIN(TestPlotting)
#include "tst_plotting.moc"
