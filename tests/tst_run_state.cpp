// One true picture of a run (issue 15), each test pinning a defect a first-time user met: Resume
// continues the same queue row and never queues a second trainer on one folder, a finished run
// or one trained elsewhere is refused with the reason; the queue is kept across sessions and can
// lose several rows or all queued ones; quitting while runs train asks; the Runs tab follows the
// folder and shows a training run as running with its numbers so far; Compare marks runs in
// progress; a deleted run is noticed in Monitor and Runs, runs leave the Monitor on request, and
// opening an unticked run shows it; Move to trash says where the folder went; the set-up panel
// names its preset, keeps still while edited, asks before dropping edits, says which fields on
// which pages need attention and shows the first one on Ctrl+Enter, with labels for keys; the
// View menu reads "Set up & queue"; a speedrun on a CPU says how long it would take and asks.
#include <QAction>
#include <QComboBox>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QListWidget>
#include <QMenuBar>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>
#include <chrono>

#include "app/controller/run_controller.h"
#include "app/workbench.h"
#include "engine/config/presets.h"
#include "engine/report/report.h"
#include "engine/runs/metrics_json.h"
#include "engine/runs/run_lock.h"
#include "engine/runs/run_reader.h"
#include "engine/util/file_io.h"
#include "fake_runs.h"
#include "test_support.h"
#include "ui/compare_view.h"
#include "ui/main_window.h"
#include "ui/metrics_store.h"
#include "ui/monitor_view.h"
#include "ui/run_browser.h"
#include "ui/run_queue_widget.h"
#include "ui/run_setup_panel.h"

using namespace gwb;

namespace {

RunConfig tiny(const char* name, std::int64_t epochs = 1) {
  RunConfig c = test::tinyRunConfig(name);
  c.train.epochs = epochs;
  return c;
}

bool waitState(RunController& c, const QString& id, RunState state, int ms = 120000) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (std::chrono::steady_clock::now() < deadline) {
    if (c.entry(id) && c.entry(id)->state == state) return true;
    QTest::qWait(50);
  }
  return false;
}

// A run directory whose summary says "stopped" at a validation ppl of 900 while its events go on
// to 300: what a resumed run looks like from its files while it trains.
QString staleRun(const QString& runs, const QString& name) {
  test::FakeRun f{loadConfigArgument("reference-grassmann-n6-l128", {}), 40, 10, 6.0, 0, false};
  const QString dir = test::writeFakeRun(runs, name, f);
  RunSummary s;
  s.status = "stopped";
  s.best_valid_ppl = 900;
  writeFileAtomic((dir + "/summary.json").toStdString(), summaryToJson(s));
  return dir;
}

}  // namespace

