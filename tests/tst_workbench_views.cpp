// The workbench's views on run directories (offscreen): the set-up panel round-trips a
// configuration and rejects invalid ones beside the field; opening a run reproduces its curves and
// follows it as it grows; x axis modes, seed bands, reference lines and the crosshair; the run
// browser with notes, tags and the trash; the comparison view; and every export, in the GUI and
// from `grassmann-workbench --export`.
#include <QCheckBox>
#include <QDialog>
#include <QFileDialog>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QProcess>
#include <QPushButton>
#include <QRegularExpression>
#include <QSettings>
#include <QSignalSpy>
#include <QSplitter>
#include <QTabWidget>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QToolButton>
#include <QtTest>
#include <cmath>
#include <fstream>
#include <functional>
#include <numeric>
#include <set>

#include "chart_texts.h"
#include "engine/config/config_diff.h"
#include "engine/config/presets.h"
#include "engine/runs/metrics_json.h"
#include "engine/runs/metrics_reader.h"
#include "engine/runs/run_reader.h"
#include "engine/util/paths.h"
#include "fake_runs.h"
#include "plotting/bar_chart.h"
#include "plotting/heatmap_chart.h"
#include "plotting/histogram_grid.h"
#include "plotting/time_series_chart.h"
#include "test_support.h"
#include "ui/chart_data.h"
#include "ui/compare_view.h"
#include "ui/export_dialog.h"
#include "ui/main_window.h"
#include "ui/metrics_store.h"
#include "ui/monitor_view.h"
#include "ui/probe_charts.h"
#include "ui/run_browser.h"
#include "ui/run_details.h"
#include "ui/run_export.h"
#include "ui/run_queue_widget.h"
#include "ui/run_setup_panel.h"
#include "ui/sample_dialog.h"

using namespace gwb;
using namespace gwb::ui;

namespace {

QByteArray utf16be(const QString& text) {
  QByteArray out;
  for (const QChar c : text) out.append(char(c.unicode() >> 8)).append(char(c.unicode() & 0xff));
  return out;
}

// Sources in resources/reported_numbers.json with a BERT valid perplexity for `arch` at N, L.
int reportedSources(int n_layers, int seq_len, const QString& arch) {
  QFile f(QString::fromStdString(reportedNumbersPath()));
  if (!f.open(QIODevice::ReadOnly)) return -1;
  QSet<QString> sources;
  for (const auto& v : QJsonDocument::fromJson(f.readAll()).object()["wikitext2"].toArray()) {
    const QJsonObject row = v.toObject();
    if (row["n_layers"].toInt() == n_layers && row["seq_len"].toInt() == seq_len &&
        row["tokenizer"] == "bert" && row["metric"] == "valid_ppl" && row[arch].isDouble())
      sources.insert(row["source"].toString());
  }
  return static_cast<int>(sources.size());
}

RunConfig preset(const std::string& name, std::int64_t seed = 1234) {
  RunConfig c = loadConfigArgument(name, {});
  c.seed = seed;
  return c;
}

QStringList csvRows(const QString& path) {
  QFile f(path);
  f.open(QIODevice::ReadOnly);
  QStringList rows = QString::fromUtf8(f.readAll()).split('\n', Qt::SkipEmptyParts);
  return rows;
}

}  // namespace

