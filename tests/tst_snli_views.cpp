// The workbench's SNLI views fed by real tiny SNLI runs (trained by the built gwb on the
// embedded 1% sample, both architectures): the set-up panel switching task and showing the
// classifier's keys, the monitor's accuracy chart (overall, per class, the majority-class line)
// and confusion matrix, the run browser's accuracies, the comparison's SNLI table and bars, and
// the exports (per run accuracy.* and confusion.*, snli_comparison.*, snli_comparison_table.*)
// parsed back, in the GUI and from `grassmann-workbench --export`. Offscreen.
#include <QComboBox>
#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QProcess>
#include <QPushButton>
#include <QTabWidget>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>

#include "chart_texts.h"
#include "engine/config/presets.h"
#include "engine/util/file_io.h"
#include "fake_runs.h"
#include "plotting/bar_chart.h"
#include "plotting/confusion_chart.h"
#include "plotting/time_series_chart.h"
#include "test_support.h"
#include "ui/compare_view.h"
#include "ui/metrics_store.h"
#include "ui/monitor_view.h"
#include "ui/run_browser.h"
#include "ui/run_export.h"
#include "ui/run_setup_panel.h"

using namespace gwb;
using namespace gwb::ui;

namespace {

QJsonDocument readJson(const QString& path) {
  QFile f(path);
  f.open(QIODevice::ReadOnly);
  return QJsonDocument::fromJson(f.readAll());
}

QStringList csvRows(const QString& path) {
  QFile f(path);
  f.open(QIODevice::ReadOnly);
  return QString::fromUtf8(f.readAll()).split('\n', Qt::SkipEmptyParts);
}

}  // namespace

