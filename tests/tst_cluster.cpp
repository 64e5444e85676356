// Sweeps on a real SLURM cluster: the single-node cluster of the ctest fixture slurm
// (tests/cluster/slurm_cluster.sh: munged + slurmctld + slurmd on localhost) runs CPU jobs of the
// cpu-small family, a few steps each, submitted by the built gwb. Every case asserts on the run
// directories and on the JSON gwb prints. Without a cluster (not root, packages missing) it exits
// 77, which ctest reports as skipped.
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QTemporaryDir>
#include <QThread>
#include <QtTest>
#include <cstdio>

#include "engine/util/child_process.h"
#include "test_support.h"

using Result = gwb::test::ProcessResult;

namespace {

QByteArray readAll(const QString& path) {
  QFile f(path);
  return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

QJsonObject readObject(const QString& path) {
  return QJsonDocument::fromJson(readAll(path)).object();
}

QList<QJsonObject> metricsLines(const QString& run_dir) {
  QList<QJsonObject> lines;
  for (const QByteArray& line : readAll(run_dir + "/metrics.jsonl").split('\n')) {
    if (!line.isEmpty()) lines << QJsonDocument::fromJson(line).object();
  }
  return lines;
}

// Step events in file order, and the index of the "resumed" log (-1 if none).
QList<qint64> stepEvents(const QList<QJsonObject>& lines, int* resumed_at = nullptr) {
  QList<qint64> steps;
  if (resumed_at) *resumed_at = -1;
  for (const QJsonObject& o : lines) {
    if (o["event"] == "step") steps << o["step"].toInteger();
    if (o["event"] == "log" && o["message"].toString().startsWith("resumed") && resumed_at)
      *resumed_at = static_cast<int>(steps.size());
  }
  return steps;
}

bool sameNumber(double a, double b) { return std::abs(a - b) <= 1e-9 * std::max(1.0, std::abs(b)); }

// Few steps each: the LM head over GPT-2's 50,257 tokens is most of a cpu-small step on a CPU.
const QStringList kShort = {"--set", "train.max_steps=8",
                            "--set", "train.batch_size=4",
                            "--set", "data.max_eval_tokens=1024",
                            "--set", "train.eval_every=4",
                            "--set", "train.threads=1"};
// Long enough to be stopped part-way (40 steps, validation every 10).
const QStringList kLong = {"--set", "train.max_steps=40",
                           "--set", "train.batch_size=4",
                           "--set", "data.max_eval_tokens=1024",
                           "--set", "train.eval_every=10",
                           "--set", "train.threads=1"};

}  // namespace

class TestCluster : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir dir_;
  QString runs_, cache_;
  QMap<QString, QString> facts_;
  QString finished_sweep_;     // the 4-task sweep, for the resubmission case
  QJsonObject uninterrupted_;  // summary of a 40-step task that nobody stopped

  Result gwb(const QStringList& args, int timeout_ms = 120000) {
    return gwb::test::runGwb(args, cache_, {}, timeout_ms);
  }

  QStringList speedrun(const QStringList& extra) {
    return QStringList{"speedrun",        "wikitext2", "--preset-family", "cpu-small",
                       "--backend",       "slurm",     "--runs",          runs_,
                       "--cpus-per-task", "1"} +
           extra;
  }

  // Writes a sweep (nothing submitted); returns its folder.
  QString writeSweep(const QStringList& sets) {
    const Result r = gwb(speedrun(sets + QStringList{"--dry-run"}));
    if (r.exit_code != 0) qWarning("%s", r.err.constData());
    const QJsonObject o = r.json().object();
    return o["job_id"].isNull() ? o["sweep_dir"].toString() : QString();
  }

  QJsonObject status(const QString& sweep) {
    const Result r = gwb({"sweep", "status", sweep});
    if (r.exit_code != 0) qWarning("gwb sweep status: %s", r.err.constData());
    return r.json().object();
  }

  QJsonObject task(const QString& sweep, int index) {
    return status(sweep)["tasks"].toArray()[index].toObject();
  }