class TestWorkbenchViews : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir dir_;
  QString runs_;
  QString grassmann_, grassmann_seed2_, transformer_, running_;

 private slots:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    runs_ = dir_.path() + "/runs";
    test::FakeRun g{preset("reference-grassmann-n6-l128"), 40, 10, 9.0, 300.0, true};
    grassmann_ = test::writeFakeRun(runs_, "g-seed1", g);
    g.config.seed = 1235;
    g.loss0 = 9.4;
    g.best_valid_ppl = 310;
    grassmann_seed2_ = test::writeFakeRun(runs_, "g-seed2", g);
    test::FakeRun t{preset("reference-transformer-n6-l128"), 40, 10, 8.0, 200.0, false};
    transformer_ = test::writeFakeRun(runs_, "t", t);
    test::FakeRun r{preset("cpu-small-grassmann"), 20, 10, 9.0, 0, true};
    running_ = test::writeFakeRun(dir_.path() + "/elsewhere", "in-progress", r);
  }

  void setupPanelRoundTripsAConfiguration() {
    RunSetupPanel panel;
    RunConfig c = preset("paper-perlayer-grassmann-n6-l256");
    c.train.lr = 3.5e-4;
    c.train.betas = {0.85, 0.98};
    c.model.normalize_plucker = false;
    c.data.max_eval_tokens = 12345;
    panel.setConfig(c);
    const auto back = panel.config();
    QVERIFY(back.has_value());
    QCOMPARE(QString::fromStdString(runConfigToJson(*back)),
             QString::fromStdString(runConfigToJson(c)));
    RunConfig resolved = c;
    resolveRunConfig(resolved, 30522);
    QVERIFY2(panel.parameterText().startsWith(
                 QLocale().toString(static_cast<qlonglong>(countParameters(resolved.model)))),
             qPrintable(panel.parameterText()));
    // Saved and loaded through a file, the same configuration comes back.
    const QString file = dir_.path() + "/saved.json";
    QVERIFY(panel.saveFile(file));
    RunSetupPanel other;
    QVERIFY(other.loadFile(file));
    QCOMPARE(QString::fromStdString(runConfigToJson(*other.config())),
             QString::fromStdString(runConfigToJson(c)));
    // Issue 24: a file that does not load left its bare error under the valid form's parameter
    // count. It says the file was not loaded and what the form still holds; an edit clears it.
    QFile bad(dir_.path() + "/bad.json");
    QVERIFY(bad.open(QIODevice::WriteOnly));
    bad.write("{\"model\": {\"r\": \"many\"}}");
    bad.close();
    QString error;
    QVERIFY(!other.loadFile(bad.fileName(), &error));
    QVERIFY(other.config().has_value());
    QVERIFY(!other.parameterText().isEmpty());
    QVERIFY2(other.statusText().startsWith("Not loaded: ") &&
                 other.statusText().endsWith("The form still holds saved."),
             qPrintable(other.statusText()));
    QVERIFY(other.statusText().contains("bad.json"));
    other.setFieldText("train.lr", "0.0005");
    other.validate();
    QCOMPARE(other.statusText(), QString());
  }

  // Issue 20: the set-up panel offers the recipes as a family and says which recipe a
  // configuration is, or how many keys it is from the nearest one.
  void setupPanelOffersRecipesAndNamesTheNearest() {
    RunSetupPanel panel;
    QVERIFY(panel.loadRecipe("kanenorman", "N 6, L 128", "grassmann"));
    QTRY_COMPARE(panel.recipeMatchText(),
                 QString("This is recipe kanenorman (grassmann, N 6, L 128)"));
    const std::optional<RunConfig> c = panel.config();
    QVERIFY(c.has_value());
    QCOMPARE(c->recipe, std::string("kanenorman"));
    QCOMPARE(c->model.init, std::string("torch_default"));
    QCOMPARE(c->model.norm, std::string("post_residual"));
    QVERIFY(!panel.loadRecipe("kanenorman", "N 24, L 4096", "grassmann"));  // no such size
    auto* lr = panel.findChild<QLineEdit*>("train.lr");
    QVERIFY(lr);
    lr->setText("0.0005");
    QTRY_COMPARE(panel.recipeMatchText(),
                 QString("1 key from recipe kanenorman (grassmann, N 6, L 128): train.lr"));
    auto* clip = panel.findChild<QLineEdit*>("train.clip");
    clip->setText("1");
    QTRY_VERIFY2(panel.recipeMatchText().startsWith(
                     "2 keys from recipe kanenorman (grassmann, N 6, L 128): "),
                 qPrintable(panel.recipeMatchText()));
  }

  // Issue 24: fields showing 0 (vocabulary, positions, threads) did not say what 0 means.
  void issue24_zeroSaysWhatItMeans() {
    RunSetupPanel panel;
    QVERIFY(panel.loadPreset("cpu-small-grassmann"));
    auto* threads = panel.findChild<QLineEdit*>("train.threads");
    auto* hint = panel.findChild<QLabel*>("train.threads.zero");
    QVERIFY(threads && hint);
    threads->setText("0");
    QVERIFY(!hint->isHidden());  // (its tab need not be the one shown)
    QCOMPARE(hint->text(), QString("0 means all cores"));
    threads->setText("2");
    QVERIFY(hint->isHidden());
    auto* vocab = panel.findChild<QLabel*>("model.vocab_size.zero");
    QVERIFY(vocab);
    QCOMPARE(vocab->text(), QString("0 means the tokenizer's size"));
    QVERIFY(!panel.findChild<QLabel*>("train.lr.zero"));  // 0 has no meaning of its own there
    // Issue 24: "CUDA graph" was offered as on without CUDA.
    auto* graph = panel.findChild<QCheckBox*>("train.cuda_graph");
    QVERIFY(graph);
    QVERIFY(!graph->isEnabled());
    QVERIFY(graph->toolTip().contains("Needs a CUDA device"));
    panel.setDeviceIsCuda(true);
    QVERIFY(graph->isEnabled());
    QVERIFY(!graph->toolTip().contains("Needs a CUDA device"));
  }

  void setupPanelShowsEachErrorBesideItsField_data() {
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("message");
    QTest::newRow("not a number") << "train.lr"
                                  << "fast"
                                  << "expected a number, got \"fast\"";
    QTest::newRow("heads not dividing d") << "model.heads"
                                          << "5"
                                          << "expected a divisor of d_model 64, got 5";
    QTest::newRow("empty offsets") << "model.windows"
                                   << ""
                                   << "expected at least one offset, got []";
    QTest::newRow("bad offsets list") << "model.windows"
                                      << "1, two"
                                      << "expected integers separated by commas";
    QTest::newRow("bf16 on a CPU") << "train.precision"
                                   << "bf16"
                                   << "expected fp32 or auto on a CPU, got bf16";
    QTest::newRow("chunks longer than positions") << "model.max_len"
                                                  << "32"
                                                  << "";
  }
  void setupPanelShowsEachErrorBesideItsField() {
    QFETCH(QString, key);
    QFETCH(QString, text);
    QFETCH(QString, message);
    RunSetupPanel panel;
    QVERIFY(panel.loadPreset("cpu-small-grassmann"));
    if (key == "model.heads") panel.setFieldText("model.arch", "transformer");
    panel.setFieldText(key, text);
    panel.validate();
    QVERIFY(!panel.config().has_value());
    QVERIFY(panel.parameterText().isEmpty());
    if (key == "model.max_len") {
      QCOMPARE(panel.errorShown("data.seq_len"),
               QString("expected at most Positions 32, got 64"));  // labels, not keys
    } else {
      QVERIFY2(panel.errorShown(key).startsWith(message), qPrintable(panel.errorShown(key)));
    }
    // Fixing the field clears the error.
    panel.loadPreset("cpu-small-grassmann");
    QVERIFY(panel.config().has_value());
    QVERIFY(panel.errorShown(key).isEmpty());
  }

  void openingARunReproducesItsCurves() {
    MetricsStore store;
    MonitorView monitor(&store);
    const QString key = store.open(grassmann_);
    monitor.redraw();
    const MetricsEvents events = readMetricsFile((grassmann_ + "/metrics.jsonl").toStdString());
    QCOMPARE(monitor.lossChart()->pointCount(key), static_cast<int>(events.steps.size()));
    QCOMPARE(monitor.pplChart()->pointCount(key), 4);
    QCOMPARE(monitor.positionChart()->pointCount(key), 127);
    const auto loss = monitor.lossChart()->seriesData().front();
    for (int i = 0; i < loss.x.size(); ++i) {
      QCOMPARE(loss.x[i], static_cast<double>(events.steps[i].step));
      QCOMPARE(loss.y[i], events.steps[i].loss);
    }
    // Gate alpha and Plücker charts fill from the probe events.
    QCOMPARE(monitor.probeCharts()->alphaHistograms()->panelCount(), 6);
    QCOMPARE(monitor.probeCharts()->alphaHistograms()->seriesCount(1), 1);
    QCOMPARE(monitor.probeCharts()->alphaHeatmap()->cells(), QSize(4, 10));
    QCOMPARE(monitor.probeCharts()->normHeatmap()->cells(), QSize(4, 5));
    QCOMPARE(monitor.probeCharts()->effectiveRank()->seriesIds().size(), 2);  // offsets 1 and 2
    // The spike the run logged is marked on the gradient strip; the crosshair lists the run.
    QVERIFY(monitor.lossChart()->crosshairText(20).contains("reference-grassmann-n6-l128"));
  }

  // Issue 24: gate-α histograms of two runs overlapped in near-identical colours without a
  // legend, and the panels had no y label nor the probe's step.
  void issue24_alphaHistogramsOfTwoRunsHaveALegend() {
    MetricsStore store;
    MonitorView monitor(&store);
    const QString a = store.open(grassmann_), b = store.open(grassmann_seed2_);
    monitor.redraw();
    plot::HistogramGrid* grid = monitor.probeCharts()->alphaHistograms();
    QCOMPARE(grid->seriesCount(0), 2);
    const QStringList labels = grid->legendLabels();
    // Both are reference-grassmann-n6-l128: the legend says what tells them apart.
    QCOMPARE(labels, (QStringList{store.run(a)->name + " (seed=1234)",
                                  store.run(b)->name + " (seed=1235)"}));
    QCPAxisRect* first = grid->axisRects().front();
    QCOMPARE(first->axis(QCPAxis::atLeft)->label(), QString("share"));
    const QString x = first->axis(QCPAxis::atBottom)->label();
    QVERIFY2(QRegularExpression("^layer 0: α \\(probe at step \\d+\\)$").match(x).hasMatch(),
             qPrintable(x));
  }

  void xAxisModesLogScaleAndSmoothing() {
    MetricsStore store;
    MonitorView monitor(&store);
    const QString key = store.open(grassmann_);
    monitor.setXAxisMode(XAxisMode::Tokens);
    QCOMPARE(monitor.lossChart()->seriesData().front().x.at(2), 3.0 * 32 * 128);
    monitor.setXAxisMode(XAxisMode::Time);
    QCOMPARE(monitor.lossChart()->seriesData().front().x.at(2), 1.5);
    monitor.setSmoothing(0);
    const auto raw = monitor.lossChart()->seriesData().front();
    QCOMPARE(raw.smoothed, raw.y);
    // The fake run's training loss at step s is 9 exp(-0.02 s) + 0.05 sin s (fake_runs.cpp).
    for (int i = 0; i < raw.y.size(); ++i) {
      const double s = i + 1;
      QVERIFY(std::abs(raw.y[i] - (9.0 * std::exp(-0.02 * s) + 0.05 * std::sin(s))) < 1e-9);
    }
    monitor.setSmoothing(0.9);
    const auto smooth = monitor.lossChart()->seriesData().front();
    // TensorBoard's smoothing worked out here: m = 0.9 m + 0.1 y, shown as m / (1 - 0.9^n).
    double m = 0;
    for (int i = 0; i < smooth.y.size(); ++i) {
      m = 0.9 * m + 0.1 * smooth.y[i];
      QVERIFY2(std::abs(smooth.smoothed[i] - m / (1 - std::pow(0.9, i + 1))) < 1e-9,
               qPrintable(QString::number(i)));
    }
    monitor.setLogY(true);
    QCOMPARE(monitor.pplChart()->yAxis->scaleType(), QCPAxis::stLogarithmic);
    monitor.setRunVisible(key, false);
    QCOMPARE(monitor.lossChart()->pointCount(key), 0);
  }

  void referenceLinesAndSeedBands() {
    MetricsStore store;
    MonitorView monitor(&store);
    store.open(grassmann_);
    store.open(grassmann_seed2_);
    monitor.redraw();
    // Reference N=6 L=128 BERT: one labelled line per source with a Grassmann valid perplexity
    // at that size (the paper's two Table 1 rows match by windows -> the first), counted here from
    // the file: paper, reproduction, kanenorman, youdie006, grasslm.
    QCOMPARE(monitor.pplChart()->referenceLineCount(), reportedSources(6, 128, "grassmann"));
    QCOMPARE(reportedSources(6, 128, "grassmann"), 5);
    monitor.setSmoothing(0);
    monitor.setGroupSeeds(true);
    QCOMPARE(monitor.lossChart()->pointCount(grassmann_), 0);  // drawn as one band instead
    // The two seeds' training losses are 9.0 and 9.4 times exp(-0.02 s), plus 0.05 sin s: the
    // mean is 9.2 exp(-0.02 s) + 0.05 sin s, the sample std 0.4 / sqrt(2) exp(-0.02 s).
    const auto bands = monitor.lossChart()->bandData();
    QCOMPARE(bands.size(), 1);
    QCOMPARE(bands[0].x.size(), 40);
    for (int i = 0; i < 40; ++i) {
      const double s = bands[0].x[i];
      const double mean = 9.2 * std::exp(-0.02 * s) + 0.05 * std::sin(s);
      const double sd = 0.4 / std::sqrt(2.0) * std::exp(-0.02 * s);
      QVERIFY(std::abs(bands[0].mean[i] - mean) < 1e-9);
      QVERIFY(std::abs(bands[0].upper[i] - (mean + sd)) < 1e-9);
      QVERIFY(std::abs(bands[0].lower[i] - (mean - sd)) < 1e-9);
    }
  }

  void followsARunAsItGrows() {
    MetricsStore store;
    MonitorView monitor(&store);
    const QString key = store.open(running_);
    monitor.redraw();
    QCOMPARE(monitor.lossChart()->pointCount(key), 20);
    std::ofstream out((running_ + "/metrics.jsonl").toStdString(), std::ios::app);
    StepEvent e;
    e.step = 21;
    e.loss = 4.0;
    out << toJsonLine(e) << "\n"
        << "{\"event\":\"step\",\"step\":22,\"lo";  // a line still being written
    out.close();
    store.pollFollowed();
    monitor.redraw();
    QCOMPARE(monitor.lossChart()->pointCount(key), 21);
  }

  // Issue 15: a run's colour was a hash of its folder alone, so a fourth run came out in the
  // first one's colour. Twelve runs open together get twelve colours, each kept while it is open,
  // and the same runs opened in the same order get the same ones.
  // Issue 24: a run followed live after a restart (or removed and re-added while it trains)
  // showed only what came after that moment; its view now holds the whole history.
  void issue24_liveRunHoldsItsWholeHistory() {
    test::FakeRun r{preset("cpu-small-grassmann"), 20, 10, 9.0, 0, false};
    const QString dir = test::writeFakeRun(dir_.path() + "/live", "restarted", r);
    MetricsStore store;
    const auto live = [](int from, int to) {
      MetricsEvents events;
      for (int s = from; s <= to; ++s) {
        StepEvent e;
        e.step = s;
        e.loss = 5.0;
        events.steps.push_back(e);
      }
      return events;
    };
    store.appendLive(dir, live(21, 25));  // the first events after the restart
    const QString key = QFileInfo(dir).absoluteFilePath();
    QTRY_COMPARE_WITH_TIMEOUT(static_cast<int>(store.run(key)->events.steps.size()), 25, 10000);
    QCOMPARE(store.run(key)->events.steps.front().step, 1);
    QCOMPARE(store.run(key)->events.evals.size(), std::size_t(2));  // steps 10 and 20
    store.remove(key);
    store.appendLive(dir, live(26, 26));  // re-added while it trains
    QTRY_COMPARE_WITH_TIMEOUT(static_cast<int>(store.run(key)->events.steps.size()), 21, 10000);
    QCOMPARE(store.run(key)->events.steps.front().step, 1);
  }

  void issue15_runsSharedAColour() {
    test::FakeRun r{preset("cpu-small-transformer"), 2, 10, 9.0, 0, false};
    QStringList dirs;
    for (int i = 0; i < 12; ++i)
      dirs << test::writeFakeRun(dir_.path() + "/colours", QStringLiteral("run-%1").arg(i), r);
    MetricsStore store, again;
    QSet<QRgb> colours;
    std::map<QString, QColor> first;
    for (const QString& d : dirs) {
      const QString key = store.open(d);
      first[key] = store.run(key)->color;
      colours.insert(store.run(key)->color.rgb());
      for (const auto& [k, c] : first) QCOMPARE(store.run(k)->color, c);  // none changed
    }
    QCOMPARE(colours.size(), 12);
    for (const QString& d : dirs) QCOMPARE(again.run(again.open(d))->color, first[store.open(d)]);
  }

  // Issue 15: the loss-by-position legend named the first evaluation's step on the curve of the
  // latest one (the series kept the label it was created with).
  void issue15_positionLegendNamedTheFirstEvaluation() {
    test::FakeRun r{preset("cpu-small-grassmann"), 10, 10, 9.0, 0, false};
    const QString dir = test::writeFakeRun(dir_.path() + "/growing", "position-legend", r);
    MetricsStore store;
    MonitorView monitor(&store);
    const QString key = store.open(dir);
    monitor.redraw();
    QVERIFY(monitor.positionChart()->seriesData().front().label.endsWith("(step 10)"));
    std::ofstream out((dir + "/metrics.jsonl").toStdString(), std::ios::app);
    for (int s = 11; s <= 20; ++s) {
      StepEvent e;
      e.step = s;
      e.loss = 5.0;
      out << toJsonLine(e) << "\n";
    }
    EvalEvent v;
    v.step = 20;
    v.split = "valid";
    v.loss = 5.0;
    v.ppl = std::exp(5.0);
    v.loss_by_position.assign(63, 5.0);
    out << toJsonLine(v) << "\n";
    out.close();
    store.pollFollowed();
    monitor.redraw();
    const auto position = monitor.positionChart()->seriesData();
    QCOMPARE(position.size(), 1);
    QVERIFY2(position.front().label.endsWith("(step 20)"), qPrintable(position.front().label));
    QCOMPARE(position.front().y.front(), 5.0);
  }

  // Issue 15: each chart fitted its own data, so validation perplexity's x range differed from
  // the train loss's, the end markers were half cut, and one evaluation squeezed the axis to
  // [20, 21].
  void issue15_chartsOfARunHadDifferentXRanges() {
    MetricsStore store;
    MonitorView monitor(&store);
    store.open(grassmann_);
    monitor.redraw();
    const QCPRange loss = monitor.lossChart()->xAxis->range();
    QVERIFY2(loss.lower < 1 && loss.upper > 40,
             qPrintable(QStringLiteral("[%1, %2]").arg(loss.lower).arg(loss.upper)));
    for (plot::TimeSeriesChart* c :
         {monitor.pplChart(), monitor.throughputChart(), monitor.lrChart(), monitor.gradChart()}) {
      QCOMPARE(c->xAxis->range().lower, loss.lower);
      QCOMPARE(c->xAxis->range().upper, loss.upper);
    }
    // One evaluation: the perplexity chart still spans the run's steps.
    test::FakeRun one{preset("cpu-small-grassmann"), 20, 20, 9.0, 0, false};
    MetricsStore store2;
    MonitorView monitor2(&store2);
    store2.open(test::writeFakeRun(dir_.path() + "/one-eval", "one-eval", one));
    monitor2.redraw();
    QCOMPARE(monitor2.pplChart()->xAxis->range().lower, monitor2.lossChart()->xAxis->range().lower);
    QCOMPARE(monitor2.pplChart()->xAxis->range().upper, monitor2.lossChart()->xAxis->range().upper);
    QVERIFY(monitor2.pplChart()->xAxis->range().lower < 1);
    // In tokens too.
    monitor2.setXAxisMode(XAxisMode::Tokens);
    QCOMPARE(monitor2.pplChart()->xAxis->range().upper, monitor2.lossChart()->xAxis->range().upper);
  }

  // Issue 15: the crosshair reported a stopped run's last value beyond its end.
  void issue15_crosshairReportedAStoppedRunPastItsEnd() {
    MetricsStore store;
    MonitorView monitor(&store);
    store.open(grassmann_);  // 40 steps
    store.open(running_);    // 20 steps
    monitor.redraw();
    const QString at10 = monitor.lossChart()->crosshairText(10.3);
    QVERIFY2(at10.startsWith("step 10\n"), qPrintable(at10));
    QVERIFY(at10.contains("cpu-small-grassmann: ") && at10.contains("reference-grassmann"));
    const QString at30 = monitor.lossChart()->crosshairText(30);
    QVERIFY(at30.contains("reference-grassmann"));
    QVERIFY2(!at30.contains("cpu-small-grassmann"), qPrintable(at30));
  }

  // Issue 15: the latest-alpha histograms were squeezed into a 60 px strip of the gate-α tab.
  void issue15_alphaHistogramsWereSqueezed() {
    MetricsStore store;
    MonitorView monitor(&store);
    store.open(grassmann_);  // six layers: two rows of panels
    monitor.resize(1280, 760);
    monitor.show();
    monitor.tabs()->setCurrentWidget(monitor.probeCharts()->alphaTab());
    monitor.redraw();
    QVERIFY(QTest::qWaitForWindowExposed(&monitor));
    QTRY_VERIFY(monitor.probeCharts()->alphaHistograms()->isVisible());
    QVERIFY2(monitor.probeCharts()->alphaHistograms()->height() >= 240,
             qPrintable(QString::number(monitor.probeCharts()->alphaHistograms()->height())));
  }

  // Issue 15: a chart without a matching reported number said nothing (an empty legend box);
  // it says so and names the configurations that have one.
  void issue15_noReportedNumberWasNotSaid() {
    test::FakeRun small{preset("cpu-small-transformer"), 20, 10, 8.0, 0, false};
    MetricsStore store;
    MonitorView monitor(&store);
    QVERIFY(test::shownTexts(*monitor.pplChart()).contains("no data yet"));
    const QString key = store.open(test::writeFakeRun(dir_.path() + "/unreported", "small", small));
    monitor.redraw();
    QCOMPARE(monitor.pplChart()->referenceLineCount(), 0);
    const QString note =
        test::shownTexts(*monitor.pplChart()).filter("no reported number").join(' ');
    QVERIFY2(note.contains("N2 L64 gpt2"), qPrintable(note));
    for (const char* reported : {"N6 L128 bert", "N12 L256 bert", "N6 L256 gpt2"})
      QVERIFY2(note.contains(reported), qPrintable(note));
    QVERIFY(!test::shownTexts(*monitor.pplChart()).contains("no data yet"));
    // Beside a run that has reported numbers (their lines drawn) it still says which has none;
    // with only that run shown the note goes.
    store.open(grassmann_);
    monitor.redraw();
    QVERIFY(monitor.pplChart()->referenceLineCount() > 0);
    QVERIFY(monitor.pplChart()->note().contains("(N2 L64 gpt2)"));
    monitor.setRunVisible(key, false);
    QVERIFY(monitor.pplChart()->referenceLineCount() > 0);
    QVERIFY(test::shownTexts(*monitor.pplChart()).filter("no reported number").isEmpty());
  }

  // Issue 15: the validation CSV's "smoothed" column was an EMA of perplexities.
  void issue15_validationCsvAveragedPerplexities() {
    MetricsStore store;
    MonitorView monitor(&store);
    store.open(grassmann_);
    monitor.redraw();
    const QStringList rows = QString::fromUtf8(seriesCsv(*monitor.pplChart())).split('\n');
    QCOMPARE(rows.first(), QString("series,label,x,y,smoothed"));
    int checked = 0;
    for (const QString& row : rows.mid(1)) {
      if (row.isEmpty()) continue;
      const QStringList cells = row.split(',');
      QCOMPARE(cells.value(4), cells.value(3));  // evaluations are not smoothed
      ++checked;
    }
    QCOMPARE(checked, 4);
  }

  // Issue 15: Export charts… wrote only the visible tab, as chart-1, chart-2 (in reverse order),
  // into a folder that had to exist. It writes every chart of the runs (or those ticked) under
  // the headless export's names, creating the folder.
  void issue15_monitorExportWroteTheVisibleTabAsChartN() {
    MetricsStore store;
    MonitorView monitor(&store);
    const QString g = store.open(grassmann_);
    store.open(transformer_);
    monitor.redraw();
    QTemporaryDir out, headless;
    ExportOptions options;
    options.width = 300;
    options.height = 200;
    const QString dir = out.path() + "/not/yet/there";
    const QStringList files = monitor.exportCharts(dir, options, true);
    const QStringList expected =
        exportRunDirectories({grassmann_, transformer_}, headless.path(), options);
    const auto relative = [](const QStringList& paths, const QString& root) {
      QSet<QString> out;
      for (const QString& p : paths) out.insert(QDir(root).relativeFilePath(p));
      return out;
    };
    QCOMPARE(relative(files, dir), relative(expected, headless.path()));
    for (const QString& f : files) QVERIFY2(QFileInfo::exists(f), qPrintable(f));
    QVERIFY(relative(files, dir).contains("reference-grassmann-n6-l128/alpha.png"));
    // The alpha chart carries a title with the run's name (it had none).
    QFile alpha(dir + "/reference-grassmann-n6-l128/alpha.json");
    QVERIFY(alpha.open(QIODevice::ReadOnly));
    const QString title =
        QJsonDocument::fromJson(alpha.readAll()).object().value("title").toString();
    QVERIFY2(title.startsWith("reference-grassmann-n6-l128: gate α"), qPrintable(title));
    // What the user ticks, of the runs ticked.
    options.charts = {"loss", "alpha"};
    const QStringList some = monitor.exportCharts(out.path() + "/some", options, false, {g});
    QSet<QString> want;
    for (const char* chart : {"loss", "alpha"}) {
      for (const char* ext : {"png", "pdf", "csv", "json"})
        want.insert(QStringLiteral("reference-grassmann-n6-l128/%1.%2").arg(chart, ext));
    }
    QCOMPARE(relative(some, out.path() + "/some"), want);
    // The dialog offers the runs' charts by those names and creates a typed folder.
    ExportDialog dialog(QList<const StoredRun*>{store.run(g)});
    // (the contract's first, then the rest of what the monitor shows: issue 24)
    QCOMPARE(dialog.chartNames(),
             (QStringList{"loss", "ppl", "loss_by_position", "alpha", "plucker", "throughput", "lr",
                          "grad_norm", "alpha_mean", "alpha_map", "degenerate", "plucker_norm",
                          "plucker_angle"}));
    dialog.setDir(out.path() + "/typed/new");
    dialog.setChartTicked("ppl", false);
    const ExportDialog::Choice choice = dialog.choice();
    QCOMPARE(choice.run_keys, QStringList{g});
    QVERIFY(!choice.options.charts.contains("ppl") && choice.options.charts.contains("plucker"));
    dialog.accept();
    QCOMPARE(dialog.result(), int(QDialog::Accepted));
    QVERIFY(QFileInfo(out.path() + "/typed/new").isDir());
  }

  // Issue 15: the export's folder dialog could not create a folder. Browse… opens a folder
  // dialog, where the typed folder's nearest existing parent is, that offers New Folder.
  void issue15_exportFolderDialogCouldNotCreateAFolder() {
    MetricsStore store;
    ExportDialog dialog(QList<const StoredRun*>{store.run(store.open(grassmann_))});
    QTemporaryDir out;
    dialog.setDir(out.path() + "/not/yet");
    QPushButton* browse = nullptr;
    for (QPushButton* b : dialog.findChildren<QPushButton*>()) {
      if (b->text().startsWith("Browse")) browse = b;
    }
    QVERIFY(browse);
    bool seen = false, can_create = false, read_only = true;
    QString where;
    QTimer::singleShot(0, [&] {
      auto* files = qobject_cast<QFileDialog*>(QApplication::activeModalWidget());
      if (!files) return;
      seen = true;
      read_only = files->testOption(QFileDialog::ReadOnly);
      where = files->directory().absolutePath();
      if (auto* b = files->findChild<QToolButton*>("newFolderButton"))
        can_create = b->isVisibleTo(files) && b->isEnabled();
      files->reject();
    });
    browse->click();
    QVERIFY(seen);
    QVERIFY(!read_only);
    QVERIFY(can_create);
    QCOMPARE(where, QDir(out.path()).absolutePath());
  }

  // Issue 24 (found trying the window): the Runs tab showed step 0 for a finished run whose last
  // step event lay further from the end than the list reads of a finished run (evaluations and
  // probes after it), and a folder without its time in the name "started" when its metrics last
  // changed.
  void issue24_runListStepAndStartOfALongTail() {
    test::FakeRun r{preset("cpu-small-grassmann"), 30, 10, 9.0, 250.0, true};
    const QString dir = test::writeFakeRun(dir_.path() + "/tail", "long-tail", r);
    QFile metrics(dir + "/metrics.jsonl");
    QVERIFY(metrics.open(QIODevice::ReadOnly));
    QList<QByteArray> lines = metrics.readAll().split('\n');
    metrics.close();
    if (lines.back().isEmpty()) lines.removeLast();
    const QByteArray finished = lines.takeLast();
    QVERIFY(finished.contains("\"finished\""));
    for (int i = 0; i < 60; ++i) {
      lines << QByteArray(
                   R"({"event":"log","step":30,"epoch":0,"tokens":3840,"time":20.0,"message":")") +
                   QByteArray(200, 'x') + "\"}";
    }
    lines << finished;
    QVERIFY(metrics.open(QIODevice::WriteOnly));
    metrics.write(lines.join('\n') + '\n');
    metrics.close();
    const QDateTime written = QDateTime::currentDateTimeUtc().addSecs(-3600);
    QFile config(dir + "/config.json");
    QVERIFY(config.open(QIODevice::ReadWrite));
    QVERIFY(config.setFileTime(written, QFileDevice::FileModificationTime));
    config.close();
    const QList<RunListing> runs = listRuns(dir_.path() + "/tail");
    QCOMPARE(runs.size(), 1);
    QCOMPARE(runs.front().status, QString("finished"));
    QCOMPARE(runs.front().step, 30);
    QCOMPARE(runs.front().started.toSecsSinceEpoch(), written.toSecsSinceEpoch());
  }

  void browserListsRunsNotesAndTrash() {
    RunBrowser browser;
    browser.setRunsDir(runs_);
    browser.refresh();  // the listing is read on the watcher's thread: wait for it
    QCOMPARE(browser.runCount(), 3);
    const QList<RunListing> runs = listRuns(runs_);
    const auto g = std::find_if(runs.begin(), runs.end(),
                                [&](const RunListing& r) { return r.dir == grassmann_; });
    QVERIFY(g != runs.end());
    QCOMPARE(g->status, QString("finished"));
    QCOMPARE(g->step, 40);
    QCOMPARE(g->best_valid_ppl, 300.0);
    RunNotes notes;
    notes.note = "baseline";
    notes.tags = {"bert", "n6"};
    writeRunNotes(grassmann_.toStdString(), notes);
    QCOMPARE(readRunNotes(grassmann_.toStdString()).tags, (std::vector<std::string>{"bert", "n6"}));
    browser.refresh();
    QCOMPARE(browser.listing(grassmann_)->tags, (QStringList{"bert", "n6"}));
    QCOMPARE(browser.listing(grassmann_)->note, QString("baseline"));
    test::FakeRun doomed{preset("cpu-small-transformer"), 5, 5, 8, 100, false};
    const QString dir = test::writeFakeRun(runs_, "doomed", doomed);
    browser.refresh();
    QCOMPARE(browser.runCount(), 4);
    QString error;
    QVERIFY2(RunBrowser::moveToTrash(dir, &error), qPrintable(error));
    QVERIFY(!QFileInfo::exists(dir));
    browser.refresh();
    QCOMPARE(browser.runCount(), 3);
  }

  // Issue 24: a run queued to resume read "stopped" in Runs while the queue said "queued" (and
  // "stopped" for a while after it resumed); Resume on it gave no reason.
  void issue24_runsTabSaysWhatTheQueueDoes() {
    test::FakeRun k{preset("cpu-small-grassmann"), 20, 10, 9.0, 0, false};  // no end: killed
    const QString dir = test::writeFakeRun(runs_ + "-queue", "k", k);
    RunBrowser browser;
    browser.setRunsDir(runs_ + "-queue");
    browser.refresh();
    QTRY_COMPARE(browser.runCount(), 1);
    const auto status = [&] {
      QTableWidget* t = browser.table();
      for (int c = 0; c < t->columnCount(); ++c)
        if (t->horizontalHeaderItem(c)->text() == "Status") return t->item(0, c)->text();
      return QString();
    };
    const QString own = status();
    QVERIFY2(own == "killed" || own == "stopped", qPrintable(own));
    browser.selectDirs({dir});
    QVERIFY(browser.resumeButton()->isEnabled());
    browser.setQueueState(dir, "queued");
    QCOMPARE(status(), "queued (" + own + ")");
    QVERIFY(!browser.resumeButton()->isEnabled());
    QVERIFY2(browser.resumeButton()->toolTip().contains("already queued in the queue"),
             qPrintable(browser.resumeButton()->toolTip()));
    browser.setQueueState(dir, "training");
    QCOMPARE(status(), "training (" + own + ")");
    browser.setQueueState(dir, {});
    QCOMPARE(status(), own);
    QVERIFY(browser.resumeButton()->isEnabled());
  }

  // Issue 24: the note dialog did not name its run.
  void issue24_noteDialogNamesItsRun() {
    RunBrowser browser;
    browser.setRunsDir(runs_);
    browser.refresh();
    QTRY_COMPARE(browser.runCount(), 3);
    browser.selectDirs({grassmann_});
    QString title, shown;
    QTimer::singleShot(0, [&] {
      auto* d = qobject_cast<QDialog*>(QApplication::activeModalWidget());
      if (!d) return;
      title = d->windowTitle();
      if (auto* which = d->findChild<QLabel*>("notes_run")) shown = which->text();
      d->reject();
    });
    browser.editNotes();
    QCOMPARE(title, "Note and tags: " + QFileInfo(grassmann_).fileName());
    QCOMPARE(shown, QDir::toNativeSeparators(grassmann_));
  }

  void comparisonShowsDifferencesAndReportedNumbers() {
    MetricsStore store;
    CompareView view(&store);
    QStringList keys = {store.open(grassmann_), store.open(grassmann_seed2_),
                        store.open(transformer_)};
    view.setRuns(keys);
    QCOMPARE(view.rows().size(), std::size_t(2));  // the two seeds form one row
    QVERIFY(view.differingKeys().contains("model.arch"));
    QVERIFY(!view.differingKeys().contains("model.d_model"));
    QVERIFY(!view.differingKeys().contains("seed"));
    // Ours beside each source that reported both architectures at N=6 L=128 BERT (grasslm has no
    // Transformer but a Grassmann number: a bar of its own too).
    QCOMPARE(view.bars()->seriesCount(), 1 + reportedSources(6, 128, "grassmann"));
    QTableWidget* table = view.table();
    bool found = false;
    for (int r = 0; r < table->rowCount(); ++r) {
      for (int c = 0; c < table->columnCount(); ++c) {
        if (table->item(r, c) && table->item(r, c)->text() == "305.00 ± 7.07") found = true;
      }
    }
    QVERIFY(found);
  }

  // Issue 24: Export comparison… refused a folder that did not exist yet (Export charts… created
  // it). It now opens the same export dialog: comparison ticked, the runs' charts not.
  void issue24_compareExportCreatesItsFolder() {
    MetricsStore store;
    CompareView view(&store);
    view.setRuns({store.open(grassmann_), store.open(transformer_)});
    QTemporaryDir out;
    const QString target = out.path() + "/not/yet";
    bool seen = false, only_comparison = false;
    QString said;
    int tries = 0;
    std::function<void()> drive = [&] {
      QWidget* w = QApplication::activeModalWidget();
      if (auto* d = qobject_cast<ExportDialog*>(w)) {
        seen = true;
        only_comparison = d->choice().options.charts.isEmpty() && d->choice().comparison;
        d->setDir(target);
        d->accept();
      } else if (auto* box = qobject_cast<QMessageBox*>(w)) {
        said = box->text();
        box->accept();
        return;
      }
      if (++tries < 200) QTimer::singleShot(20, drive);
    };
    QTimer::singleShot(0, drive);
    view.exportDialog();
    QVERIFY(seen);
    QVERIFY(only_comparison);
    QVERIFY2(said.contains("written to " + target), qPrintable(said));
    for (const char* f : {"comparison.png", "comparison.pdf", "comparison_table.md"})
      QVERIFY2(QFileInfo(target + "/" + f).size() > 0, f);
    QVERIFY(!QFileInfo::exists(target + "/reference-grassmann-n6-l128"));  // no run charts
  }

  // Issue 24: Export charts… offered only the contract's five charts, not the rest of what the
  // monitor shows. Now every chart is offered and written with its data.
  void issue24_exportChartsOffersEverythingTheMonitorShows() {
    MetricsStore store;
    const QString gk = store.open(grassmann_), tk = store.open(transformer_);
    const StoredRun& g = *store.run(gk);
    const StoredRun& t = *store.run(tk);
    ExportDialog dialog({&g, &t});
    const QStringList offered = dialog.chartNames();
    const QStringList more = {"throughput", "lr",         "grad_norm",    "alpha_mean",
                              "alpha_map",  "degenerate", "plucker_norm", "plucker_angle"};
    for (const QString& name : more) QVERIFY2(offered.contains(name), qPrintable(name));
    QVERIFY(dialog.choice().options.charts.contains("plucker_angle"));  // ticked

    QTemporaryDir out;
    ExportOptions options;
    options.width = 400;
    options.height = 300;
    options.charts = more;
    const QStringList files = exportRunFiles(g, out.path() + "/g", options);
    std::set<std::int64_t> layers;
    std::set<std::pair<std::int64_t, std::int64_t>> pairs;
    for (const AlphaEvent& a : g.events.alphas) layers.insert(a.layer);
    for (const PluckerEvent& p : g.events.pluckers) pairs.insert({p.layer, p.offset});
    QVERIFY(!layers.empty() && !pairs.empty());
    QStringList expected;
    for (const char* ext : {"png", "pdf", "csv", "json"}) {
      for (const char* name : {"throughput", "lr", "grad_norm", "alpha_mean", "degenerate"})
        expected << out.path() + "/g/" + name + "." + ext;
      for (std::int64_t l : layers)
        expected << out.path() + QString("/g/alpha_map_l%1.").arg(l) + ext;
      for (const auto& [l, d] : pairs) {
        expected << out.path() + QString("/g/plucker_norm_l%1_d%2.").arg(l).arg(d) + ext;
        expected << out.path() + QString("/g/plucker_angle_l%1_d%2.").arg(l).arg(d) + ext;
      }
    }
    QCOMPARE(QSet<QString>(files.begin(), files.end()),
             QSet<QString>(expected.begin(), expected.end()));
    // The data beside each chart is the run's own: tokens/s per step, the counts of each probe
    // with shares that sum to 1 per probe.
    const QStringList speed = csvRows(out.path() + "/g/throughput.csv");
    QCOMPARE(speed.first(), QString("step,tokens,time,tokens_per_s"));
    QCOMPARE(speed.size() - 1, static_cast<int>(g.events.steps.size()));
    for (int i = 1; i < speed.size(); ++i) {
      const double v = speed[i].split(',')[3].toDouble();
      QVERIFY(std::abs(v - g.events.steps[i - 1].tokens_per_s) <=
              1e-8 * std::abs(g.events.steps[i - 1].tokens_per_s));
    }
    const std::int64_t l0 = *layers.begin();
    std::map<std::int64_t, double> share_sum;
    std::map<std::int64_t, std::int64_t> count_sum;
    const QStringList map = csvRows(out.path() + QString("/g/alpha_map_l%1.csv").arg(l0));
    QCOMPARE(map.first(), QString("step,bin,edge_low,edge_high,count,share"));
    for (int i = 1; i < map.size(); ++i) {
      const QStringList c = map[i].split(',');
      share_sum[c[0].toLongLong()] += c[5].toDouble();
      count_sum[c[0].toLongLong()] += c[4].toLongLong();
    }
    for (const AlphaEvent& a : g.events.alphas) {
      if (a.layer != l0) continue;
      QVERIFY(std::abs(share_sum[a.step] - 1) < 1e-6);
      QCOMPARE(count_sum[a.step],
               std::accumulate(a.counts.begin(), a.counts.end(), std::int64_t{0}));
    }
    // A Grassmann run without probes: alpha and plucker say so (they said "no data yet", as if
    // more were coming).
    test::FakeRun bare{preset("cpu-small-grassmann"), 10, 10, 9.0, 250.0, false};
    MetricsStore bare_store;
    const StoredRun& b = *bare_store.run(
        bare_store.open(test::writeFakeRun(dir_.path() + "/bare", "no-probes", bare)));
    ExportOptions contract;
    contract.width = 300;
    contract.height = 200;
    exportRunFiles(b, out.path() + "/b", contract);
    const auto readJson = [](const QString& path) {
      QFile f(path);
      return f.open(QIODevice::ReadOnly) ? QJsonDocument::fromJson(f.readAll()) : QJsonDocument();
    };
    QCOMPARE(readJson(out.path() + "/b/alpha.json").object().value("empty").toString(),
             QString("no gate α probe in this run (train.probe_every)"));
    QCOMPARE(readJson(out.path() + "/b/plucker.json").object().value("empty").toString(),
             QString("no Plücker probe in this run (train.probe_every)"));
    // A Transformer has no probes: only its step series.
    const QStringList tfiles = exportRunFiles(t, out.path() + "/t", options);
    QCOMPARE(tfiles.size(), 12);
    QVERIFY(!QFileInfo::exists(out.path() + "/t/alpha_mean.png"));
  }

  // A run that was stopped at step 20 and resumed, with a spike: what the trainer writes
  // (CONTRACTS.md `log`, `resumed`, `spike`), appended to a fake run's metrics.
  QString resumedRun() {
    test::FakeRun r{preset("cpu-small-grassmann"), 40, 10, 9.0, 0, false};
    const QString dir = test::writeFakeRun(dir_.path() + "/resumed", "stopped-once", r);
    QFile f(dir + "/metrics.jsonl");
    if (!f.open(QIODevice::Append)) return {};
    f.write(
        R"({"event":"log","step":20,"epoch":0,"tokens":2560,"time":10.25,"message":"stopped at step 20; resume with gwb train --resume X"})"
        "\n");
    // The trainer writes the checkpoint's absolute path; the log shows it inside the run's folder.
    f.write(
        QByteArray(
            R"({"event":"resumed","step":20,"epoch":0,"tokens":2560,"time":10.5,"from_step":20,"checkpoint":")") +
        QFileInfo(dir).absoluteFilePath().toUtf8() + "/checkpoints/last\"}\n");
    f.write(
        R"({"event":"spike","step":25,"epoch":0,"tokens":3200,"time":12.0,"what":"loss","loss":8.5,"ema":4.0,"ratio":2.125,"grad_norm":3.0,"z":5.0})"
        "\n");
    return dir;
  }

  // Issue 24 (what a TensorBoard or W&B user missed): a run's full resolved configuration and its
  // log (stops, resumes, warnings) in the window, and the configurations of two runs side by side.
  void issue24_runDetailsShowConfigurationLogAndDiff() {
    const QString dir = resumedRun();
    QVERIFY(!dir.isEmpty());
    RunDetailsDialog one({dir});
    const RunConfig config = loadRunConfig((dir + "/config.json").toStdString());
    const auto flat = flattenConfig(config);
    QCOMPARE(one.configTable()->rowCount(), static_cast<int>(flat.size()));
    QMap<QString, QString> shown;
    for (int row = 0; row < one.configTable()->rowCount(); ++row)
      shown[one.configTable()->item(row, 0)->text()] = one.configTable()->item(row, 1)->text();
    for (const auto& [key, value] : flat)
      QCOMPARE(shown.value(QString::fromStdString(key)), QString::fromStdString(value));
    // The log: started, the stop, the resume, evaluations and the spike, in time order.
    QStringList kinds, texts;
    for (int row = 0; row < one.logTable()->rowCount(); ++row) {
      kinds << one.logTable()->item(row, 2)->text();
      texts << one.logTable()->item(row, 3)->text();
    }
    QCOMPARE(kinds.first(), QString("started"));
    const int stopped = kinds.indexOf("stopped"), resumed = kinds.indexOf("resumed"),
              spike = kinds.indexOf("spike");
    QVERIFY(stopped > 0 && resumed > stopped && spike > resumed);
    QVERIFY2(texts[resumed].contains("resumed from step 20 (checkpoints/last)"),
             qPrintable(texts[resumed]));
    QVERIFY2(texts[spike].contains("2.125 times its running mean"), qPrintable(texts[spike]));
    QCOMPARE(kinds.count("eval"), 4);
    // Two runs: only the keys that differ (ticked by default), each marked; all of them unticked.
    RunDetailsDialog two({grassmann_, transformer_});
    QTableWidget* table = two.configTable();
    QCOMPARE(table->columnCount(), 3);
    QStringList keys;
    for (int row = 0; row < table->rowCount(); ++row) {
      keys << table->item(row, 0)->text();
      QVERIFY2(table->item(row, 1)->text() != table->item(row, 2)->text(),
               qPrintable(table->item(row, 0)->text()));
    }
    QVERIFY(keys.contains("model.arch"));
    QVERIFY(!keys.contains("train.lr"));  // the same in both presets
    two.setOnlyDifferences(false);
    QCOMPARE(table->rowCount(), static_cast<int>(flat.size()));
  }

  // Issue 24: markers where a run was stopped and resumed, on its train-loss curve.
  void issue24_resumeMarkersOnTheLossCurve() {
    const QString dir = resumedRun();
    MetricsStore store;
    store.open(dir);
    MonitorView monitor(&store);
    monitor.redraw();
    QCOMPARE(monitor.lossChart()->markerXs(), QVector<double>{20});
    QVERIFY(test::shownTexts(*monitor.lossChart()).contains("resumed"));
    monitor.setXAxisMode(XAxisMode::Time);
    QCOMPARE(monitor.lossChart()->markerXs(), QVector<double>{10.5});
  }

  // Issue 24: a display name and colour of the user's own, kept in the run's notes.json, shown
  // in every chart and in later sessions; reset goes back to the configuration's name and the
  // colour chosen when it was opened.
  void issue24_displayNameAndColourAreKept() {
    const QString dir = resumedRun();
    MetricsStore store;
    const QString key = store.open(dir);
    MonitorView monitor(&store);
    monitor.redraw();
    const QColor automatic = store.run(key)->color;
    const auto lossLabelAndColour = [&]() -> std::pair<QString, QColor> {
      for (int i = 0; i < monitor.lossChart()->graphCount(); ++i) {
        QCPGraph* g = monitor.lossChart()->graph(i);
        if (g->visible() && g->pen().color().alpha() == 255) return {g->name(), g->pen().color()};
      }
      return {};
    };
    store.setLook(key, "baseline (mine)", QColor("#123456"));
    monitor.redraw();
    QCOMPARE(lossLabelAndColour().first, QString("baseline (mine)"));
    QCOMPARE(lossLabelAndColour().second, QColor("#123456"));
    QVERIFY(monitor.listText(key).startsWith("baseline (mine)"));
    const RunNotes notes = readRunNotes(dir.toStdString());
    QCOMPARE(notes.display_name, std::string("baseline (mine)"));
    QCOMPARE(notes.color, std::string("#123456"));
    {
      MetricsStore later;  // a later session
      const QString k = later.open(dir);
      QCOMPARE(later.run(k)->name, QString("baseline (mine)"));
      QCOMPARE(later.run(k)->color, QColor("#123456"));
    }
    store.setLook(key, QString(), QColor());
    monitor.redraw();
    QCOMPARE(lossLabelAndColour().first, QString("cpu-small-grassmann"));
    QCOMPARE(lossLabelAndColour().second, automatic);
    QVERIFY(readRunNotes(dir.toStdString()).display_name.empty());
  }

  // Issue 24: the Monitor's set of runs was not restored at start-up.
  void issue24_monitorRestoresItsRuns() {
    QTemporaryDir tmp;
    QSettings settings(tmp.path() + "/settings.ini", QSettings::IniFormat);
    {
      MetricsStore store;
      MonitorView monitor(&store);
      store.open(grassmann_);
      store.open(transformer_);
      monitor.setRunVisible(store.keys().at(1), false);
      monitor.saveSettings(settings);
    }
    // A folder deleted since is left out.
    QStringList saved = settings.value("monitor/runs").toStringList();
    saved << tmp.path() + "/gone";
    settings.setValue("monitor/runs", saved);
    MetricsStore store;
    MonitorView monitor(&store);
    monitor.restoreSettings(settings);
    const QString g = QFileInfo(grassmann_).absoluteFilePath(),
                  t = QFileInfo(transformer_).absoluteFilePath();
    QCOMPARE(store.keys(), (QStringList{g, t}));
    QVERIFY(monitor.runVisible(g));
    QVERIFY(!monitor.runVisible(t));
    QTRY_VERIFY_WITH_TIMEOUT(store.run(g)->loaded && store.run(t)->loaded, 10000);
    QCOMPARE(store.run(g)->events.steps.size(), std::size_t{40});
  }

  // Issue 24: zooming one chart left the others of the same steps where they were. The wheel on
  // the loss chart moves perplexity, throughput, lr and gradient with it; a double-click resets
  // them all.
  void issue24_linkedXZoom() {
    MetricsStore store;
    store.open(grassmann_);
    MonitorView monitor(&store);
    monitor.resize(1200, 900);
    monitor.show();
    QVERIFY(QTest::qWaitForWindowExposed(&monitor));
    monitor.redraw();
    plot::TimeSeriesChart* loss = monitor.lossChart();
    loss->replot();
    const QCPRange before = monitor.pplChart()->xAxis->range();
    const QPointF at = loss->axisRect()->center();
    QWheelEvent wheel(at, loss->mapToGlobal(at), QPoint(), QPoint(0, 240), Qt::NoButton,
                      Qt::NoModifier, Qt::NoScrollPhase, false);
    QApplication::sendEvent(loss, &wheel);
    const QCPRange zoomed = loss->xAxis->range();
    QVERIFY2(zoomed.size() < 0.9 * before.size(),
             qPrintable(QString("%1 vs %2").arg(zoomed.size()).arg(before.size())));
    for (plot::TimeSeriesChart* c :
         {monitor.pplChart(), monitor.throughputChart(), monitor.lrChart(), monitor.gradChart()}) {
      QVERIFY(std::abs(c->xAxis->range().lower - zoomed.lower) < 1e-9);
      QVERIFY(std::abs(c->xAxis->range().upper - zoomed.upper) < 1e-9);
    }
    // The wheel zooms x only; y fits the points in view (zooming y about the pointer cut the
    // curves off), on the chart zoomed and on those that follow.
    for (plot::TimeSeriesChart* c : {loss, monitor.lrChart()}) {
      int inside = 0;
      for (const auto& series : c->seriesData()) {
        for (int i = 0; i < series.x.size(); ++i) {
          if (series.x[i] < zoomed.lower || series.x[i] > zoomed.upper) continue;
          ++inside;
          QVERIFY2(c->yAxis->range().contains(series.y[i]),
                   qPrintable(QString("%1 at x %2 outside y %3..%4")
                                  .arg(series.y[i])
                                  .arg(series.x[i])
                                  .arg(c->yAxis->range().lower)
                                  .arg(c->yAxis->range().upper)));
        }
      }
      QVERIFY(inside > 2);
    }
    monitor.redraw();  // new data keep a followed zoom
    QVERIFY(std::abs(monitor.gradChart()->xAxis->range().upper - zoomed.upper) < 1e-9);
    QMouseEvent twice(QEvent::MouseButtonDblClick, at, loss->mapToGlobal(at), Qt::LeftButton,
                      Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(loss, &twice);
    QVERIFY(std::abs(monitor.pplChart()->xAxis->range().lower - before.lower) < 1e-9);
    QVERIFY(std::abs(monitor.pplChart()->xAxis->range().upper - before.upper) < 1e-9);
  }

  // Issue 24: the process's CPU and memory beside throughput, charted over wall time and in the
  // status bar.
  void issue24_processCpuAndMemoryAreCharted() {
    MetricsStore store;
    MonitorView monitor(&store);
    QSignalSpy sampled(&monitor, &MonitorView::processSampled);
    QTest::qWait(50);
    monitor.sampleProcess();
    QCOMPARE(sampled.size(), 1);
    QVERIFY(sampled.front().at(1).toLongLong() > (1 << 20));
    const auto memory = monitor.processMemoryChart()->seriesData();
    QCOMPARE(memory.size(), 1);
    QCOMPARE(memory.front().y.size(), 2);  // at construction and now
    QVERIFY(memory.front().y.back() > 1);  // MiB
    QCOMPARE(monitor.processCpuChart()->seriesData().front().y.size(), 1);
  }

  // Issue 24: text samples from a checkpoint in the window (gwb sample existed; the window had
  // none). A tiny run trained by gwb; the dialog's sample is what `gwb sample` gives for the
  // same settings (greedy and seeded), and the window is not held while it runs.
  void issue24_samplesFromACheckpointInTheWindow() {
    const test::ProcessResult trained =
        test::runGwb({"train",  "cpu-small-grassmann",
                      "--runs", dir_.path() + "/sampled",
                      "--set",  "train.max_steps=4",
                      "--set",  "train.eval_every=4",
                      "--set",  "train.batch_size=4",
                      "--set",  "data.seq_len=16",
                      "--set",  "model.max_len=16",
                      "--set",  "model.windows=[1,2]",
                      "--set",  "model.d_model=16",
                      "--set",  "model.n_layers=1",
                      "--set",  "model.d_ff=32",
                      "--set",  "model.r=6",
                      "--set",  "data.max_eval_tokens=2000",
                      "--set",  "train.threads=1"},
                     qEnvironmentVariable("GWB_CACHE_DIR", dir_.path() + "/cache"));
    QVERIFY2(trained.exit_code == 0, trained.err.constData());
    const QString run =
        QJsonDocument::fromJson(trained.out.split('\n').front()).object()["run_dir"].toString();
    QVERIFY(QFileInfo::exists(run + "/checkpoints/best.safetensors"));
    for (double temperature : {0.0, 0.9}) {
      SampleDialog dialog(run);
      QVERIFY2(dialog.unavailable().isEmpty(), qPrintable(dialog.unavailable()));
      dialog.setPrompt("The game");
      dialog.setSettings(12, temperature, 20, 7);
      QSignalSpy done(&dialog, &SampleDialog::sampleFinished);
      dialog.generate();
      QVERIFY(dialog.busy());  // returned at once: the sample runs in its own process
      QVERIFY(done.wait(60000));
      QVERIFY2(done.front().at(0).toBool(), qPrintable(dialog.status()));
      const test::ProcessResult cli = test::runGwb(
          {"sample", run, "--prompt", "The game", "--tokens", "12", "--temperature",
           QString::number(temperature), "--top-k", "20", "--seed", "7", "--checkpoint", "best"},
          qEnvironmentVariable("GWB_CACHE_DIR", dir_.path() + "/cache"));
      QCOMPARE(cli.exit_code, 0);
      QCOMPARE(dialog.completions(),
               QStringList{QJsonDocument::fromJson(cli.out.split('\n').front())
                               .object()["completion"]
                               .toString()});
    }
    // Without a checkpoint, and for a classifier, it says why.
    SampleDialog none(grassmann_);
    QVERIFY2(none.unavailable().contains("no checkpoint yet"), qPrintable(none.unavailable()));
  }

  // Issue 24: the progress text was hidden under the bar's fill on selected rows. The text is the
  // cell's own (drawn in the selection's colours) and the bar a strip along the cell's bottom.
  void issue24_progressTextStaysReadableOnSelectedRows() {
    RunQueueWidget queue;
    queue.resize(1000, 300);
    queue.show();
    QVERIFY(QTest::qWaitForWindowExposed(&queue));
    QueueRow r;
    r.id = "a";
    r.name = "a run";
    r.state = "running";
    r.step = 120;
    r.total_steps = 400;
    queue.setRow(r);
    queue.select("a");
    QTableWidget* table = queue.table();
    QTableWidgetItem* cell = table->item(0, 3);
    QCOMPARE(cell->text(), QString("120 / 400"));
    QVERIFY(cell->isSelected());
    QVERIFY(!table->cellWidget(0, 3));
    const QRect rect = table->visualItemRect(cell);
    const QImage image = table->viewport()->grab().toImage();
    const QRgb fill = RunQueueWidget::kBarFill.rgb(), track = RunQueueWidget::kBarTrack.rgb();
    int fill_above = 0, text_pixels = 0;
    const QRgb background = image.pixel(rect.left() + 2, rect.top() + 2);
    for (int y = rect.top(); y < rect.bottom() - RunQueueWidget::kBarHeight; ++y) {
      for (int x = rect.left(); x <= rect.right(); ++x) {
        const QRgb p = image.pixel(x, y);
        fill_above += p == fill;
        text_pixels += qAbs(qGray(p) - qGray(background)) > 60;
      }
    }
    QCOMPARE(fill_above, 0);
    QVERIFY2(text_pixels > 20, qPrintable(QString::number(text_pixels)));
    const int strip_y = rect.bottom() - RunQueueWidget::kBarHeight / 2;
    const int width = rect.width() - 6;
    QCOMPARE(image.pixel(rect.left() + 3 + width / 10, strip_y), fill);       // 30 % filled
    QCOMPARE(image.pixel(rect.left() + 3 + 8 * width / 10, strip_y), track);  // the rest
  }

  // Issue 24: the set-up/queue splitter moved when errors or the SNLI tabs appeared (the panel's
  // minimum width followed its content). It stays where the user left it.
  void issue24_setupSplitterStaysPut() {
    QSplitter split(Qt::Horizontal);
    auto* panel = new RunSetupPanel;
    split.addWidget(panel);
    split.addWidget(new QWidget);
    split.resize(1300, 800);
    split.setSizes({560, 740});
    split.show();
    QVERIFY(QTest::qWaitForWindowExposed(&split));
    const QList<int> before = split.sizes();
    panel->setFieldText("model.windows", "[1, 2, 400000, 3, 999999, 77777, 5, 6, 7, 8, 9, 10, 11]");
    panel->setFieldText("train.lr",
                        "a learning rate that is not a number at all, written out long");
    panel->validate();
    QVERIFY(!panel->statusText().isEmpty());
    QCoreApplication::processEvents();
    QCOMPARE(split.sizes(), before);
    panel->setConfig(preset("cpu-small-snli-grassmann"));
    QCoreApplication::processEvents();
    QCOMPARE(split.sizes(), before);
  }

  void exportsWriteTheContractFiles() {
    QTemporaryDir out;
    ExportOptions options;
    options.width = 600;
    options.height = 400;
    options.scale = 2;
    const QStringList files = exportRunDirectories({grassmann_, transformer_}, out.path(), options);
    const QString g = out.path() + "/reference-grassmann-n6-l128";
    const QString t = out.path() + "/reference-transformer-n6-l128";
    QStringList expected;
    for (const char* ext : {"png", "pdf", "csv", "json"}) {
      expected << out.path() + "/comparison." + ext;
      for (const char* chart : {"loss", "ppl", "loss_by_position", "alpha", "plucker"})
        expected << g + "/" + chart + "." + ext;
      for (const char* chart : {"loss", "ppl", "loss_by_position"})
        expected << t + "/" + chart + "." + ext;
    }
    for (const char* ext : {"md", "csv", "tex"})
      expected << out.path() + "/comparison_table." + ext;
    QCOMPARE(QSet<QString>(files.begin(), files.end()),
             QSet<QString>(expected.begin(), expected.end()));
    QVERIFY(!QFileInfo::exists(t + "/alpha.png"));
    for (const QString& f : files) {
      if (f.endsWith(".png")) QCOMPARE(QImage(f).size(), QSize(1200, 800));
      if (f.endsWith(".pdf")) {
        QFile pdf(f);
        QVERIFY(pdf.open(QIODevice::ReadOnly));
        QCOMPARE(pdf.read(5), QByteArray("%PDF-"));
        // Issue 24: exported PDFs had no title. Qt writes the info dictionary's strings as
        // "(" BOM UTF-16BE ")", an empty one as "()".
        const QByteArray body = pdf.readAll();
        QVERIFY2(body.contains("/Title (\xfe\xff"), qPrintable(f));
        QVERIFY2(body.contains("/Creator (\xfe\xff" + utf16be("Grassmann Workbench") + ")"),
                 qPrintable(f));
      }
    }
    // loss.csv: one row per step event of metrics.jsonl, with its numbers.
    const MetricsEvents events = readMetricsFile((grassmann_ + "/metrics.jsonl").toStdString());
    const QStringList rows = csvRows(g + "/loss.csv");
    QCOMPARE(rows.first(), QString("step,tokens,time,loss,loss_ema"));
    QCOMPARE(rows.size() - 1, static_cast<int>(events.steps.size()));
    for (int i = 1; i < rows.size(); ++i) {
      const QStringList cells = rows[i].split(',');
      QCOMPARE(cells[0].toLongLong(), events.steps[i - 1].step);
      QCOMPARE(cells[1].toLongLong(), events.steps[i - 1].tokens);
      QVERIFY(std::abs(cells[3].toDouble() - events.steps[i - 1].loss) < 1e-9);
    }
    QCOMPARE(csvRows(g + "/ppl.csv").size() - 1, 4);
    QVERIFY(csvRows(out.path() + "/comparison_table.md").size() == 4);
    QFile tex(out.path() + "/comparison_table.tex");
    QVERIFY(tex.open(QIODevice::ReadOnly));
    QVERIFY(tex.readAll().startsWith("\\begin{tabular}"));
  }

  void headlessExportFromTheCommandLine() {
    QTemporaryDir out;
    QProcess p;
    p.start(test::binDir() + "/grassmann-workbench",
            {"--export", grassmann_, transformer_, "--out", out.path(), "--width", "300",
             "--height", "200", "--scale", "2"});
    QVERIFY(p.waitForFinished(120000));
    QCOMPARE(p.exitCode(), 0);
    const QJsonArray files = QJsonDocument::fromJson(p.readAllStandardOutput()).array();
    QCOMPARE(files.size(), 4 * 9 + 3);
    QCOMPARE(QImage(out.path() + "/comparison.png").size(), QSize(600, 400));
    p.start(test::binDir() + "/grassmann-workbench",
            {"--export", dir_.path() + "/nothing", "--out", out.path()});
    QVERIFY(p.waitForFinished(60000));
    QCOMPARE(p.exitCode(), 2);
    QVERIFY(p.readAllStandardError().contains("expected a run directory with config.json"));
    // --charts: the charts beyond the contract's set from the command line too, a name it does
    // not know refused with the names it knows.
    QTemporaryDir more;
    p.start(test::binDir() + "/grassmann-workbench",
            {"--export", grassmann_, "--out", more.path(), "--width", "300", "--height", "200",
             "--charts", "lr,alpha_map"});
    QVERIFY(p.waitForFinished(120000));
    QCOMPARE(p.exitCode(), 0);
    QVERIFY(QFileInfo::exists(more.path() + "/reference-grassmann-n6-l128/lr.png"));
    QVERIFY(QFileInfo::exists(more.path() + "/reference-grassmann-n6-l128/alpha_map_l0.png"));
    QVERIFY(!QFileInfo::exists(more.path() + "/reference-grassmann-n6-l128/loss.png"));
    p.start(test::binDir() + "/grassmann-workbench",
            {"--export", grassmann_, "--out", more.path(), "--charts", "loss,gradnorm"});
    QVERIFY(p.waitForFinished(60000));
    QCOMPARE(p.exitCode(), 2);
    const QByteArray err = p.readAllStandardError();
    QVERIFY2(err.contains("--charts: expected 'all' or names from loss, ppl") &&
                 err.contains("got 'gradnorm'"),
             err.constData());
  }
};

QTEST_MAIN(TestWorkbenchViews)
#include "tst_workbench_views.moc"
