// The workbench's cluster side without a cluster: the "Submit to cluster..." dialog (fields, the
// script shown before submitting, settings remembered, a missing sbatch said plainly), the sweep
// monitor against stand-in SLURM tools (a row per task with its cluster state, Stop cancelling
// that task, runs opened in the monitor and listed by the browser as they appear), a cluster
// command that hangs never blocking the GUI thread, and the run browser never listing sweeps/.
#include <QComboBox>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QtTest>

#include "app/workbench.h"
#include "engine/cluster/sweep.h"
#include "ui/cluster_dialog.h"
#include "ui/main_window.h"
#include "ui/metrics_store.h"
#include "ui/run_browser.h"
#include "ui/run_queue_widget.h"
#include "ui/sweep_monitor.h"

using namespace gwb;

namespace {

void writeText(const QString& path, const QByteArray& text, bool executable = false) {
  QDir().mkpath(QFileInfo(path).absolutePath());
  QFile f(path);
  f.open(QIODevice::WriteOnly | QIODevice::Truncate);
  f.write(text);
  f.close();
  if (executable) f.setPermissions(f.permissions() | QFileDevice::ExeOwner | QFileDevice::ExeUser);
}

QByteArray readText(const QString& path) {
  QFile f(path);
  return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

class ScopedPath {
 public:
  explicit ScopedPath(const QString& value) : old_(qgetenv("PATH")) {
    qputenv("PATH", value.toUtf8());
  }
  ~ScopedPath() { qputenv("PATH", old_); }

 private:
  QByteArray old_;
};

// A sweep folder as gwb speedrun --backend slurm --dry-run writes it, with one submission.
QString writeSubmittedSweep(const QString& runs, const std::string& job) {
  const SweepPlan plan = planSweep({"wikitext2", "cpu-small", 1, {"train.max_steps=8"}});
  cluster::Sweep sweep = cluster::makeSweep(plan, runs.toStdString(), {}, "gwb");
  cluster::writeSweep(sweep, plan);
  // Recorded as submitSweep records it (sweep.json), without a cluster.
  QFile f(QString::fromStdString(sweep.dir + "/sweep.json"));
  f.open(QIODevice::ReadOnly);
  QByteArray json = f.readAll();
  f.close();
  json.replace("\"submissions\": []", "\"submissions\": [{\"job_id\": \"" +
                                          QByteArray::fromStdString(job) +
                                          "\", \"tasks\": \"0-1\", \"time\": \"\"}]");
  writeText(f.fileName(), json);
  return QString::fromStdString(sweep.dir);
}

}  // namespace

class TestClusterGui : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir dir_;