  // Polls `gwb sweep status` until `done` holds for it (false after `seconds`, or once every
  // submitted task has been in a final state for 15 s without `done` holding: nothing will come).
  bool waitFor(const QString& sweep, const std::function<bool(const QJsonObject&)>& done,
               double seconds = 180) {
    static const QStringList kFinal = {"COMPLETED", "FAILED",    "CANCELLED",    "TIMEOUT",
                                       "NODE_FAIL", "PREEMPTED", "OUT_OF_MEMORY"};
    QElapsedTimer t, settled;
    t.start();
    QJsonObject s;
    while (t.elapsed() < seconds * 1000) {
      s = status(sweep);
      if (done(s)) return true;
      bool all_final = true;
      for (const auto& task : s["tasks"].toArray()) {
        const QString state = task.toObject()["state"].toString();
        if (state != "UNSUBMITTED" && !kFinal.contains(state.section(' ', 0, 0))) all_final = false;
      }
      if (!all_final) {
        settled.invalidate();
      } else if (!settled.isValid()) {
        settled.start();
      } else if (settled.elapsed() > 15000) {
        break;
      }
      QThread::msleep(200);
    }
    qWarning("gave up waiting; last status: %s",
             QJsonDocument(s).toJson(QJsonDocument::Compact).constData());
    return false;
  }

  static bool allIn(const QJsonObject& s, const QString& state) {
    const QJsonArray tasks = s["tasks"].toArray();
    for (const auto& t : tasks) {
      if (t.toObject()["state"].toString() != state) return false;
    }
    return !tasks.isEmpty();
  }

  QString submit(const QString& sweep, const QString& tasks) {
    const Result r = gwb({"sweep", "submit", sweep, "--tasks", tasks});
    if (r.exit_code != 0) qWarning("gwb sweep submit: %s", r.err.constData());
    return r.json().object()["job_id"].toString();
  }

  static gwb::ChildResult slurm(const std::vector<std::string>& argv) {
    return gwb::runChild(argv, 30);
  }

  // The assertions shared by the interrupted tasks: a stop checkpoint at step k (0 < k < 40), the
  // run resumed there (steps continue at k + 1, never start over) and finished with the same
  // numbers as the task nobody stopped.
  void checkResumedRun(const QString& run_dir, qint64 stopped_at) {
    QVERIFY2(stopped_at > 0 && stopped_at < 40, qPrintable(QString::number(stopped_at)));
    const QList<QJsonObject> lines = metricsLines(run_dir);
    int resumed_at = -1;
    const QList<qint64> steps = stepEvents(lines, &resumed_at);
    QVERIFY2(resumed_at > 0, "no \"resumed\" log in metrics.jsonl");
    QCOMPARE(steps[resumed_at - 1], stopped_at);
    QCOMPARE(steps[resumed_at], stopped_at + 1);  // continues, does not restart at 1
    for (int i = 1; i < steps.size(); ++i) QCOMPARE(steps[i], steps[i - 1] + 1);
    QCOMPARE(steps.last(), qint64(40));
    const QJsonObject summary = readObject(run_dir + "/summary.json");
    QCOMPARE(summary["status"].toString(), QString("finished"));
    for (const char* key : {"best_valid_ppl", "test_ppl", "final_valid_ppl"}) {
      QVERIFY2(sameNumber(summary[key].toDouble(), uninterrupted_[key].toDouble()),
               qPrintable(QString("%1: %2 resumed, %3 uninterrupted")
                              .arg(key)
                              .arg(summary[key].toDouble(), 0, 'g', 17)
                              .arg(uninterrupted_[key].toDouble(), 0, 'g', 17)));
    }
  }

 private slots:
  void initTestCase() {
    facts_ = gwb::test::testClusterFacts();
    QVERIFY(dir_.isValid());
    runs_ = dir_.path() + "/runs";
    cache_ = qEnvironmentVariable("GWB_CACHE_DIR", dir_.path() + "/cache");
    qputenv("SLURM_CONF", facts_["SLURM_CONF"].toUtf8());
    qInfo("cluster up in %s s (fixture start-up)", qPrintable(facts_["STARTUP_S"]));
  }

