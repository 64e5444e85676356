// The first window, offscreen: it opens on the embedded data and counts it on a worker thread,
// shows SNLI counts, reports a bad folder beside the controls without dying, can be cancelled
// between splits, its About text names the versions, and the monitor's settings come back.
#include <QAction>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>

#include "plotting/bar_chart.h"
#include "ui/data_page.h"
#include "ui/main_window.h"
#include "ui/monitor_view.h"

using namespace gwb::ui;

class TestMainWindow : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir settings_dir_;

  static bool waitDone(DataPage* page) {
    QSignalSpy spy(page, &DataPage::finished);
    return !page->isRunning() || spy.wait(120000);
  }

 private slots:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName("GrassmannWorkbenchTest");
  }

  void opensOnTheEmbeddedData() {
    MainWindow window({"0.1.0", "abc123", "1.13.0", "", 2});
    window.show();
    QTRY_VERIFY_WITH_TIMEOUT(
        window.dataPage()->isRunning() || !window.dataPage()->stats().splits.empty(), 5000);
    QVERIFY(waitDone(window.dataPage()));
    const auto& stats = window.dataPage()->stats();
    QCOMPARE(window.dataPage()->errorText(), QString());
    QCOMPARE(stats.task, std::string("wikitext2"));
    QCOMPARE(stats.splits.size(), std::size_t(3));
    QCOMPARE(stats.splits[0].tokens, std::int64_t(2448382));
    QCOMPARE(stats.splits[0].chunks, std::int64_t(9563));
    QCOMPARE(window.dataPage()->table()->rowCount(), 3);
    QCOMPARE(window.dataPage()->table()->item(0, 0)->text(), QString("train"));
    QCOMPARE(window.dataPage()->chart()->seriesCount(), 1);
  }

  // Issue 15: the monitor's smoothing came back as 0.60 in the next session (it was saved but
  // never restored, and the slider's 1/100 steps could not hold every weight).
  void issue15_smoothingDidNotRoundTrip() {
    for (const double weight : {0.62, 0.625, 0.0, 0.999}) {
      {
        MainWindow window({"0.1.0", "abc123", "1.13.0", "", 2});
        window.monitor()->setSmoothing(weight);
        QCOMPARE(window.monitor()->smoothing(), weight);
        window.close();
      }
      MainWindow again({"0.1.0", "abc123", "1.13.0", "", 2});
      QCOMPARE(again.monitor()->smoothing(), weight);
      again.close();
    }
  }

  void countsSnliLabels() {
    DataPage page;
    page.setRequest("snli", "bert", "", 256);
    page.computeStats();
    QVERIFY(waitDone(&page));
    QCOMPARE(page.errorText(), QString());
    QCOMPARE(page.stats().splits.size(), std::size_t(3));
    const auto& dev = page.stats().splits[1];
    QCOMPARE(dev.split, std::string("dev"));
    QCOMPARE(dev.kept, std::int64_t(9842));
    QCOMPARE(dev.labels[0], std::int64_t(3329));
    QCOMPARE(page.table()->columnCount(), 10);
  }

  void badFolderShowsTheErrorAndKeepsWorking() {
    QTemporaryDir empty;
    DataPage page;
    page.setRequest("wikitext2", "gpt2", empty.path(), 128);
    page.computeStats();
    QVERIFY(waitDone(&page));
    QVERIFY2(page.errorText().startsWith(empty.path() +
                                         "/wiki.train.tokens: expected a Wikitext-2 train file"),
             qPrintable(page.errorText()));
    // Still usable: a good request afterwards succeeds.
    page.setRequest("wikitext2", "gpt2", "", 128);
    page.computeStats();
    QVERIFY(waitDone(&page));
    QCOMPARE(page.errorText(), QString());
    QCOMPARE(page.stats().splits[0].chunks, std::int64_t(2448382 / 128));
  }

  void cancelStopsAfterTheCurrentSplit() {
    // A fresh cache, so that the first split takes long enough to cancel during it.
    QTemporaryDir cache;
    qputenv("GWB_CACHE_DIR", cache.path().toUtf8());
    DataPage page;
    page.setRequest("wikitext2", "bert", "", 256);
    page.computeStats();
    page.cancel();
    QVERIFY(waitDone(&page));
    QCOMPARE(page.stats().splits.size(), std::size_t(1));
    qunsetenv("GWB_CACHE_DIR");
  }

  void aboutNamesTheVersions() {
    MainWindow window({"0.1.0", "abc123", "1.13.0", "", 2});
    const QString about = window.aboutText();
    QVERIFY(about.contains("0.1.0"));
    QVERIFY(about.contains("abc123"));
    QVERIFY(about.contains(qVersion()));
    QVERIFY(about.contains("1.13.0"));
    QVERIFY(about.contains("CPU (2 threads)"));
  }

  // Issue 24: Help linked neither the README nor the docs.
  void helpOpensTheUserGuide() {
    MainWindow window({"0.1.0", "abc123", "1.13.0", "", 2});
    auto* guide = window.findChild<QAction*>("help_guide");
    QVERIFY(guide);
    QCOMPARE(guide->shortcut(), QKeySequence(QKeySequence::HelpContents));
    QFile readme(window.userGuidePath());
    QVERIFY2(readme.open(QIODevice::ReadOnly), qPrintable(window.userGuidePath()));
    QVERIFY(readme.readLine().startsWith("# Grassmann Workbench"));
    // Its figures resolve beside it.
    QVERIFY(QFileInfo::exists(
        QFileInfo(window.userGuidePath()).dir().filePath("docs/screenshots/study-waterfall.png")));
  }
};

QTEST_MAIN(TestMainWindow)
#include "tst_main_window.moc"
