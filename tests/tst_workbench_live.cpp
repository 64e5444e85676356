// A real short CPU run launched from the run controller, wired to the main window as the
// application wires it: step, eval, alpha and Plücker events arrive as batched signals (at most
// about 20 a second), the charts gain points, the queue shows the run finish; stopping a run
// mid-way leaves a resumable checkpoint that the queue resumes; a failing run shows its error
// while another keeps running.
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>
#include <chrono>

#include "app/controller/run_controller.h"
#include "app/workbench.h"
#include "engine/config/presets.h"
#include "plotting/histogram_grid.h"
#include "plotting/time_series_chart.h"
#include "test_support.h"
#include "ui/main_window.h"
#include "ui/metrics_store.h"
#include "ui/monitor_view.h"
#include "ui/probe_charts.h"
#include "ui/run_queue_widget.h"
#include "ui/run_setup_panel.h"

using namespace gwb;

namespace {

RunConfig tinyConfig(const char* name, std::int64_t epochs = 1) {
  RunConfig c = test::tinyRunConfig(name);
  c.model.n_layers = 2;
  c.train.epochs = epochs;
  c.train.probe_every = 4;
  return c;
}

bool waitEnded(RunController& controller, const QString& id, int ms = 180000) {
  QSignalSpy spy(&controller, &RunController::runEnded);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (std::chrono::steady_clock::now() < deadline) {
    for (const auto& args : spy) {
      if (args.at(0).toString() == id) return true;
    }
    spy.wait(200);
  }
  return false;
}

}  // namespace

class TestWorkbenchLive : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir runs_;

 private slots:
  void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

  void liveRunDeliversEventsAndThePlotsGainPoints() {
    ui::MainWindow window({"0.1.0", "test", "1.13.0", "", 2});
    RunController controller(runs_.path());
    connectWorkbench(window, controller);
    controller.setRunsDir(runs_.path());
    QSignalSpy batches(&controller, &RunController::eventsArrived);
    const auto start = std::chrono::steady_clock::now();
    emit window.setupPanel()->startRequested(tinyConfig("live"));
    const QString id = controller.ids().first();
    QVERIFY(waitEnded(controller, id));
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const RunEntry* e = controller.entry(id);
    QCOMPARE(runStateName(e->state), QString("finished"));
    QCOMPARE(e->step, 8);
    std::size_t steps = 0, evals = 0, alphas = 0, pluckers = 0;
    for (const auto& args : batches) {
      const auto batch = args.at(0).value<EventBatch>();
      steps += batch.events.steps.size();
      evals += batch.events.evals.size();
      alphas += batch.events.alphas.size();
      pluckers += batch.events.pluckers.size();
    }
    QCOMPARE(steps, std::size_t(8));
    QCOMPARE(evals, std::size_t(2 + 1));  // steps 4 and 8, then the test split
    QCOMPARE(alphas, std::size_t(2 * 2));
    QCOMPARE(pluckers, std::size_t(2 * 2 * 3));
    // Batched: no more than about 20 deliveries a second.
    QVERIFY2(batches.size() <= 25 * seconds + 2,
             qPrintable(QString("%1 batches in %2 s").arg(batches.size()).arg(seconds)));
    // The queue shows it finished, the monitor's charts gained the points.
    QCOMPARE(window.queue()->row(id).state, QString("finished"));
    window.monitor()->redraw();
    const QString key = e->run_dir;
    QCOMPARE(window.monitor()->lossChart()->pointCount(key), 8);
    QCOMPARE(window.monitor()->pplChart()->pointCount(key), 2);
    QCOMPARE(window.monitor()->probeCharts()->alphaHistograms()->seriesCount(0), 1);
    QCOMPARE(window.monitor()->positionChart()->pointCount(key), 31);
  }

  void stoppingLeavesAResumableCheckpoint() {
    ui::MainWindow window({"0.1.0", "test", "1.13.0", "", 2});
    RunController controller(runs_.path());
    connectWorkbench(window, controller);
    controller.setRunsDir(runs_.path());
    const QString id = controller.enqueue(tinyConfig("stop-me", 20));
    QSignalSpy batches(&controller, &RunController::eventsArrived);
    QTRY_VERIFY_WITH_TIMEOUT(controller.entry(id)->step >= 2, 120000);
    QVERIFY(controller.stop(id));
    QVERIFY(waitEnded(controller, id));
    const RunEntry* e = controller.entry(id);
    QCOMPARE(runStateName(e->state), QString("stopped"));
    QVERIFY(QFile::exists(e->run_dir + "/checkpoints/trainer_state.json"));
    const qint64 stopped_at = e->step;
    // Resume from the queue: the same row continues (issue 15); stop again once it has moved on.
    const int rows = controller.ids().size();
    emit window.queue()->resumeRequested(e->run_dir);
    const QString resumed = controller.ids().last();
    QCOMPARE(resumed, id);
    QCOMPARE(controller.ids().size(), rows);
    QTRY_VERIFY_WITH_TIMEOUT(controller.entry(resumed)->step > stopped_at, 120000);
    QCOMPARE(controller.entry(resumed)->first_step, stopped_at);
    controller.stop(resumed);
    QVERIFY(waitEnded(controller, resumed));
    QCOMPARE(runStateName(controller.entry(resumed)->state), QString("stopped"));
    const QString dir = controller.entry(id)->run_dir;
    QVERIFY(controller.remove(id));
    QCOMPARE(window.queue()->row(id).id, QString());
    QVERIFY(QFileInfo::exists(dir));  // removing from the queue keeps the files
  }

  void aFailingRunLeavesTheOthersRunning() {
    ui::MainWindow window({"0.1.0", "test", "1.13.0", "", 2});
    RunController controller(runs_.path());
    connectWorkbench(window, controller);
    controller.setRunsDir(runs_.path());
    controller.setMaxConcurrent(2);
    RunConfig bad = tinyConfig("bad");
    bad.data.dir = "/nonexistent";
    const QString failing = controller.enqueue(bad);
    const QString good = controller.enqueue(tinyConfig("good"));
    QVERIFY(waitEnded(controller, failing));
    QCOMPARE(runStateName(controller.entry(failing)->state), QString("failed"));
    QVERIFY(controller.entry(failing)->error.contains("expected a Wikitext-2 train file"));
    QVERIFY(window.queue()->row(failing).error.contains("/nonexistent"));
    QVERIFY(waitEnded(controller, good));
    QCOMPARE(runStateName(controller.entry(good)->state), QString("finished"));
  }
};

QTEST_MAIN(TestWorkbenchLive)
#include "tst_workbench_live.moc"