 private slots:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QSettings().clear();
    qputenv("SLURM_CONF", (dir_.path() + "/no-such-slurm.conf").toUtf8());  // no probe
  }

  void dialogShowsTheScriptAndRemembersItsFields() {
    const QString runs = dir_.path() + "/dialog-runs";
    {
      ui::ClusterSubmitDialog dialog(runs);
      static_cast<QComboBox*>(dialog.field("family"))->setCurrentText("cpu-small");
      static_cast<QSpinBox*>(dialog.field("seeds"))->setValue(2);
      static_cast<QLineEdit*>(dialog.field("partition"))->setText("gpu");
      static_cast<QSpinBox*>(dialog.field("gpus"))->setValue(2);
      static_cast<QLineEdit*>(dialog.field("time"))->setText("04:00:00");
      static_cast<QLineEdit*>(dialog.field("account"))->setText("proj-7");
      static_cast<QLineEdit*>(dialog.field("sets"))->setText("train.max_steps=50");
      static_cast<QPlainTextEdit*>(dialog.field("setup"))->setPlainText("module load cuda");
      dialog.updatePreview();
      QCOMPARE(dialog.problem(), QString());
      const QString script = dialog.script();
      for (const char* line :
           {"#SBATCH --array=0-3\n", "#SBATCH --partition=gpu\n", "#SBATCH --gres=gpu:2\n",
            "#SBATCH --time=04:00:00\n", "#SBATCH --account=proj-7\n", "#SBATCH --requeue\n",
            "\nmodule load cuda\n", "# Overrides (--set): train.max_steps=50\n"}) {
        QVERIFY2(script.contains(line), qPrintable(QString(line) + " not in:\n" + script));
      }
      const ui::SweepSubmission s = dialog.submission();
      QCOMPARE(s.request.seeds, std::int64_t(2));
      QCOMPARE(s.options.gres, std::string("gpu:2"));
      QCOMPARE(s.runs_dir, runs);
      dialog.show();
      dialog.writeButton()->click();  // accepted: the fields are saved
      QCOMPARE(dialog.result(), int(QDialog::Accepted));
      QVERIFY(!dialog.submission().submit);
    }
    ui::ClusterSubmitDialog again(runs);
    QCOMPARE(static_cast<QComboBox*>(again.field("family"))->currentText(), QString("cpu-small"));
    QCOMPARE(static_cast<QLineEdit*>(again.field("partition"))->text(), QString("gpu"));
    QCOMPARE(static_cast<QSpinBox*>(again.field("gpus"))->value(), 2);
    QCOMPARE(static_cast<QLineEdit*>(again.field("account"))->text(), QString("proj-7"));
    QCOMPARE(static_cast<QPlainTextEdit*>(again.field("setup"))->toPlainText(),
             QString("module load cuda"));
    // A family the task lacks, or a bad override: said instead of a script, nothing to submit.
    static_cast<QLineEdit*>(again.field("sets"))->setText("train.nosuchkey=1");
    again.updatePreview();
    QVERIFY2(again.problem().contains("train.nosuchkey"), qPrintable(again.problem()));
    QVERIFY(again.script().isEmpty());
    QVERIFY(!again.writeButton()->isEnabled());
  }

  void missingSbatchIsAClearMessage() {
    ScopedPath path(dir_.path() + "/empty-bin");
    ui::ClusterSubmitDialog dialog(dir_.path() + "/no-sbatch-runs");
    QVERIFY(dialog.unavailable().contains("sbatch is not on PATH"));
    QVERIFY(!dialog.submitButton()->isEnabled());
    QVERIFY(dialog.writeButton()->isEnabled());
    QVERIFY(dialog.submitButton()->toolTip().contains("sbatch is not on PATH"));
    // Asked to submit anyway (the monitor's own path): the files are written and the error says
    // which command is missing.
    ui::SweepMonitor monitor;
    QSignalSpy failed(&monitor, &ui::SweepMonitor::actionFailed);
    QSignalSpy submitted(&monitor, &ui::SweepMonitor::submitted);
    ui::SweepSubmission s = dialog.submission();
    s.submit = true;
    s.request.family = "cpu-small";
    monitor.submit(s);
    QTRY_COMPARE(failed.size(), 1);
    QVERIFY2(failed[0][1].toString().contains("sbatch: expected the SLURM command sbatch on PATH"),
             qPrintable(failed[0][1].toString()));
    // The files are written and named; the failed sweep is not followed (issue 24: it left a row
    // per task reading UNSUBMITTED, which stayed after a restart).
    const QRegularExpression where("The sweep's files are in (.+); it can be submitted later");
    const QRegularExpressionMatch m = where.match(failed[0][1].toString());
    QVERIFY(m.hasMatch());
    QVERIFY(QFile::exists(m.captured(1) + "/sweep.sbatch"));
    QCoreApplication::processEvents();
    QCOMPARE(submitted.size(), 0);
    QVERIFY(monitor.watched().isEmpty());
  }

  // A squeue that hangs: the poll times out on the worker while the GUI thread keeps running.
  void aHangingClusterNeverBlocksTheGui() {
    const QString bin = dir_.path() + "/hanging-bin";
    writeText(bin + "/squeue", "#!/bin/sh\nexec sleep 60\n", true);
    writeText(bin + "/scontrol", "#!/bin/sh\nexec sleep 60\n", true);
    ScopedPath path(bin + ":" + qEnvironmentVariable("PATH"));
    const QString sweep = writeSubmittedSweep(dir_.path() + "/hanging-runs", "7");
    ui::SweepMonitor monitor;
    monitor.setCommandTimeout(1.5);
    QSignalSpy updated(&monitor, &ui::SweepMonitor::sweepUpdated);
    QElapsedTimer clock;
    clock.start();
    monitor.watch(sweep);
    int ticks = 0;
    QTimer ticker;
    connect(&ticker, &QTimer::timeout, this, [&ticks] { ++ticks; });
    ticker.start(20);
    QTRY_VERIFY_WITH_TIMEOUT(updated.size() >= 1, 10000);
    const double waited = clock.elapsed() / 1000.0;
    QVERIFY2(waited >= 1.4 && waited < 6, qPrintable(QString::number(waited)));
    QVERIFY2(ticks >= 30, qPrintable(QString("%1 ticks in %2 s").arg(ticks).arg(waited)));
    const auto snapshot = updated.last()[0].value<ui::SweepSnapshot>();
    QVERIFY2(snapshot.cluster_error.startsWith("squeue -h -r -j 7 ") &&
                 snapshot.cluster_error.contains("expected an answer within 2 s"),
             qPrintable(snapshot.cluster_error));
    QCOMPARE(snapshot.tasks.size(), 2);
    QCOMPARE(snapshot.tasks[0].state, QString("UNKNOWN"));
  }

  void sweepRowsFollowTheClusterAndTheirRuns() {
    const QString bin = dir_.path() + "/fake-bin", log = bin + "/calls.log";
    const QByteArray record = "echo \"$(basename \"$0\") $*\" >> '" + log.toUtf8() + "'\n";
    writeText(bin + "/squeue",
              "#!/bin/sh\n" + record +
                  "echo '42|0|42_0|RUNNING|None|node1'\n"
                  "echo '42|1|42_1|PENDING|Resources|'\n",
              true);
    writeText(bin + "/scontrol", "#!/bin/sh\n" + record, true);
    writeText(bin + "/scancel", "#!/bin/sh\n" + record, true);
    writeText(bin + "/sbatch", "#!/bin/sh\n" + record + "echo 43\n", true);
    ScopedPath path(bin + ":" + qEnvironmentVariable("PATH"));
    const QString runs = dir_.path() + "/rows-runs";
    const QString sweep = writeSubmittedSweep(runs, "42");
    const cluster::Sweep s = cluster::readSweep(sweep.toStdString());
    // Task 0 has begun writing its run directory.
    const QString run0 = QString::fromStdString(s.tasks[0].run_dir);
    RunConfig config = loadRunConfig(s.tasks[0].config);
    writeText(run0 + "/config.json", QByteArray::fromStdString(runConfigToJson(config)));
    writeText(
        run0 + "/metrics.jsonl",
        "{\"event\":\"step\",\"step\":1,\"epoch\":0,\"tokens\":64,\"time\":0.5,\"loss\":10.8,"
        "\"lr\":0.001,\"grad_norm\":1,\"tokens_per_s\":100,\"step_ms\":500}\n"
        "{\"event\":\"step\",\"step\":3,\"epoch\":0,\"tokens\":192,\"time\":1.5,\"loss\":10.7,"
        "\"lr\":0.001,\"grad_norm\":1,\"tokens_per_s\":100,\"step_ms\":500}\n");

    ui::MainWindow window({"0.1.0", "test", "1.13.0", "", 2});
    window.browser()->setRunsDir(runs);
    ui::SweepMonitor monitor;
    connectCluster(window, monitor);
    monitor.watch(sweep);
    const QString row0 = clusterRowId(sweep, 0), row1 = clusterRowId(sweep, 1);
    QTRY_COMPARE(window.queue()->row(row0).state, QString("running"));
    ui::QueueRow r = window.queue()->row(row0);
    QCOMPARE(r.cluster_state, QString("RUNNING, job 42_0"));
    QCOMPARE(r.step, qint64(3));
    QCOMPARE(r.total_steps, qint64(8));
    QCOMPARE(r.eta_s, 2.5);  // 5 steps at 0.5 s
    QCOMPARE(r.name, QString("cpu-small-transformer"));
    QCOMPARE(r.arch, QString("transformer"));
    r = window.queue()->row(row1);
    QCOMPARE(r.state, QString("queued"));
    QCOMPARE(r.cluster_state, QString("PENDING, job 42_1 (Resources)"));
    // The run that exists is in the monitor's store (followed) and in the browser; sweeps/ is not.
    QVERIFY(window.store()->keys().contains(run0));
    QCOMPARE(window.browser()->runCount(), 1);
    // Stop on a task's row cancels that task.
    window.queue()->select(row0);
    emit window.queue()->stopRequested(row0);
    QTRY_VERIFY(readText(log).contains("scancel 42_0"));
    // Resume on a stopped task's row resubmits it (Resume is for stopped or failed tasks).
    writeText(bin + "/squeue", "#!/bin/sh\n" + record, true);
    writeText(bin + "/scontrol",
              "#!/bin/sh\n" + record +
                  "echo 'JobId=42 ArrayJobId=42 ArrayTaskId=0 JobState=CANCELLED ExitCode=130:0'\n",
              true);
    monitor.pollNow();
    QTRY_COMPARE(window.queue()->row(row0).state, QString("stopped"));
    window.queue()->select(row0);
    emit window.queue()->resumeRequested(run0);
    QTRY_VERIFY(readText(log).contains("sbatch --parsable --array=0 "));
    // Remove stops watching the sweep: its rows go, its files stay.
    emit window.queue()->removeRequested(row1);
    QCOMPARE(window.queue()->row(row0).id, QString());
    QCOMPARE(window.queue()->row(row1).id, QString());
    QVERIFY(QFile::exists(sweep + "/sweep.json"));
    QVERIFY(!monitor.watched().contains(sweep));
  }

  void runBrowserDoesNotListSweeps() {
    const QString runs = dir_.path() + "/browser-runs";
    writeSubmittedSweep(runs, "5");
    writeText(runs + "/sweeps/config.json", "{}");  // even one that looks like a run
    QCOMPARE(ui::listRuns(runs).size(), 0);
  }
};

QTEST_MAIN(TestClusterGui)
#include "tst_cluster_gui.moc"