class TestRunState : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir dir_;
  QString path(const QString& name) const { return dir_.path() + "/" + name; }

 private slots:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    qputenv("XDG_DATA_HOME", path("xdg-data").toUtf8());  // the desktop trash lives here
  }

  void resumeContinuesTheSameRowAndNeverDuplicatesIt() {
    RunController c(path("resume"));
    c.setMaxConcurrent(1);
    const QString id = c.enqueue(tiny("resumed", 2));
    QTRY_VERIFY_WITH_TIMEOUT(c.entry(id)->step >= 2, 60000);
    c.stop(id);
    QVERIFY(waitState(c, id, RunState::Stopped));
    const QString dir = c.entry(id)->run_dir;
    const int rows = c.ids().size();
    QCOMPARE(c.enqueueResume(dir), id);  // the stopped row continues: no second row
    QCOMPARE(c.ids().size(), rows);
    QCOMPARE(c.entry(id)->name, QString("resumed"));
    QCOMPARE(c.entry(id)->arch, QString("grassmann"));
    QString why;
    QCOMPARE(c.enqueueResume(dir, &why), id);  // a second click while it trains: the same row
    QCOMPARE(c.ids().size(), rows);
    QVERIFY(why.contains("already"));
    QVERIFY(waitState(c, id, RunState::Finished));
    QVERIFY(c.enqueueResume(dir, &why).isEmpty());  // finished: refused, and why
    QVERIFY2(why.contains("finished"), qPrintable(why));
    QCOMPARE(c.dirState(dir), RunController::DirState::Finished);
  }

  void resumeOfARunTrainedElsewhereIsRefused() {
    RunController c(path("elsewhere"));
    const QString id = c.enqueue(tiny("stopped-here"));
    QTRY_VERIFY_WITH_TIMEOUT(c.entry(id)->step >= 1, 60000);
    c.stop(id);
    QVERIFY(waitState(c, id, RunState::Stopped));
    const QString dir = c.entry(id)->run_dir;
    RunController other(path("elsewhere"));  // another window, or gwb, holds the folder now
    {
      const RunLock lock(dir.toStdString());
      QString why;
      QVERIFY(other.enqueueResume(dir, &why).isEmpty());
      QVERIFY2(why.contains("being trained by"), qPrintable(why));
    }
    QVERIFY(!other.enqueueResume(dir).isEmpty());
    QVERIFY(waitState(other, other.entryOfDir(dir), RunState::Finished));
  }

  void queueIsKeptAcrossSessionsInOrderWithItsEdits() {
    QByteArray saved;
    {
      RunController c(path("kept"));
      c.setMaxConcurrent(1);
      RunConfig a = tiny("first", 50), b = tiny("second"), d = tiny("third");
      b.train.lr = 0.0042;  // an edit the queue must keep
      c.enqueue(a);
      c.enqueue(b);
      c.enqueue(d);
      QTRY_VERIFY_WITH_TIMEOUT(!c.entry(c.ids().front())->run_dir.isEmpty(), 60000);
      saved = c.saveQueue();
    }  // quitting stops the first with a checkpoint
    RunController restored(path("kept"));
    restored.setMaxConcurrent(1);
    QCOMPARE(restored.restoreQueue(saved), 3);
    const QStringList ids = restored.ids();
    QCOMPARE(restored.entry(ids[0])->name, QString("first"));
    QVERIFY(!restored.entry(ids[0])->resume_dir.isEmpty());  // it resumes, not restarts
    QCOMPARE(restored.entry(ids[1])->config.train.lr, 0.0042);
    QCOMPARE(restored.entry(ids[2])->name, QString("third"));
    for (const QString& id : ids) restored.stop(id);
  }

  // Issue 24: after a restart the finished rows lost their progress (an empty bar, no steps).
  void finishedRowsKeepTheirProgressAcrossSessions() {
    QByteArray saved;
    qint64 step = 0, total = 0;
    {
      RunController c(path("progress"));
      const QString id = c.enqueue(tiny("done"));
      QVERIFY(waitState(c, id, RunState::Finished));
      step = c.entry(id)->step;
      total = c.entry(id)->total_steps;
      QVERIFY(step > 0 && total == step);
      saved = c.saveQueue();
    }
    RunController restored(path("progress"));
    QCOMPARE(restored.restoreQueue(saved), 1);
    const RunEntry* e = restored.entry(restored.ids().front());
    QCOMPARE(e->state, RunState::Finished);
    QCOMPARE(e->step, step);
    QCOMPARE(e->total_steps, total);
    QCOMPARE(queueRow(*e).step, step);
    // A queue saved before rows kept their progress: read from the run's own files.
    QJsonObject old = QJsonDocument::fromJson(saved).object();
    QJsonArray rows = old["queue"].toArray();
    QJsonObject row = rows[0].toObject();
    row.remove("step");
    row.remove("total_steps");
    rows[0] = row;
    old["queue"] = rows;
    RunController older(path("progress"));
    QCOMPARE(older.restoreQueue(QJsonDocument(old).toJson()), 1);
    QCOMPARE(older.entry(older.ids().front())->step, step);
    QCOMPARE(older.entry(older.ids().front())->total_steps, step);
  }

  void severalRowsOrAllQueuedOnesCanBeRemoved() {
    ui::RunQueueWidget queue;
    for (int i = 0; i < 4; ++i) {
      ui::QueueRow row;
      row.id = QString("run-%1").arg(i);
      row.name = "r";
      row.arch = "grassmann";
      row.state = i == 0 ? "running" : "queued";
      queue.setRow(row);
    }
    QSignalSpy removed(&queue, &ui::RunQueueWidget::removeRequested);
    queue.findChild<QTableWidget*>()->selectAll();
    QCOMPARE(queue.selectedIds().size(), 4);
    for (QPushButton* b : queue.findChildren<QPushButton*>()) {
      if (b->text() == "Remove") b->click();
    }
    QCOMPARE(removed.count(), 3);  // every selected row that is not training
    RunController c(path("clear"));
    c.setMaxConcurrent(1);
    const QString running = c.enqueue(tiny("a", 50));
    c.enqueue(tiny("b"));
    c.enqueue(tiny("c"));
    QCOMPARE(c.clearQueued(), 2);
    QCOMPARE(c.ids(), QStringList{running});
    c.stop(running);
    QVERIFY(waitState(c, running, RunState::Stopped));
  }

  void quittingWhileRunsTrainAsks() {
    ui::MainWindow window({"0.1.0", "test", "1.13.0", "", 2});
    RunController controller(path("quit"));
    connectWorkbench(window, controller);
    controller.setMaxConcurrent(1);
    const QString id = controller.enqueue(tiny("long", 50));
    controller.enqueue(tiny("waiting"));
    QString asked;
    window.setConfirmHandler([&](const QString&, const QString& q) {
      asked = q;
      return false;
    });
    window.show();
    QTRY_VERIFY_WITH_TIMEOUT(controller.entry(id)->state == RunState::Running, 30000);
    QVERIFY(!window.close());  // declined: the window stays
    QVERIFY2(asked.contains("1 run(s) are training and 1 queued"), qPrintable(asked));
    QVERIFY(window.isVisible());
    window.setConfirmHandler([](const QString&, const QString&) { return true; });
    QVERIFY(window.close());
    const QByteArray saved = QSettings().value("queue/state").toByteArray();
    QVERIFY(saved.contains("waiting"));  // restored at the next start
    controller.stop(id);
    QVERIFY(waitState(controller, id, RunState::Stopped));
  }

  void runsTabShowsATrainingRunAsRunningWithItsNumbersSoFar() {
    const QString runs = path("runs-tab");
    const QString dir = staleRun(runs, "20261202-101010-resumed");
    ui::RunBrowser browser;
    browser.setRunsDir(runs);
    browser.refresh();  // the listing is read on the watcher's thread: wait for it
    QCOMPARE(browser.listing(dir)->status, QString("stopped"));  // nobody trains it
    {
      const RunLock lock(dir.toStdString());  // a trainer holds it
      browser.refresh();
      const ui::RunListing* r = browser.listing(dir);
      QCOMPARE(r->status, QString("running"));
      QVERIFY(r->in_progress);
      QVERIFY2(r->best_valid_ppl < 900, qPrintable(QString::number(r->best_valid_ppl)));
      browser.selectDirs({dir});
      QVERIFY(!browser.resumeButton()->isEnabled());  // one trainer per folder
    }
    browser.refresh();
    browser.selectDirs({dir});
    QVERIFY(browser.resumeButton()->isEnabled());
    // A new run folder is listed without Refresh.
    test::writeFakeRun(runs, "20261202-111111-new",
                       {loadConfigArgument("cpu-small-grassmann", {}), 5, 5, 6.0, 100, false});
    QTRY_COMPARE_WITH_TIMEOUT(browser.runCount(), 2, 10000);
  }

  void runsTabSortsFiltersAndTellsSameNameRunsApart() {
    const QString runs = path("sorting");
    RunConfig a = loadConfigArgument("cpu-small-grassmann", {}), b = a;
    b.seed = 7;
    b.train.lr = 0.001;
    test::writeFakeRun(runs, "20261201-000000-cpu-small-grassmann", {a, 10, 5, 6.0, 300, false});
    test::writeFakeRun(runs, "20261202-000000-cpu-small-grassmann", {b, 10, 5, 6.0, 100, false});
    test::writeFakeRun(runs, "20261203-000000-other",
                       {loadConfigArgument("cpu-small-transformer", {}), 10, 5, 6.0, 200, false});
    ui::RunBrowser browser;
    browser.setRunsDir(runs);
    browser.refresh();  // the listing is read on the watcher's thread: wait for it
    const QString later = runs + "/20261202-000000-cpu-small-grassmann";
    QVERIFY2(browser.listing(later)->differs.contains("seed=7") &&
                 browser.listing(later)->differs.contains("train.lr=0.001"),
             qPrintable(browser.listing(later)->differs));
    QVERIFY(browser.listing(runs + "/20261203-000000-other")->differs.isEmpty());
    QTableWidget* table = browser.table();
    table->sortItems(11, Qt::AscendingOrder);      // best valid: numbers, not text
    QCOMPARE(browser.shownDirs().front(), later);  // 100 before 200 before 300
    browser.setFilter("transformer");
    QCOMPARE(browser.shownDirs(), QStringList{runs + "/20261203-000000-other"});
  }

  void compareMarksRunsInProgressAndUsesTheirLatestEvaluation() {
    const QString dir = staleRun(path("compare"), "r");
    ui::MetricsStore store;
    const QString key = store.open(dir);
    ui::CompareView compare(&store);
    compare.setRuns({key});
    QCOMPARE(compare.rows().front().in_progress, 0);
    QCOMPARE(compare.rows().front().best_valid_ppl.mean, 900.0);  // a stopped run: its summary
    const RunLock lock(dir.toStdString());
    store.pollFollowed();  // the watcher's thread reads the run: wait for it
    compare.setRuns({key});
    QCOMPARE(compare.rows().front().in_progress, 1);
    QVERIFY(compare.rows().front().best_valid_ppl.mean < 900);  // its evaluations so far
    QVERIFY(compare.table()->item(0, 1)->text().contains("in progress"));
  }

  // Issue 24: Compare and gwb report stated a gap between runs at different points of training.
  // With a run not finished, the gap is taken at the latest validation step both have.
  void gapOfAnUnfinishedPairIsTakenAtTheirCommonStep() {
    const QString runs = path("common-step");
    RunConfig g = loadConfigArgument("reference-grassmann-n6-l128", {});
    RunConfig t = loadConfigArgument("reference-transformer-n6-l128", {});
    // Grassmann stopped at step 40 (no summary, nobody training it); the Transformer finished 60.
    const QString gd = test::writeFakeRun(runs, "g", {g, 40, 10, 7.0, 0, false});
    const QString td = test::writeFakeRun(runs, "t", {t, 60, 10, 6.0, 150, false});
    const std::vector<RunRecord> records = {readRun(gd.toStdString()), readRun(td.toStdString())};
    const std::vector<ReportRow> rows = buildReport(records, {});
    const std::vector<PairGap> gaps = pairGaps(rows, records);
    QCOMPARE(gaps.size(), std::size_t(1));
    QVERIFY(gaps[0].common_step.has_value());
    QCOMPARE(*gaps[0].common_step, std::int64_t(40));
    // fake_runs: the valid loss at step s is loss0 exp(-0.02 s); both at step 40.
    const double expected =
        100.0 * (std::exp(7.0 * std::exp(-0.8)) / std::exp(6.0 * std::exp(-0.8)) - 1.0);
    QVERIFY2(std::abs(gaps[0].gap_percent - expected) < 1e-6,
             qPrintable(QString::number(gaps[0].gap_percent)));
    QVERIFY(!gaps[0].note.empty());
  }

  void deletedRunIsNoticedInMonitorAndRuns() {
    const QString runs = path("deleted");
    const QString dir = test::writeFakeRun(
        runs, "gone", {loadConfigArgument("cpu-small-grassmann", {}), 10, 5, 6.0, 100, false});
    ui::MetricsStore store;
    const QString key = store.open(dir);
    ui::MonitorView monitor(&store);
    ui::RunBrowser browser;
    browser.setRunsDir(runs);
    browser.refresh();  // the listing is read on the watcher's thread: wait for it
    QCOMPARE(browser.runCount(), 1);
    QVERIFY(QDir(dir).removeRecursively());
    store.pollFollowed();
    QVERIFY(store.run(key)->missing);
    QCOMPARE(store.run(key)->status(), QString("deleted"));
    QVERIFY2(monitor.listText(key).contains("deleted"), qPrintable(monitor.listText(key)));
    QTRY_COMPARE_WITH_TIMEOUT(browser.runCount(), 0, 10000);
    // Runs can leave the monitor.
    auto* list = monitor.findChild<QListWidget*>();
    list->item(0)->setSelected(true);
    for (QPushButton* b : monitor.findChildren<QPushButton*>()) {
      if (b->text() == "Remove from monitor") b->click();
    }
    QVERIFY(!store.run(key));
  }

  void malformedMetricsLinesAreShownOnTheRun() {
    const QString dir =
        test::writeFakeRun(path("malformed"), "m",
                           {loadConfigArgument("cpu-small-grassmann", {}), 10, 5, 6.0, 100, false});
    ui::MetricsStore clean_store;
    const std::size_t steps = clean_store.run(clean_store.open(dir))->events.steps.size();
    QVERIFY(steps > 0);
    {
      QFile f(dir + "/metrics.jsonl");
      QVERIFY(f.open(QIODevice::Append));
      f.write("{\"event\":\"step\",\"step\":\n[1, 2]\n");  // two malformed complete lines
    }
    ui::MetricsStore store;
    const QString key = store.open(dir);
    ui::MonitorView monitor(&store);
    QCOMPARE(store.run(key)->events.skipped_lines, std::int64_t{2});
    QCOMPARE(store.run(key)->events.steps.size(), steps);  // nothing else lost
    QVERIFY2(monitor.listText(key).contains("2 malformed lines skipped"),
             qPrintable(monitor.listText(key)));
    const QString tip = monitor.findChild<QListWidget*>()->item(0)->toolTip();
    QVERIFY2(tip.contains("metrics.jsonl:"), qPrintable(tip));  // names the file and line
  }

  void openingAnUntickedRunShowsIt() {
    const QString dir =
        test::writeFakeRun(path("untick"), "r",
                           {loadConfigArgument("cpu-small-grassmann", {}), 10, 5, 6.0, 100, false});
    ui::MainWindow window({"0.1.0", "test", "1.13.0", "", 2});
    const QString key = window.openRuns({dir}).front();
    window.monitor()->setRunVisible(key, false);
    window.openRuns({dir});
    QVERIFY(window.monitor()->runVisible(key));
  }

  void moveToTrashSaysWhereTheFolderWent() {
    const QString dir = test::writeFakeRun(
        path("trash"), "r", {loadConfigArgument("cpu-small-grassmann", {}), 5, 5, 6.0, 100, false});
    // A fresh account has no data folder yet: Qt then made no trash and moved the run into
    // ./files of the working directory (seen in CI).
    const QString data = QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation);
    QDir(data).removeRecursively();
    QString error, where;
    QVERIFY2(ui::RunBrowser::moveToTrash(dir, &error, &where), qPrintable(error));
    QVERIFY(!QFileInfo::exists(dir));
    QVERIFY2(QFileInfo::exists(where + "/config.json"), qPrintable(where));
    QVERIFY2(where.startsWith(data + "/Trash/files/"), qPrintable(where));
  }

  void setupPanelNamesItsPresetAndKeepsStillWhileEdited() {
    ui::RunSetupPanel panel;
    QVERIFY(panel.loadPreset("cpu-small-transformer"));
    QCOMPARE(panel.presetShown(), QString("cpu-small-transformer"));  // not "(choose a preset)"
    QCOMPARE(panel.originText(), QString("from cpu-small-transformer"));
    panel.show();
    const int height = panel.findChild<QTabWidget*>()->geometry().top();
    panel.setFieldText("train.lr", "0.003");
    panel.validate();
    QCOMPARE(panel.originText(), QString("from cpu-small-transformer, edited"));
    QCOMPARE(panel.findChild<QTabWidget*>()->geometry().top(), height);  // nothing jumped
    // Another preset asks before the edits are dropped; declining keeps them.
    QString asked;
    panel.setConfirmHandler([&](const QString&, const QString& q) {
      asked = q;
      return false;
    });
    auto* box = panel.findChild<QComboBox*>();
    const int other = box->findText("cpu-small-grassmann");
    box->setCurrentIndex(other);
    emit box->activated(other);
    QVERIFY(asked.contains("edits"));
    QCOMPARE(panel.config()->train.lr, 0.003);
    QCOMPARE(panel.presetShown(), QString("cpu-small-transformer"));
  }

  void setupPanelSaysWhichFieldsOnWhichPagesAndShowsTheFirst() {
    ui::RunSetupPanel panel;
    panel.show();
    QVERIFY(panel.loadPreset("cpu-small-grassmann"));
    panel.setFieldText("train.min_lr", "0.5");  // above the peak rate
    panel.setFieldText("model.r", "1");
    panel.validate();
    QVERIFY2(panel.statusText().contains("Final learning rate (Recipe)") &&
                 panel.statusText().contains("Reduced dimension r (Model)"),
             qPrintable(panel.statusText()));
    // The message names the other key by its label, not its path.
    QVERIFY2(panel.errorShown("train.min_lr").contains("Learning rate") &&
                 !panel.errorShown("train.min_lr").contains("train.lr"),
             qPrintable(panel.errorShown("train.min_lr")));
    QTabWidget* tabs = panel.tabs();
    tabs->setCurrentIndex(tabs->count() - 1);  // Probes
    QSignalSpy started(&panel, &ui::RunSetupPanel::startRequested);
    panel.requestStart();  // Ctrl+Enter with errors
    QCOMPARE(started.count(), 0);
    QVERIFY(tabs->tabText(tabs->currentIndex()).contains("Model"));  // the first field's page
    QVERIFY(panel.statusText().startsWith("Not queued"));
  }

  void viewMenuReadsSetUpAndQueue() {
    ui::MainWindow window({"0.1.0", "test", "1.13.0", "", 2});
    QStringList texts;
    for (QAction* menu : window.menuBar()->actions()) {
      if (!menu->menu()) continue;
      for (QAction* a : menu->menu()->actions()) texts << a->text();
    }
    QVERIFY2(texts.contains("Set up && queue"), qPrintable(texts.join(" | ")));  // shows "&"
  }

  void speedrunOnACpuSaysHowLongAndAsksFirst() {
    ui::MainWindow window({"0.1.0", "test", "1.13.0", "", 2});
    RunController controller(path("speedrun"));
    connectWorkbench(window, controller);
    controller.clearQueued();
    QString asked;
    window.setConfirmHandler([&](const QString&, const QString& q) {
      asked = q;
      return false;
    });
    const int before = controller.ids().size();
    emit window.setupPanel()->speedrunRequested("reference");
    QVERIFY2(asked.contains("8 runs") && asked.contains("about"), qPrintable(asked));
    QCOMPARE(controller.ids().size(), before);  // declined: nothing queued
  }

  // Issue 24: the ETA disagreed with the rate shown (6m52s at 209 tok/s with 400 steps left) and a
  // queued row kept a stale rate. Both now come from the recent steps: 1,024 tokens a step, 2 s a
  // step for the last 50 steps after a long pause (which the window no longer holds).
  void etaAndRateAgreeAndOnlyATrainingRowHasThem() {
    RunEntry e;
    e.state = RunState::Running;
    e.total_steps = 500;
    double t = 0;
    for (qint64 s = 1; s <= 100; ++s) {
      t += s == 40 ? 3600 : s < 50 ? 0.5 : 2.0;  // fast at first, a pause, then slow
      e.addPace(s, s * 1024, t);
      e.step = s;
    }
    e.tokens_per_s = 9999;  // the meter's last value: not what the row shows
    QCOMPARE(e.pace.size(), RunEntry::kPaceWindow);
    QCOMPARE(e.etaSeconds(), 400 * 2.0);  // 400 steps left at 2 s a step
    QCOMPARE(e.recentTokensPerSecond(), 512.0);
    const ui::QueueRow row = queueRow(e);
    QCOMPARE(row.tokens_per_s, 512.0);
    QCOMPARE(row.eta_s, 400 * 1024 / row.tokens_per_s);
    e.state = RunState::Queued;
    QCOMPARE(queueRow(e).tokens_per_s, 0.0);
    QCOMPARE(queueRow(e).eta_s, -1.0);
    // A clock that goes back (a new session) starts the pace again.
    e.state = RunState::Running;
    e.addPace(101, 101 * 1024, 1.0);
    QCOMPARE(e.pace.size(), 1);
    QCOMPARE(e.etaSeconds(), -1.0);
  }
};

QTEST_MAIN(TestRunState)
#include "tst_run_state.moc"
