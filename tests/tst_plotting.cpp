// The plotting library: stable run colours (checked against FNV-1a computed independently) that
// stay apart (CIEDE2000), the grouped bar chart's data, ranges and log-scale handling, and the
// time-series chart's labels, x ranges, crosshair, empty state and smoothing; heat maps and the
// comparison figure. Offscreen.
#include <QtTest>
#include <cmath>

#include "chart_texts.h"
#include "plotting/bar_chart.h"
#include "plotting/comparison_figure.h"
#include "plotting/heatmap_chart.h"
#include "plotting/histogram_grid.h"
#include "plotting/plot_style.h"
#include "plotting/time_series_chart.h"

using namespace gwb::plot;
using gwb::test::shownTexts;

namespace {

// CIE L*a*b* (D65) of an sRGB colour.
std::array<double, 3> lab(const QColor& c) {
  const auto lin = [](double v) {
    return v <= 0.04045 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4);
  };
  const double r = lin(c.redF()), g = lin(c.greenF()), b = lin(c.blueF());
  const double x = (0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / 0.95047;
  const double y = 0.2126729 * r + 0.7151522 * g + 0.0721750 * b;
  const double z = (0.0193339 * r + 0.1191920 * g + 0.9503041 * b) / 1.08883;
  const auto f = [](double t) {
    return t > 216.0 / 24389 ? std::cbrt(t) : (24389.0 / 27 * t + 16) / 116;
  };
  return {116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))};
}

// CIEDE2000 colour difference (Sharma, Wu and Dalal 2005).
double deltaE2000(const std::array<double, 3>& p, const std::array<double, 3>& q) {
  constexpr double kPi = 3.14159265358979323846;
  const auto rad = [&](double d) { return d * kPi / 180; };
  const double c1 = std::hypot(p[1], p[2]), c2 = std::hypot(q[1], q[2]), cb = (c1 + c2) / 2;
  const double g = 0.5 * (1 - std::sqrt(std::pow(cb, 7) / (std::pow(cb, 7) + std::pow(25.0, 7))));
  const double a1 = (1 + g) * p[1], a2 = (1 + g) * q[1];
  const double c1p = std::hypot(a1, p[2]), c2p = std::hypot(a2, q[2]);
  const auto hue = [&](double b, double a) {
    const double h = std::atan2(b, a) * 180 / kPi;
    return a == 0 && b == 0 ? 0.0 : (h < 0 ? h + 360 : h);
  };
  const double h1 = hue(p[2], a1), h2 = hue(q[2], a2);
  double dh = 0;
  if (c1p * c2p != 0) {
    dh = h2 - h1;
    if (dh > 180) dh -= 360;
    if (dh < -180) dh += 360;
  }
  const double dl = q[0] - p[0], dc = c2p - c1p;
  const double dhh = 2 * std::sqrt(c1p * c2p) * std::sin(rad(dh) / 2);
  const double lb = (p[0] + q[0]) / 2, cbp = (c1p + c2p) / 2;
  double hb = h1 + h2;
  if (c1p * c2p != 0) {
    hb = std::abs(h1 - h2) <= 180 ? (h1 + h2) / 2
         : h1 + h2 < 360          ? (h1 + h2 + 360) / 2
                                  : (h1 + h2 - 360) / 2;
  }
  const double t = 1 - 0.17 * std::cos(rad(hb - 30)) + 0.24 * std::cos(rad(2 * hb)) +
                   0.32 * std::cos(rad(3 * hb + 6)) - 0.20 * std::cos(rad(4 * hb - 63));
  const double dtheta = 30 * std::exp(-std::pow((hb - 275) / 25, 2));
  const double rc = 2 * std::sqrt(std::pow(cbp, 7) / (std::pow(cbp, 7) + std::pow(25.0, 7)));
  const double sl = 1 + 0.015 * std::pow(lb - 50, 2) / std::sqrt(20 + std::pow(lb - 50, 2));
  const double sc = 1 + 0.045 * cbp, sh = 1 + 0.015 * cbp * t;
  const double rt = -std::sin(rad(2 * dtheta)) * rc;
  return std::sqrt(std::pow(dl / sl, 2) + std::pow(dc / sc, 2) + std::pow(dhh / sh, 2) +
                   rt * (dc / sc) * (dhh / sh));
}

QVector<double> range(double from, double to) {
  QVector<double> out;
  for (double v = from; v <= to; ++v) out << v;
  return out;
}

}  // namespace

