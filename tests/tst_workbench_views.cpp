// The workbench's views on run directories (offscreen): the set-up panel round-trips a
// configuration and rejects invalid ones beside the field; opening a run reproduces its curves and
// follows it as it grows; x axis modes, seed bands, reference lines and the crosshair; the run
// browser with notes, tags and the trash; the comparison view; and every export, in the GUI and
// from `grassmann-workbench --export`.
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>
#include <fstream>

#include "engine/config/presets.h"
#include "engine/train/metrics_json.h"
#include "engine/train/metrics_reader.h"
#include "fake_runs.h"
#include "plotting/bar_chart.h"
#include "plotting/heatmap_chart.h"
#include "plotting/histogram_grid.h"
#include "plotting/time_series_chart.h"
#include "test_support.h"
#include "ui/compare_view.h"
#include "ui/main_window.h"
#include "ui/metrics_store.h"
#include "ui/monitor_view.h"
#include "ui/probe_charts.h"
#include "ui/run_browser.h"
#include "ui/run_export.h"
#include "ui/run_setup_panel.h"

using namespace gwb;
using namespace gwb::ui;

namespace {

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
    monitor.setSmoothing(0.9);
    const auto smooth = monitor.lossChart()->seriesData().front();
    QCOMPARE(smooth.smoothed.front(), smooth.y.front());  // debiased: the first point is the point
    QVERIFY(smooth.smoothed[20] != smooth.y[20]);
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
    // Reference N=6 L=128 BERT: the paper's two Table 1 rows match by windows -> the first, and
    // the reproduction's row: two labelled lines.
    QCOMPARE(monitor.pplChart()->referenceLineCount(), 2);
    monitor.setGroupSeeds(true);
    QCOMPARE(monitor.lossChart()->pointCount(grassmann_), 0);  // drawn as one band instead
    QVERIFY(monitor.lossChart()->graphCount() >= 3);           // lower, upper, mean
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

  void browserListsRunsNotesAndTrash() {
    RunBrowser browser;
    browser.setRunsDir(runs_);
    QCOMPARE(browser.runCount(), 3);
    const QList<RunListing> runs = listRuns(runs_);
    const auto g = std::find_if(runs.begin(), runs.end(),
                                [&](const RunListing& r) { return r.dir == grassmann_; });
    QVERIFY(g != runs.end());
    QCOMPARE(g->status, QString("finished"));
    QCOMPARE(g->step, 40);
    QCOMPARE(g->best_valid_ppl, 300.0);
    QVERIFY(writeRunNotes(grassmann_, {"baseline", {"bert", "n6"}}));
    QCOMPARE(readRunNotes(grassmann_).tags, (QStringList{"bert", "n6"}));
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
    QCOMPARE(view.bars()->seriesCount(), 4);
    QTableWidget* table = view.table();
    bool found = false;
    for (int r = 0; r < table->rowCount(); ++r) {
      for (int c = 0; c < table->columnCount(); ++c) {
        if (table->item(r, c) && table->item(r, c)->text() == "305.00 ± 7.07") found = true;
      }
    }
    QVERIFY(found);
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
  }
};

QTEST_MAIN(TestWorkbenchViews)
#include "tst_workbench_views.moc"