  // gwb speedrun --backend slurm: 2 configurations x 2 seeds as one array; all finish; gwb report
  // over the runs folder groups them; gwb sweep status says COMPLETED.
  void fourTaskSweepCompletes() {
    QElapsedTimer timer;
    timer.start();
    const Result r = gwb(speedrun(kShort + QStringList{"--seeds", "2"}));
    QCOMPARE(r.exit_code, 0);
    const QJsonObject out = r.json().object();
    QCOMPARE(out.keys(), (QStringList{"job_id", "script", "sweep_dir", "tasks"}));
    QCOMPARE(out["tasks"].toInt(), 4);
    bool numeric = false;
    out["job_id"].toString().toLongLong(&numeric);
    QVERIFY(numeric);
    const QString sweep = out["sweep_dir"].toString();
    QCOMPARE(out["script"].toString(), sweep + "/sweep.sbatch");
    QVERIFY(sweep.startsWith(runs_ + "/sweeps/"));
    QVERIFY(waitFor(sweep, [](const QJsonObject& s) { return allIn(s, "COMPLETED"); }));
    qInfo(
        "4-task sweep (2 configurations x 2 seeds, 8 steps each, 2 cores): %.1f s from "
        "gwb speedrun to all COMPLETED",
        timer.elapsed() / 1000.0);
    const QJsonObject s = status(sweep);
    QCOMPARE(s["job_id"].toString(), out["job_id"].toString());
    QCOMPARE(s["states"].toObject()["COMPLETED"].toInt(), 4);
    QSet<QString> dirs;
    for (const auto& v : s["tasks"].toArray()) {
      const QJsonObject t = v.toObject();
      QCOMPARE(t["step"].toInt(), 8);
      QCOMPARE(t["total_steps"].toInt(), 8);
      QCOMPARE(t["eta_s"].toDouble(), 0.0);
      QCOMPARE(t["exit_code"].toInt(), 0);
      QCOMPARE(t["run_status"].toString(), QString("finished"));
      QVERIFY(t["best"].toDouble() > 1);
      QCOMPARE(t["best_metric"].toString(), QString("valid_ppl"));
      const QString run = t["run_dir"].toString();
      QCOMPARE(run, runs_ + "/" + QDir(sweep).dirName() + "-" +
                        QString::number(t["index"].toInt()) + "-s" +
                        QString::number(t["seed"].toInt()));
      QCOMPARE(readObject(run + "/summary.json")["status"].toString(), QString("finished"));
      QVERIFY(QFile::exists(run + "/checkpoints/trainer_state.json"));
      // The job that started the task, for status to follow resubmissions made by hand.
      QCOMPARE(readAll(t["output"].toString().replace(".out", ".job")).trimmed(),
               out["job_id"].toString().toUtf8());
      dirs << run;
    }
    QCOMPARE(dirs.size(), 4);
    const Result report = gwb({"report", runs_, "--json"});
    QCOMPARE(report.exit_code, 0);
    const QJsonArray rows = report.json().array();
    QCOMPARE(rows.size(), 2);  // two configurations, two seeds each; sweeps/ is not a run
    QSet<QString> reported;
    for (const auto& row : rows) {
      QCOMPARE(row.toObject()["seeds"].toArray().size(), 2);
      for (const auto& d : row.toObject()["run_dirs"].toArray()) reported << d.toString();
    }
    QCOMPARE(reported, dirs);
    finished_sweep_ = sweep;
  }