class TestPlotting : public QObject {
  Q_OBJECT

 private slots:
  void runColourIsAFunctionOfTheIdOnly() {
    // Indices from FNV-1a (32-bit) of the UTF-8 id modulo 12, computed in Python.
    QCOMPARE(runColor("20261127-101500-grassmann-n6"), paletteColor(2));
    QCOMPARE(runColor("run-a"), paletteColor(4));
    QCOMPARE(runColor(""), paletteColor(1));
    QCOMPARE(paletteColor(0), QColor("#4e79a7"));
    QCOMPARE(paletteColor(-1), paletteColor(kPaletteSize - 1));
    QCOMPARE(paletteColor(kPaletteSize + 2), paletteColor(2));
    // Beside runs that hold colours: the id's own if free, else the next free one.
    QCOMPARE(runColor("run-a", {paletteColor(0)}), paletteColor(4));
    QCOMPARE(runColor("run-a", {paletteColor(4), paletteColor(5)}), paletteColor(6));
    QList<QColor> all;
    for (int i = 0; i < kPaletteSize; ++i) all << paletteColor(i);
    QCOMPARE(runColor("run-a", all), paletteColor(4));
  }

  void deltaE2000MatchesSharmasTable() {
    // Pairs 1, 7 and 17 of Sharma, Wu and Dalal's test data (ΔE00 2.0425, 0 and 27.1492).
    QVERIFY(std::abs(deltaE2000({50, 2.6772, -79.7751}, {50, 0, -82.7485}) - 2.0425) < 1e-4);
    QVERIFY(std::abs(deltaE2000({50, 0, 0}, {50, -1, 2}) - 2.3669) < 1e-4);
    QVERIFY(std::abs(deltaE2000({50, 2.5, 0}, {73, 25, -18}) - 27.1492) < 1e-4);
  }

  // Issue 15: Plücker offsets 1 and 8 (2 and 16) and a fourth run looked alike; the palette had
  // ten colours with near pairs (blue/grey, orange/gold, purple/pink at ΔE00 13 to 17).
  void issue15_paletteColoursLookedAlike() {
    QVERIFY(kPaletteSize >= 12);
    const auto white = lab(Qt::white);
    for (int i = 0; i < 12; ++i) {
      // Every colour stands out against the white chart as a 1-px line.
      QVERIFY2(deltaE2000(lab(paletteColor(i)), white) > 30, qPrintable(QString::number(i)));
      for (int j = i + 1; j < 12; ++j) {
        const double d = deltaE2000(lab(paletteColor(i)), lab(paletteColor(j)));
        QVERIFY2(d > 20, qPrintable(QStringLiteral("colours %1 (%2) and %3 (%4): ΔE00 %5")
                                        .arg(i)
                                        .arg(paletteColor(i).name())
                                        .arg(j)
                                        .arg(paletteColor(j).name())
                                        .arg(d)));
      }
    }
  }

  // Issue 24: a run's colour was close to another run's faint raw-loss line (alpha 70 on white:
  // faint purple and solid pink ΔE00 19.8). The raw line as drawn on white stays apart from every
  // run colour, and the smoothed line is the wider one.
  void issue24_runColoursStayApartFromFaintRawLines() {
    TimeSeriesChart chart;
    chart.setSmoothing(0.6);
    chart.appendPoints("a", "a", paletteColor(0), {1, 2, 3}, {3, 2, 1});
    QCOMPARE(chart.graphCount(), 2);
    const QPen raw = chart.graph(0)->pen(), smooth = chart.graph(1)->pen();
    QVERIFY(raw.widthF() < smooth.widthF());
    const double a = raw.color().alphaF();
    QVERIFY(a > 0.1 && a < 1);
    for (int i = 0; i < kPaletteSize; ++i) {
      const QColor c = paletteColor(i);
      const QColor on_white = QColor::fromRgbF(c.redF() * a + (1 - a), c.greenF() * a + (1 - a),
                                               c.blueF() * a + (1 - a));
      for (int j = 0; j < kPaletteSize; ++j) {
        const double d = deltaE2000(lab(on_white), lab(paletteColor(j)));
        QVERIFY2(d > 22, qPrintable(QStringLiteral("faint %1 and %2: ΔE00 %3")
                                        .arg(c.name(), paletteColor(j).name())
                                        .arg(d)));
      }
    }
  }