class TestSnliViews : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir dir_;
  QString runs_, grassmann_, transformer_;

  QString train(const QString& preset) {
    const test::ProcessResult r =
        test::runGwb({"train",  preset,
                      "--runs", runs_,
                      "--set",  "train.max_steps=12",
                      "--set",  "train.batch_size=16",
                      "--set",  "train.eval_every=4",
                      "--set",  "train.probe_every=6",
                      "--set",  "data.max_eval_tokens=3000",
                      "--set",  "model.d_model=16",
                      "--set",  "model.n_layers=1",
                      "--set",  "model.d_ff=32",
                      "--set",  "model.r=6",
                      "--set",  "model.windows=[1,2]",
                      "--set",  "train.threads=2"},
                     qEnvironmentVariable("GWB_CACHE_DIR", dir_.path() + "/cache"));
    if (r.exit_code != 0) qWarning("%s", r.err.constData());
    return QJsonDocument::fromJson(r.out.split('\n').front()).object()["run_dir"].toString();
  }

  // The run's evaluations as gwb wrote them.
  QList<QJsonObject> evals(const QString& dir, const QString& split) {
    QList<QJsonObject> out;
    QFile f(dir + "/metrics.jsonl");
    f.open(QIODevice::ReadOnly);
    for (const QByteArray& line : f.readAll().split('\n')) {
      const QJsonObject o = QJsonDocument::fromJson(line).object();
      if (o["event"].toString() == "eval" && o["split"].toString() == split) out << o;
    }
    return out;
  }

 private slots:
  void initTestCase() {
    runs_ = dir_.path() + "/runs";
    grassmann_ = train("cpu-small-snli-grassmann");
    transformer_ = train("cpu-small-snli-transformer");
    QVERIFY(QFileInfo::exists(grassmann_ + "/summary.json"));
    QVERIFY(QFileInfo::exists(transformer_ + "/summary.json"));
  }

  void setupPanelSwitchesTaskAndShowsTheClassifierKeys() {
    RunSetupPanel panel;
    QVERIFY(panel.loadPreset("cpu-small-snli-grassmann"));
    QVERIFY(panel.config().has_value());
    const auto tabVisible = [&](const QString& title) {
      for (int i = 0; i < panel.tabs()->count(); ++i)
        if (panel.tabs()->tabText(i) == title) return panel.tabs()->isTabVisible(i);
      return false;
    };
    QVERIFY(tabVisible("Classifier"));
    QVERIFY(panel.editor("model.pooling")->isEnabled());
    QVERIFY(panel.editor("data.pair_encoding")->isEnabled());
    QVERIFY(!panel.editor("model.heads")->isEnabled());  // a Grassmann model
    auto* format = qobject_cast<QComboBox*>(panel.editor("data.format"));
    QCOMPARE(format->count(), 4);  // auto, jsonl, txt, tsv
    QVERIFY(panel.parameterText().contains("classifier"));
    panel.setFieldText("data.task", "wikitext2");
    panel.validate();
    QVERIFY(!tabVisible("Classifier"));
    QVERIFY(!panel.editor("model.pooling")->isEnabled());
    QCOMPARE(format->count(), 3);  // auto, tokens, raw
    // bf16 is an error on a CPU only: the panel validates for the machine's device.
    panel.setFieldText("train.precision", "bf16");
    panel.validate();
    QVERIFY(!panel.errorShown("train.precision").isEmpty());
    panel.setDeviceIsCuda(true);
    QVERIFY2(panel.errorShown("train.precision").isEmpty(),
             qPrintable(panel.errorShown("train.precision")));
  }

  void setupPanelSaysWhatTheBackboneFolderHolds() {
    RunSetupPanel panel;
    QVERIFY(panel.loadPreset("snli-paper-grassmann"));
    auto* info = panel.findChild<QLabel*>("backbone_info");
    QVERIFY(info);
    // Nothing configured, nothing installed: both ways named.
    QVERIFY2(info->text().contains("gwb data fetch distilbert-base-uncased") &&
                 info->text().contains("model.backbone_dir"),
             qPrintable(info->text()));
    QVERIFY(panel.findChild<QPushButton*>("model.backbone_dir.browse"));
    // The golden DistilBERT: its shape and digest shown, and why it does not fit (120 ids).
    const std::string golden = gwb::test::goldenPath("distilbert");
    panel.setFieldText("model.backbone_dir", QString::fromStdString(golden));
    panel.validate();
    // The weights are hashed on a worker: "reading ..." first, then the description.
    QTRY_VERIFY_WITH_TIMEOUT(!panel.backboneReading() && !info->text().startsWith("reading"),
                             10000);
    const std::string sha = gwb::sha256Hex(gwb::readFileBytes(golden + "/model.safetensors"));
    QVERIFY2(info->text().contains("dim 64") && info->text().contains("2 layers") &&
                 info->text().contains(QString::fromStdString(sha)),
             qPrintable(info->text()));
    QVERIFY(!panel.errorShown("model.backbone_dir").isEmpty());  // BERT's 30,522 ids > 120
    panel.setFieldText("model.backbone_dir", QString::fromStdString(golden + "-missing"));
    panel.validate();
    QVERIFY(!panel.errorShown("model.backbone_dir").isEmpty());
    QVERIFY(panel.loadPreset("snli-reference-grassmann"));
    QVERIFY2(panel.parameterText().contains("degenerate"), qPrintable(panel.parameterText()));
  }

  void monitorDrawsAccuracyAndTheConfusionMatrix() {
    MetricsStore store;
    const QString key = store.open(grassmann_);
    MonitorView monitor(&store);
    monitor.redraw();
    const QList<QJsonObject> valid = evals(grassmann_, "valid");
    QCOMPARE(valid.size(), 3);  // steps 4, 8, 12
    plot::TimeSeriesChart* accuracy = monitor.accuracyChart();
    QCOMPARE(accuracy->pointCount(key), 3);
    for (const char* k : {"#E", "#N", "#C"}) QCOMPARE(accuracy->pointCount(key + k), 3);
    const auto series = accuracy->seriesData();
    double last = 0;
    for (const auto& s : series) {
      if (s.id == key) last = s.y.back();
    }
    QVERIFY(std::abs(last - 100 * valid.back()["accuracy"].toDouble()) < 1e-9);
    QVERIFY(accuracy->referenceLineCount() >= 1);  // the majority class of the dev pairs read
    // The latest evaluation is the test split (with the best checkpoint).
    const QJsonObject test = evals(grassmann_, "test").front();
    const QJsonArray confusion = test["confusion"].toArray();
    plot::ConfusionChart* chart = monitor.confusionChart();
    QCOMPARE(chart->counts().size(), 3);
    for (int g = 0; g < 3; ++g)
      for (int p = 0; p < 3; ++p)
        QCOMPARE(chart->counts()[g][p], static_cast<qint64>(confusion[g].toArray()[p].toInt()));
    QVERIFY(chart->cellText(0, 0).startsWith(QString::number(confusion[0].toArray()[0].toInt())));
  }

  // Issue 24: the Accuracy tab shared its x range with Wikitext-2 runs (a 12-step SNLI run
  // squeezed into a sliver of a 600-step axis), and empty it read 0-1 under "accuracy (%)".
  void accuracyKeepsTheSnliRunsOwnRange() {
    {
      MetricsStore none;
      MonitorView empty(&none);
      empty.redraw();
      QCOMPARE(empty.accuracyChart()->yAxis->range().lower, -5.0);  // 0..100 padded by 5 %
      QCOMPARE(empty.accuracyChart()->yAxis->range().upper, 105.0);
    }
    test::FakeRun lm;
    lm.config = loadConfigArgument("cpu-small-grassmann", {});
    lm.steps = 600;
    lm.eval_every = 100;
    const QString lm_dir = test::writeFakeRun(dir_.path() + "/lm", "lm-600", lm);
    MetricsStore store;
    const QString snli_key = store.open(grassmann_);
    const QString lm_key = store.open(lm_dir);
    MonitorView monitor(&store);
    monitor.redraw();
    const QCPRange x = monitor.accuracyChart()->xAxis->range();
    QVERIFY2(x.upper < 100, qPrintable(QString::number(x.upper)));  // the SNLI run's 12 steps
    QVERIFY(x.lower <= 4);
    QVERIFY(monitor.lossChart()->xAxis->range().upper >= 600);  // the loss keeps the LM's steps
    // Issue 24: SNLI losses (about 1.1) shared the Train-loss chart with LM losses (about 6). They
    // have their own chart on the SNLI tab, with the accuracy's range.
    const auto ids = [](const plot::TimeSeriesChart* c) {
      QStringList out;
      for (const auto& s : c->seriesData()) out << s.id;
      return out;
    };
    QCOMPARE(ids(monitor.lossChart()), QStringList{lm_key});
    QCOMPARE(ids(monitor.snliLossChart()), QStringList{snli_key});
    QVERIFY(monitor.snliLossChart()->xAxis->range().upper < 100);
    QVERIFY(monitor.snliLossChart()->yAxis->range().upper < 5);
    MetricsStore only_snli;
    only_snli.open(grassmann_);
    MonitorView snli_monitor(&only_snli);
    snli_monitor.redraw();
    QVERIFY(test::shownTexts(*snli_monitor.lossChart())
                .contains("no Wikitext-2 run shown: SNLI train losses are on the SNLI tab"));
  }

  // Issue 15: without a matching reported number the accuracy chart said nothing; the reported
  // SNLI rows are for heads on a frozen DistilBERT, and these runs train from scratch.
  void issue15_noReportedSnliNumberWasNotSaid() {
    MetricsStore store;
    store.open(grassmann_);
    MonitorView monitor(&store);
    monitor.redraw();
    const QString note =
        test::shownTexts(*monitor.accuracyChart()).filter("no reported number").join(' ');
    QVERIFY2(note.contains("from scratch") && note.contains("frozen DistilBERT"), qPrintable(note));
  }

  void runsListSnliRunsWithTheirAccuracies() {
    const QList<RunListing> runs = listRuns(runs_);
    QCOMPARE(runs.size(), 2);
    const QJsonObject summary = readJson(grassmann_ + "/summary.json").object();
    for (const RunListing& r : runs) {
      QCOMPARE(r.task, QString("snli"));
      if (r.dir != grassmann_) continue;
      QCOMPARE(r.best_valid_accuracy, summary["best_valid_accuracy"].toDouble());
      QCOMPARE(r.test_accuracy, summary["test_accuracy"].toDouble());
    }
    RunBrowser browser;
    browser.setRunsDir(runs_);
    browser.refresh();  // the listing is read on the watcher's thread: wait for it
    QCOMPARE(browser.runCount(), 2);
    QTableWidget* table = browser.table();
    int test_column = -1;
    for (int c = 0; c < table->columnCount(); ++c) {
      if (table->horizontalHeaderItem(c)->text().startsWith("Test")) test_column = c;
    }
    QVERIFY(test_column >= 0);
    QVERIFY(table->item(0, test_column)->text().endsWith("%"));  // test accuracy, percent
  }

  void comparisonShowsTheSnliTableAndBars() {
    MetricsStore store;
    const QString g = store.open(grassmann_), t = store.open(transformer_);
    CompareView compare(&store);
    compare.setRuns({g, t});
    QCOMPARE(compare.snliRows().size(), std::size_t(2));
    QCOMPARE(compare.rows().size(), std::size_t(0));
    QCOMPARE(compare.tasks()->currentIndex(), 1);  // the SNLI page shows
    QCOMPARE(compare.snliTable()->rowCount(), 2);
    QCOMPARE(compare.snliBars()->categories().size(), 8);  // 2 rows x (all, E, N, C)
    QCOMPARE(compare.snliBars()->seriesCount(), 3);
    const QJsonObject summary = readJson(grassmann_ + "/summary.json").object();
    bool found = false;
    for (const SnliReportRow& row : compare.snliRows()) {
      if (row.arch != "grassmann") continue;
      found = true;
      QCOMPARE(row.family, std::string("scratch"));
      QVERIFY(std::abs(row.test_accuracy.mean - 100 * summary["test_accuracy"].toDouble()) < 1e-9);
      QVERIFY(row.references.empty());
    }
    QVERIFY(found);
  }

  void exportsWriteAccuracyConfusionAndTheSnliComparison() {
    const QString out = dir_.path() + "/export";
    ExportOptions o;
    o.width = 400;
    o.height = 300;
    const QStringList written = exportRunDirectories({grassmann_, transformer_}, out, o);
    const QString run = out + "/cpu-small-snli-grassmann";
    for (const char* stem : {"loss", "accuracy", "confusion", "alpha", "plucker"}) {
      for (const char* ext : {".png", ".pdf", ".csv", ".json"}) {
        QVERIFY2(QFileInfo(run + "/" + stem + ext).size() > 0, qPrintable(run + "/" + stem + ext));
      }
    }
    QVERIFY(!QFileInfo::exists(run + "/ppl.png"));  // perplexity is the LM's
    const QStringList rows = csvRows(run + "/accuracy.csv");
    QCOMPARE(rows.front(),
             QString("step,tokens,time,loss,accuracy,entailment,neutral,contradiction"));
    QCOMPARE(rows.size(), 1 + 3);
    const QJsonObject test = evals(grassmann_, "test").front();
    QCOMPARE(readJson(run + "/confusion.json").object()["confusion"].toArray(),
             test["confusion"].toArray());
    QCOMPARE(readJson(run + "/confusion.json").object()["split"].toString(), QString("test"));
    for (const char* f : {"snli_comparison.png", "snli_comparison.pdf", "snli_comparison.csv",
                          "snli_comparison.json", "snli_comparison_table.md",
                          "snli_comparison_table.csv", "snli_comparison_table.tex"}) {
      QVERIFY2(written.contains(out + "/" + f), f);
    }
    // Issue 24: snli_comparison had no title (its PDF's /Title was empty, no heading drawn).
    QFile pdf(out + "/snli_comparison.pdf");
    QVERIFY(pdf.open(QIODevice::ReadOnly));
    QByteArray title;
    for (const QChar c : QString("SNLI: test accuracy per class"))
      title.append(char(c.unicode() >> 8)).append(char(c.unicode() & 0xff));
    QVERIFY(pdf.readAll().contains("/Title (\xfe\xff" + title));
    // Only SNLI runs: no empty Wikitext-2 figure or table beside them (issue 24).
    for (const char* f : {"comparison.png", "comparison.pdf", "comparison_table.md"})
      QVERIFY2(!QFileInfo::exists(out + "/" + f), f);
    const QJsonArray report = readJson(out + "/snli_comparison.json").object()["report"].toArray();
    QCOMPARE(report.size(), 2);
    QCOMPARE(report[0].toObject()["task"].toString(), QString("snli"));
    QCOMPARE(csvRows(out + "/snli_comparison_table.csv").size(), 3);
    QVERIFY(QFile(out + "/snli_comparison_table.md").open(QIODevice::ReadOnly));
  }

  void headlessExportOfAnSnliRun() {
    QProcess p;
    p.start(test::binDir() + "/grassmann-workbench",
            {"--export", transformer_, "--out", dir_.path() + "/headless", "--width", "320",
             "--height", "240"});
    QVERIFY(p.waitForFinished(120000));
    QCOMPARE(p.exitCode(), 0);
    const QJsonArray files = QJsonDocument::fromJson(p.readAllStandardOutput()).array();
    QStringList names;
    for (const auto& f : files) names << QFileInfo(f.toString()).fileName();
    QVERIFY(names.contains("accuracy.png") && names.contains("confusion.csv") &&
            names.contains("snli_comparison_table.tex"));
    QVERIFY(!names.contains("alpha.png"));  // a Transformer has no gate
  }
};

QTEST_MAIN(TestSnliViews)
#include "tst_snli_views.moc"