  // scancel mid-training (SIGTERM): a resumable checkpoint; resubmitted, the task resumes there
  // and finishes with the numbers of an uninterrupted task of the same configuration.
  void cancelledTaskResumes() {
    const QString stopped = writeSweep(kLong), whole = writeSweep(kLong);
    QVERIFY(!stopped.isEmpty() && !whole.isEmpty());
    QVERIFY(!submit(whole, "0").isEmpty());
    const QString job = submit(stopped, "0");
    QVERIFY(!job.isEmpty());
    QVERIFY(waitFor(stopped, [](const QJsonObject& s) {
      const QJsonObject t = s["tasks"][0].toObject();
      return t["state"] == "RUNNING" && t["step"].toInt() >= 6;
    }));
    const Result c = gwb({"sweep", "cancel", stopped, "--tasks", "0"});
    QCOMPARE(c.exit_code, 0);
    QCOMPARE(c.json().object()["cancelled"].toArray(), QJsonArray{job + "_0"});
    QVERIFY(waitFor(stopped,
                    [](const QJsonObject& s) { return s["tasks"][0]["state"] == "CANCELLED"; }));
    const QJsonObject t = task(stopped, 0);
    QCOMPARE(t["run_status"].toString(), QString("stopped"));
    QCOMPARE(t["exit_code"].toInt(), 130);  // gwb's "stopped by a signal" after its checkpoint
    const QString run = t["run_dir"].toString();
    const qint64 k = readObject(run + "/checkpoints/trainer_state.json")["step"].toInteger();
    QCOMPARE(k, qint64(t["step"].toInt()));
    QCOMPARE(readObject(run + "/summary.json")["status"].toString(), QString("stopped"));

    const QString again = submit(stopped, "0");
    QVERIFY(!again.isEmpty() && again != job);
    QVERIFY(waitFor(stopped,
                    [](const QJsonObject& s) { return s["tasks"][0]["state"] == "COMPLETED"; }));
    QVERIFY(
        waitFor(whole, [](const QJsonObject& s) { return s["tasks"][0]["state"] == "COMPLETED"; }));
    uninterrupted_ = readObject(task(whole, 0)["run_dir"].toString() + "/summary.json");
    QCOMPARE(stepEvents(metricsLines(task(whole, 0)["run_dir"].toString())).size(), 40);
    const QJsonObject done = task(stopped, 0);
    QCOMPARE(done["job_id"].toString(), again + "_0");
    QCOMPARE(done["resumes"].toInt(), 1);
    checkResumedRun(run, k);
  }

  // scontrol requeue (what preemption or a failed node does): the same job starts again and
  // resumes its run directory rather than training from scratch.
  void requeuedTaskResumes() {
    QVERIFY2(!uninterrupted_.isEmpty(), "needs cancelledTaskResumes' uninterrupted task");
    const QString sweep = writeSweep(kLong);
    const QString job = submit(sweep, "0");
    QVERIFY(!job.isEmpty());
    QVERIFY(waitFor(sweep, [](const QJsonObject& s) {
      const QJsonObject t = s["tasks"][0].toObject();
      return t["state"] == "RUNNING" && t["step"].toInt() >= 6;
    }));
    const std::string id = (job + "_0").toStdString();
    gwb::ChildResult r = slurm({"scontrol", "requeue", id});
    QVERIFY2(r.ok(), r.err.c_str());
    QVERIFY(waitFor(sweep, [](const QJsonObject& s) {
      const QJsonObject t = s["tasks"][0].toObject();
      return t["restarts"].toInt() == 1 && t["state"] == "PENDING";
    }));
    const QString run = task(sweep, 0)["run_dir"].toString();
    const qint64 k = readObject(run + "/checkpoints/trainer_state.json")["step"].toInteger();
    // SLURM holds a requeued job for two minutes (BeginTime); let it start now.
    r = slurm({"scontrol", "update", "JobId=" + id, "StartTime=now"});
    QVERIFY2(r.ok(), r.err.c_str());
    QVERIFY(
        waitFor(sweep, [](const QJsonObject& s) { return s["tasks"][0]["state"] == "COMPLETED"; }));
    const QJsonObject t = task(sweep, 0);
    QCOMPARE(t["job_id"].toString(), job + "_0");  // the same job, started again
    QCOMPARE(t["restarts"].toInt(), 1);
    QCOMPARE(t["resumes"].toInt(), 1);
    QCOMPARE(QString(readAll(t["output"].toString())).count(" starts on "), 2);
    checkResumedRun(run, k);
  }