  // Issue 24: the majority-class label sat on the curve (always at the right end, above its line)
  // and legends covered data. Each goes where it covers no drawn point when there is such a place.
  void issue24_labelsAndLegendAvoidTheData() {
    TimeSeriesChart chart;
    chart.setSmoothing(0);
    chart.resize(600, 400);
    QVector<double> x, y;
    for (int i = 0; i <= 100; ++i) {
      x << i;
      y << (i >= 60 ? 50.0 : 10.0 + i * 0.2);  // runs along the line at the right end
    }
    chart.appendPoints("a", "run a", paletteColor(0), x, y);
    chart.addReferenceLine("majority class", 50, QColor(120, 120, 120));
    chart.resetView();
    chart.replot();
    const auto pixels = [&] {
      QVector<QPointF> out;
      for (int i = 0; i < x.size(); ++i)
        out << QPointF(chart.xAxis->coordToPixel(x[i]), chart.yAxis->coordToPixel(y[i]));
      return out;
    };
    QCPItemText* label = nullptr;
    for (int i = 0; i < chart.itemCount(); ++i) {
      auto* t = qobject_cast<QCPItemText*>(chart.item(i));
      if (t && t->text().startsWith("majority class")) label = t;
    }
    QVERIFY(label);
    const QRectF label_rect(label->topLeft->pixelPosition(), label->bottomRight->pixelPosition());
    QVERIFY(label_rect.width() > 20);
    for (const QPointF& p : pixels())
      QVERIFY2(!label_rect.contains(p),
               qPrintable(QStringLiteral("point %1,%2 under the label").arg(p.x()).arg(p.y())));
    // The label still sits on its line.
    const double line_y = chart.yAxis->coordToPixel(50);
    QVERIFY(std::abs(label_rect.bottom() - line_y) < 2 || std::abs(label_rect.top() - line_y) < 2);

    // A rising curve through the top-right corner: the legend leaves that corner.
    TimeSeriesChart rising;
    rising.setSmoothing(0);
    rising.resize(600, 400);
    QVector<double> rx, ry;
    for (int i = 0; i <= 100; ++i) {
      rx << i;
      ry << i;
    }
    rising.appendPoints("a", "a run with a long name", paletteColor(0), rx, ry);
    rising.appendPoints("b", "another run", paletteColor(1), rx, ry);
    rising.resetView();
    rising.replot();
    const QRectF legend = rising.legend->outerRect();
    QVERIFY(legend.width() > 20);
    for (int i = 0; i < rx.size(); ++i) {
      const QPointF p(rising.xAxis->coordToPixel(rx[i]), rising.yAxis->coordToPixel(ry[i]));
      QVERIFY2(!legend.contains(p), qPrintable(QStringLiteral("step %1 under the legend").arg(i)));
    }
  }

  // Issue 15: setPoints kept the label of the series' creation, so the loss-by-position legend
  // named the first evaluation's step on the latest evaluation's curve.
  void issue15_setPointsKeptTheFirstLabel() {
    TimeSeriesChart chart;
    chart.setPoints("run", "run (step 10)", paletteColor(0), {1, 2, 3}, {5, 4, 3});
    chart.setPoints("run", "run (step 20)", paletteColor(0), {1, 2, 3}, {4, 3, 2});
    QCOMPARE(chart.seriesData().front().label, QString("run (step 20)"));
    QStringList legend;
    for (int i = 0; i < chart.legend->itemCount(); ++i) {
      if (auto* item = qobject_cast<QCPPlottableLegendItem*>(chart.legend->item(i)))
        legend << item->plottable()->name();
    }
    QCOMPARE(legend, QStringList{"run (step 20)"});
  }

  // Issue 15: one point squeezed the x axis to [x, x + 1] and the points at the ends of a range
  // were drawn half outside it.
  void issue15_singlePointAndEndMarkersWereCut() {
    TimeSeriesChart chart;
    chart.setStyle(TimeSeriesChart::Style::Markers);
    chart.setPoints("ppl", "ppl", paletteColor(0), {20}, {1395});
    chart.resetView();
    const QCPRange one = chart.xAxis->range();
    QVERIFY2(one.lower < 19.5 && one.upper > 20.5 && std::abs(one.center() - 20) < 1e-9,
             qPrintable(QStringLiteral("[%1, %2]").arg(one.lower).arg(one.upper)));
    chart.setPoints("ppl", "ppl", paletteColor(0), {10, 20, 30, 40}, {900, 500, 400, 350});
    chart.resetView();
    const QCPRange four = chart.xAxis->range();
    QVERIFY(four.lower <= 10 - 0.01 * 30 && four.upper >= 40 + 0.01 * 30);
    QVERIFY(four.lower > 10 - 0.1 * 30 && four.upper < 40 + 0.1 * 30);
  }

