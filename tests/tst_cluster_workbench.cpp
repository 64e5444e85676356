// The workbench submitting to a real SLURM cluster (the ctest fixture slurm): the queue's "Submit
// to cluster..." button, the dialog's Submit, then a queue row per task that follows the cluster's
// state to COMPLETED, and each run in the monitor's store while it is still being written, and in
// the run browser. Exits 77 (skipped) without a test cluster.
#include <QComboBox>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QtTest>
#include <cstdio>

#include "app/workbench.h"
#include "test_support.h"
#include "ui/cluster_dialog.h"
#include "ui/main_window.h"
#include "ui/metrics_store.h"
#include "ui/run_browser.h"
#include "ui/run_queue_widget.h"
#include "ui/sweep_monitor.h"

using namespace gwb;

class TestClusterWorkbench : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir dir_;

 private slots:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QSettings().clear();
    qputenv("SLURM_CONF", test::testClusterFacts()["SLURM_CONF"].toUtf8());
  }

  void submitFromTheQueueAndFollowTheRuns() {
    const QString runs = dir_.path() + "/runs";
    ui::MainWindow window({"0.1.0", "test", "1.13.0", "", 2});
    window.browser()->setRunsDir(runs);
    ui::SweepMonitor monitor;
    monitor.setPollInterval(300);
    connectCluster(window, monitor);
    QPushButton* button = nullptr;
    for (QPushButton* b : window.queue()->findChildren<QPushButton*>()) {
      if (b->text().startsWith("Submit to cluster")) button = b;
    }
    QVERIFY(button);
    button->click();
    auto* dialog = window.findChild<ui::ClusterSubmitDialog*>();
    QVERIFY(dialog);
    static_cast<QComboBox*>(dialog->field("family"))->setCurrentText("cpu-small");
    static_cast<QSpinBox*>(dialog->field("gpus"))->setValue(0);
    static_cast<QSpinBox*>(dialog->field("cpus"))->setValue(1);
    static_cast<QLineEdit*>(dialog->field("sets"))
        ->setText(
            "train.max_steps=24 train.batch_size=4 data.max_eval_tokens=1024 "
            "train.eval_every=8 train.threads=1");
    dialog->updatePreview();
    QVERIFY2(dialog->problem().isEmpty(), qPrintable(dialog->problem()));
    QVERIFY(dialog->script().contains("#SBATCH --cpus-per-task=1\n"));
    QVERIFY(!dialog->script().contains("--gres"));
    QSignalSpy submitted(&monitor, &ui::SweepMonitor::submitted);
    dialog->submitButton()->click();
    QTRY_COMPARE_WITH_TIMEOUT(submitted.size(), 1, 30000);
    const QString sweep = submitted[0][0].toString();
    QVERIFY(!submitted[0][1].toString().isEmpty());  // a job id
    const QString row0 = clusterRowId(sweep, 0), row1 = clusterRowId(sweep, 1);
    QTRY_VERIFY_WITH_TIMEOUT(!window.queue()->row(row1).id.isEmpty(), 10000);

    // Until both finish: was a run seen in the store while its task was still training?
    bool followed_live = false;
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < 180000) {
      const ui::QueueRow a = window.queue()->row(row0), b = window.queue()->row(row1);
      for (const ui::QueueRow& r : {a, b}) {
        if (r.state == "running" && r.step > 0 && window.store()->keys().contains(r.run_dir))
          followed_live = true;
      }
      const auto over = [](const ui::QueueRow& r) {
        return r.state == "finished" || r.state == "failed";
      };
      if (over(a) && over(b)) break;
      QTest::qWait(100);
    }
    for (const QString& id : {row0, row1}) {
      const ui::QueueRow r = window.queue()->row(id);
      QCOMPARE(r.state, QString("finished"));
      QVERIFY2(r.cluster_state.startsWith("COMPLETED, job "), qPrintable(r.cluster_state));
      QCOMPARE(r.step, qint64(24));
      QVERIFY(window.store()->keys().contains(r.run_dir));
      // The store followed the file as it grew: every step event is there.
      QTRY_COMPARE_WITH_TIMEOUT(window.store()->run(r.run_dir)->events.steps.size(),
                                std::size_t(24), 10000);
    }
    QVERIFY(followed_live);
    window.browser()->refresh();
    QCOMPARE(window.browser()->runCount(), 2);  // the two runs; not sweeps/
  }
};

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  if (test::testClusterFacts().value("SLURM_CONF").isEmpty()) {
    std::fprintf(stderr, "tst_cluster_workbench: skipped: %s\n",
                 qPrintable(test::testClusterMissing()));
    return 77;
  }
  TestClusterWorkbench test;
  return QTest::qExec(&test, argc, argv);
}

#include "tst_cluster_workbench.moc"