  // A finished task submitted again exits at once and leaves its run directory as it was.
  // (Submitted with plain sbatch: the script is the user's to edit and resubmit.)
  void finishedTaskIsNotRetrained() {
    QVERIFY2(!finished_sweep_.isEmpty(), "needs fourTaskSweepCompletes' sweep");
    const QJsonObject before = task(finished_sweep_, 1);
    const QString run = before["run_dir"].toString();
    const QByteArray metrics = readAll(run + "/metrics.jsonl"),
                     summary = readAll(run + "/summary.json"),
                     weights = readAll(run + "/checkpoints/last.safetensors");
    // Resubmitted the way a user would, with sbatch itself: status follows that job too.
    const gwb::ChildResult r = slurm(
        {"sbatch", "--parsable", "--array=1", (finished_sweep_ + "/sweep.sbatch").toStdString()});
    QVERIFY2(r.ok(), r.err.c_str());
    const QString job = QString::fromStdString(r.out).trimmed();
    QVERIFY(!job.isEmpty());
    QVERIFY(waitFor(finished_sweep_, [&](const QJsonObject& s) {
      const QJsonObject t = s["tasks"][1].toObject();
      return t["job_id"] == job + "_1" && t["state"] == "COMPLETED";
    }));
    QCOMPARE(readAll(run + "/metrics.jsonl"), metrics);
    QCOMPARE(readAll(run + "/summary.json"), summary);
    QCOMPARE(readAll(run + "/checkpoints/last.safetensors"), weights);
    const QByteArray output = readAll(before["output"].toString());
    const QByteArray last = output.mid(output.lastIndexOf(" starts on "));
    QVERIFY2(last.contains("{\"summary\":"), last.constData());  // printed, not trained
    QVERIFY(!last.contains("gwb: step "));
    QCOMPARE(task(finished_sweep_, 1)["step"].toInt(), 8);
  }

  // A configuration the node cannot train (its data folder is missing there): the task fails,
  // gwb's error is in its SLURM output file, and status says so.
  void badConfigurationFailsWithItsError() {
    const Result r =
        gwb(speedrun(kShort + QStringList{"--set", "data.dir=/nonexistent/wikitext-2"}));
    QCOMPARE(r.exit_code, 0);
    const QString sweep = r.json().object()["sweep_dir"].toString();
    QVERIFY(waitFor(sweep, [](const QJsonObject& s) { return allIn(s, "FAILED"); }));
    const QJsonObject s = status(sweep);
    QCOMPARE(s["states"].toObject()["FAILED"].toInt(), 2);
    for (const auto& v : s["tasks"].toArray()) {
      const QJsonObject t = v.toObject();
      QCOMPARE(t["exit_code"].toInt(), 2);
      const QString error = t["error"].toString();
      QVERIFY2(error.startsWith("gwb: error: ") && error.contains("/nonexistent/wikitext-2"),
               qPrintable(error));
      QVERIFY(readAll(t["output"].toString()).contains(error.toUtf8()));
    }
  }

  // An SNLI sweep (gwb speedrun snli): its tasks finish and status reports validation accuracy.
  void snliSweepReportsAccuracy() {
    const QString runs = dir_.path() + "/snli-runs";
    const Result r = gwb({"speedrun", "snli", "--preset-family", "cpu-small", "--backend", "slurm",
                          "--runs", runs, "--cpus-per-task", "1", "--set", "train.max_steps=4",
                          "--set", "train.eval_every=2", "--set", "train.threads=1",
                          // The full dev and test sets take a Grassmann classifier on one core
                          // minutes each; a few hundred pairs tell the report's numbers apart.
                          "--set", "data.max_eval_tokens=8000"});
    QCOMPARE(r.exit_code, 0);
    const QString sweep = r.json().object()["sweep_dir"].toString();
    QVERIFY(QDir(sweep).dirName().endsWith("-snli-cpu-small"));
    QVERIFY(waitFor(sweep, [](const QJsonObject& s) { return allIn(s, "COMPLETED"); }));
    for (const auto& v : status(sweep)["tasks"].toArray()) {
      const QJsonObject t = v.toObject();
      QCOMPARE(t["preset"].toString(), "cpu-small-snli-" + t["arch"].toString());
      QCOMPARE(t["best_metric"].toString(), QString("valid_accuracy"));
      QVERIFY(t["best"].toDouble() > 0 && t["best"].toDouble() <= 1);
      QCOMPARE(t["step"].toInt(), 4);
      QCOMPARE(
          readObject(t["run_dir"].toString() + "/summary.json")["best_valid_accuracy"].toDouble(),
          t["best"].toDouble());
    }
  }