  // Issue 15: the crosshair read fractional steps and reported a stopped run's last value past
  // its end.
  void issue15_crosshairReadFractionalStepsAndPastTheEnd() {
    TimeSeriesChart chart;
    chart.setSmoothing(0);
    chart.setAxisLabels("step", "loss");
    QVector<double> y40(40), y20(20);
    for (int i = 0; i < 40; ++i) y40[i] = 10 - 0.1 * i;
    for (int i = 0; i < 20; ++i) y20[i] = 20 - 0.1 * i;
    chart.setPoints("long", "long run", paletteColor(0), range(1, 40), y40);
    chart.setPoints("stopped", "stopped run", paletteColor(1), range(1, 20), y20);
    QStringList lines = chart.crosshairText(12.4).split('\n');
    QCOMPARE(lines.value(0), QString("step 12"));
    QVERIFY(lines.contains("long run: " + QString::number(10 - 0.1 * 11, 'g', 5)));
    QVERIFY(lines.contains("stopped run: " + QString::number(20 - 0.1 * 11, 'g', 5)));
    lines = chart.crosshairText(30.7).split('\n');
    QCOMPARE(lines.value(0), QString("step 31"));
    QCOMPARE(lines.size(), 2);  // the stopped run has no value at step 31
    QVERIFY(lines[1].startsWith("long run: "));
    // Large integer keys (tokens seen) read as integers, at a key that exists.
    chart.clearSeries();
    chart.setAxisLabels("tokens seen", "loss");
    chart.setPoints("t", "tokens", paletteColor(0), {1024000, 2048000, 3072000}, {3, 2, 1});
    QCOMPARE(chart.crosshairText(1900000).split('\n').value(0), QString("tokens seen 2048000"));
  }

  // Issue 15: an empty chart showed an empty legend box instead of saying why it is empty.
  void issue15_emptyChartShowedAnEmptyLegend() {
    TimeSeriesChart chart;
    chart.setTitle("Validation perplexity");
    chart.resize(400, 300);
    chart.resetView();
    chart.replot();
    QVERIFY(!chart.legend->visible());
    QVERIFY2(shownTexts(chart).contains("no data yet"), qPrintable(shownTexts(chart).join('|')));
    chart.setPoints("a", "run a", paletteColor(0), {1, 2}, {3, 2});
    chart.resetView();
    QVERIFY(chart.legend->visible());
    QVERIFY(!shownTexts(chart).contains("no data yet"));
  }

  // Issue 15: a chart of evaluations (markers) smoothed them anyway, and its CSV's "smoothed"
  // column averaged perplexities (6,972 where the value was 1,395).
  void issue15_markersSmoothedPerplexities() {
    TimeSeriesChart chart;
    chart.setStyle(TimeSeriesChart::Style::Markers);
    chart.setPoints("ppl", "ppl", paletteColor(0), {10, 20, 30}, {40000, 1395, 900});
    const auto data = chart.seriesData().front();
    QCOMPARE(data.smoothed, data.y);
  }

  void perplexitiesAreSmoothedAsLosses() {
    TimeSeriesChart chart;
    chart.setSmoothing(0.6);
    chart.setSmoothLogValues(true);
    const QVector<double> loss = {10.6, 7.2, 7.9, 7.0};
    QVector<double> ppl;
    for (double l : loss) ppl << std::exp(l);
    chart.setPoints("ppl", "ppl", paletteColor(0), {10, 20, 30, 40}, ppl);
    DebiasedEma ema(0.6);
    const auto data = chart.seriesData().front();
    for (int i = 0; i < loss.size(); ++i) {
      const double want = std::exp(ema.add(loss[i]));
      QVERIFY2(std::abs(data.smoothed[i] - want) < 1e-9 * want, qPrintable(QString::number(i)));
    }
  }