  // sbatch refusing the job (a partition the cluster lacks): exit 2 with sbatch's own words.
  void refusedSubmissionShowsSbatchsError() {
    const Result r = gwb(speedrun(kShort + QStringList{"--partition", "nosuchpartition"}));
    QCOMPARE(r.exit_code, 2);
    QVERIFY2(r.err.contains("gwb: error: sbatch --parsable --array=0-1 ") &&
                 r.err.contains("invalid partition"),
             r.err.constData());
    QVERIFY(r.out.isEmpty());
  }

  void missingSbatchIsAClearErrorWithinSeconds() {
    const QByteArray path = qgetenv("PATH");
    qputenv("PATH", (dir_.path() + "/empty-bin").toUtf8());
    QElapsedTimer timer;
    timer.start();
    const Result r = gwb(speedrun(kShort));
    qputenv("PATH", path);
    QCOMPARE(r.exit_code, 2);
    QVERIFY(timer.elapsed() < 5000);
    QVERIFY2(r.err.contains("gwb: error: sbatch: expected the SLURM command sbatch on PATH "
                            "(Debian package slurm-client), got none on PATH="),
             r.err.constData());
    QVERIFY(
        r.err.contains("the sweep is written but not submitted; submit it with: gwb sweep "
                       "submit "));
    QVERIFY(r.out.isEmpty());
  }

  void controllerDownIsAClearErrorWithinSeconds() {
    const QByteArray down = facts_["SLURM_CONF_DOWN"].toUtf8();
    qputenv("SLURM_CONF", down);
    QElapsedTimer timer;
    timer.start();
    const Result submitted = gwb(speedrun(kShort));
    const qint64 submit_ms = timer.elapsed();
    qputenv("SLURM_CONF", facts_["SLURM_CONF"].toUtf8());
    QCOMPARE(submitted.exit_code, 2);
    QVERIFY2(submitted.err.contains(down + ": SlurmctldHost: expected a slurmctld accepting "
                                           "connections, got localhost:") &&
                 submitted.err.contains("refused the connection (is the controller down?); "
                                        "sbatch was waiting for it"),
             submitted.err.constData());
    QVERIFY2(submit_ms < 5000, qPrintable(QString::number(submit_ms)));
    // Cancel fails as clearly; status still answers from the run directories and says why SLURM
    // did not.
    QVERIFY2(!finished_sweep_.isEmpty(), "needs fourTaskSweepCompletes' sweep");
    qputenv("SLURM_CONF", down);
    timer.restart();
    const Result cancelled = gwb({"sweep", "cancel", finished_sweep_});
    const qint64 cancel_ms = timer.restart();
    const Result now = gwb({"sweep", "status", finished_sweep_});
    const qint64 status_ms = timer.elapsed();
    qputenv("SLURM_CONF", facts_["SLURM_CONF"].toUtf8());
    QCOMPARE(cancelled.exit_code, 2);
    QVERIFY(cancelled.err.contains("is the controller down?"));
    QCOMPARE(now.exit_code, 0);
    const QJsonObject s = now.json().object();
    QVERIFY(s["cluster_error"].toString().contains("is the controller down?"));
    QCOMPARE(s["states"].toObject()["COMPLETED"].toInt(), 4);
    QCOMPARE(s["tasks"][0]["state_source"].toString(), QString("run_dir"));
    qInfo("controller down: submit %lld ms, cancel %lld ms, status %lld ms", submit_ms, cancel_ms,
          status_ms);
    for (const qint64 ms : {cancel_ms, status_ms}) QVERIFY(ms < 5000);
  }
};

int main(int argc, char** argv) {
  QCoreApplication app(argc, argv);
  if (gwb::test::testClusterFacts().value("SLURM_CONF").isEmpty()) {
    std::fprintf(stderr, "tst_cluster: skipped: %s\n", qPrintable(gwb::test::testClusterMissing()));
    return 77;
  }
  TestCluster test;
  return QTest::qExec(&test, argc, argv);
}

#include "tst_cluster.moc"