  // Issue 15: the exported gate-α chart had no title (nor the run's name); an empty grid said
  // nothing.
  void issue15_histogramGridHadNoTitle() {
    HistogramGrid grid;
    QVERIFY(shownTexts(grid).contains("no data yet"));
    grid.setTitle("run-a: gate α of each layer");
    grid.setPanels({"layer 0", "layer 1", "layer 2", "layer 3"}, 3);
    QVERIFY(shownTexts(grid).contains("run-a: gate α of each layer"));
    QVERIFY(!shownTexts(grid).contains("no data yet"));
    QCOMPARE(grid.panelCount(), 4);
    QVERIFY(grid.minimumHeight() >= 2 * HistogramGrid::kRowHeight);  // two rows of panels
    grid.setHistogram(3, "a", paletteColor(0), {0, 0.5, 1}, {1, 3});
    QCOMPARE(grid.seriesCount(3), 1);
  }

  // Issue 15: the gate-alpha heat map stayed blank after the first probe (a colour map of one
  // column has no width).
  void issue15_heatmapOfOneProbeWasBlank() {
    HeatmapChart map;
    map.setAxisLabels("step", "α");
    QVector<double> edges;
    for (int b = 0; b <= 10; ++b) edges << b / 10.0;
    map.setData({25}, edges, {{0, 0, 0, 0, 0, 0, 0, 0, 0, 100}});
    QCOMPARE(map.cells(), QSize(1, 10));
    QCOMPARE(map.share(0, 9), 1.0);
    const QPixmap pixmap = map.toPixmap(400, 300);
    const QRect rect = map.axisRect()->rect();
    // The top bin holds everything (viridis' yellow), the others nothing (its purple).
    const QColor top = pixmap.toImage().pixelColor(rect.center().x(), rect.top() + 3);
    const QColor bottom = pixmap.toImage().pixelColor(rect.center().x(), rect.bottom() - 3);
    QVERIFY2(top.red() > 200 && top.green() > 200 && top.blue() < 100, qPrintable(top.name()));
    QVERIFY2(bottom.red() < 100 && bottom.green() < 50 && bottom.blue() > 60,
             qPrintable(bottom.name()));
  }

  // Issue 24: the |p| heat map's y axis ran over all its fixed bins (-6 to 4) for data in 0-1.3.
  void heatmapFitsItsRowsToTheData() {
    HeatmapChart map;
    QVector<double> edges;
    for (int b = 0; b <= 10; ++b) edges << -6 + b;                             // -6 .. 4
    const QVector<QVector<double>> counts = {{0, 0, 0, 0, 0, 0, 3, 5, 0, 0}};  // bins [0,1) [1,2)
    map.setData({10}, edges, counts);
    QCOMPARE(map.yAxis->range().lower, -6.0);  // not fitted: every bin
    QCOMPARE(map.yAxis->range().upper, 4.0);
    map.setFitRowsToData(true);
    map.setData({10}, edges, counts);
    QCOMPARE(map.yAxis->range().lower, -1.0);  // one empty bin below [0, 1)
    QCOMPARE(map.yAxis->range().upper, 3.0);   // and one above [1, 2)
  }

  // Issue 15: the comparison figure's loss-by-position panel had no legend.
  void issue15_comparisonPositionPanelHadNoLegend() {
    ComparisonFigure figure;
    figure.setCurves({{"a", paletteColor(0), {10, 20}, {300, 200}},
                      {"b", paletteColor(1), {10, 20}, {320, 210}}},
                     {{"a (step 20)", paletteColor(0), {1, 2, 3}, {6, 5, 4}},
                      {"b (step 20)", paletteColor(1), {1, 2, 3}, {6.5, 5.5, 4.5}}});
    QStringList names;
    QCPAxisRect* positions = nullptr;
    for (QCPAxisRect* rect : figure.axisRects()) {
      if (rect->axis(QCPAxis::atBottom)->label().startsWith("position")) positions = rect;
    }
    QVERIFY(positions);
    for (int i = 0; i < positions->insetLayout()->elementCount(); ++i) {
      auto* legend = qobject_cast<QCPLegend*>(positions->insetLayout()->elementAt(i));
      for (int k = 0; legend && k < legend->itemCount(); ++k) {
        if (auto* item = qobject_cast<QCPPlottableLegendItem*>(legend->item(k)))
          names << item->plottable()->name();
      }
    }
    QCOMPARE(names, (QStringList{"a (step 20)", "b (step 20)"}));
  }

  // Issue 24 (seen in an export): three configuration names under the comparison's bars overlapped
  // at 1200 px; they are turned when they do not fit side by side, and lie flat when they do.
  // A category's bars sit centred on it among the sources with a number there.
  void issue24_comparisonNamesDoNotOverlap() {
    ComparisonFigure figure;
    figure.resize(1200, 800);
    figure.setBars({"reference grassmann N6 L64 bert", "reference transformer N6 L64 bert",
                    "grassmann N2 L64 gpt2"},
                   {{"ours (best valid)", paletteColor(0), {1040, 1030, 1010}},
                    {"paper", paletteColor(1), {NAN, 980, NAN}}});
    figure.replot();
    QCPAxisRect* bars = nullptr;
    for (QCPAxisRect* rect : figure.axisRects()) {
      if (rect->axis(QCPAxis::atBottom)->label() == "configuration") bars = rect;
    }
    QVERIFY(bars);
    QCOMPARE(bars->axis(QCPAxis::atBottom)->tickLabelRotation(), 30.0);
    QCPBars* ours = nullptr;
    for (int i = 0; i < figure.plottableCount(); ++i) {
      if (figure.plottable(i)->name() == "ours (best valid)")
        ours = qobject_cast<QCPBars*>(figure.plottable(i));
    }
    QVERIFY(ours);
    QCOMPARE(ours->data()->at(0)->key, 1.0);  // alone in its category: on the tick
    QVERIFY(ours->data()->at(1)->key < 2.0);  // beside the paper's bar
    figure.setBars({"a", "b"}, {{"ours (best valid)", paletteColor(0), {1, 2}}});
    figure.replot();
    QCOMPARE(bars->axis(QCPAxis::atBottom)->tickLabelRotation(), 0.0);
  }

  // Issue 15 (seen in the after screenshot): the bars' note about reported numbers ran under the
  // bars' legend and bars; it is a line of its own under the figure.
  void comparisonBarNoteStaysClearOfThePanels() {
    ComparisonFigure figure;
    figure.resize(1200, 800);
    figure.setBars({"grassmann N2 L64 gpt2"}, {{"ours (best valid)", paletteColor(0), {760}}});
    figure.setBarNote("no reported number for this configuration (N2 L64 gpt2)");
    figure.replot();
    QVERIFY(shownTexts(figure).contains(
        "Bars: no reported number for this configuration (N2 L64 gpt2)"));
    QCPTextElement* note = nullptr;
    for (QCPLayoutElement* e : figure.plotLayout()->elements(true)) {
      if (auto* t = qobject_cast<QCPTextElement*>(e); t && t->text().startsWith("Bars:")) note = t;
    }
    QVERIFY(note);
    for (QCPAxisRect* rect : figure.axisRects())
      QVERIFY(!note->outerRect().intersects(rect->outerRect()));
    figure.setBarNote(QString());
    QVERIFY(shownTexts(figure).filter("Bars:").isEmpty());
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
    // Issue 24: bars sat off the centre of their category (a slot kept for the missing bar).
    // Both bars of "train" and "test" sit either side of their tick; "valid"'s one bar on it.
    auto* gpt2 = qobject_cast<QCPBars*>(chart.plottable(0));
    QCOMPARE(gpt2->data()->size(), 3);
    QCOMPARE(gpt2->data()->at(1)->key, 2.0);
    for (int i : {0, 1}) {
      const double category = i == 0 ? 1.0 : 3.0;
      const double g = gpt2->data()->at(i == 0 ? 0 : 2)->key, b = bert->data()->at(i)->key;
      QVERIFY(g < category && b > category);
      QVERIFY(std::abs((g + b) / 2 - category) < 1e-12);
      QVERIFY(b - g >= gpt2->width());  // side by side, not overlapping
    }
    QVERIFY(chart.yAxis->range().upper >= 2448382);
    QCOMPARE(chart.yAxis->range().lower, 0.0);
    QCOMPARE(chart.xAxis->range().lower, 0.4);
    QCOMPARE(chart.xAxis->range().upper, 3.6);
    QVERIFY(chart.legend->visible());
    chart.setCategories({"a"});
    QCOMPARE(chart.seriesCount(), 0);
    QCOMPARE(chart.plottableCount(), 0);
    // Issue 24: an empty chart showed an empty legend box; a series with no number here has no
    // legend entry, so it alone keeps the legend hidden too.
    QVERIFY(!chart.legend->visible());
    chart.addSeries("none here", {NAN}, paletteColor(2));
    QVERIFY(!chart.legend->visible());
    BarChart fresh;
    QVERIFY(!fresh.legend->visible());
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
