// The sweep back-ends' engine parts without a cluster: the plan of each family, the sbatch script
// (run by bash with a stand-in gwb), the sweep folder, the parsers of squeue/scontrol/sbatch output
// (captured from slurm 22.05), child processes and their deadline, the controller probe, the
// progress read from a run directory, and status/submit/cancel against stand-in SLURM tools.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include "engine/cluster/slurm.h"
#include "engine/cluster/sweep.h"
#include "engine/cluster/sweep_plan.h"
#include "engine/config/presets.h"
#include "engine/runs/run_progress.h"
#include "engine/util/child_process.h"
#include "engine/util/file_io.h"
#include "test_support.h"

using namespace gwb;
using namespace gwb::cluster;

namespace {

// Sets an environment variable for the life of the object.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const QByteArray& value)
      : name_(name), had_(qEnvironmentVariableIsSet(name)), old_(qgetenv(name)) {
    qputenv(name, value);
  }
  ~ScopedEnv() { had_ ? qputenv(name_, old_) : qunsetenv(name_); }

 private:
  const char* name_;
  bool had_;
  QByteArray old_;
};

void writeText(const QString& path, const QByteArray& text, bool executable = false) {
  QDir().mkpath(QFileInfo(path).absolutePath());
  QFile f(path);
  QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
  f.write(text);
  f.close();
  if (executable) f.setPermissions(f.permissions() | QFileDevice::ExeOwner | QFileDevice::ExeUser);
}

QByteArray readText(const QString& path) {
  QFile f(path);
  return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

QJsonObject parseObject(const std::string& text) {
  return QJsonDocument::fromJson(QByteArray::fromStdString(text)).object();
}

// Captured with slurm 22.05.8 on the test cluster.
const char* kSqueue =
    "12|0|12_0|RUNNING|None|localhost\n"
    "12|1|12_1|PENDING|Resources|\n"
    "7|N/A|7|RUNNING|None|localhost\n";
const char* kScontrol =
    "JobId=13 ArrayJobId=12 ArrayTaskId=2 JobName=gwb-x UserId=root(0) JobState=FAILED "
    "Reason=NonZeroExitCode Dependency=(null) Requeue=1 Restarts=0 BatchFlag=1 ExitCode=2:0 "
    "NodeList=localhost Command=/tmp/a b/sweep.sbatch\n"
    "JobId=14 ArrayJobId=12 ArrayTaskId=3 JobState=CANCELLED Reason=None Restarts=1 "
    "ExitCode=0:15 NodeList=localhost\n"
    "JobId=12 ArrayJobId=12 ArrayTaskId=4-6%2 JobState=PENDING Reason=JobArrayTaskLimit "
    "Restarts=0 ExitCode=0:0 NodeList=(null)\n";

}  // namespace

class TestSweeps : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir dir_;

  SweepPlan cpuSmall(std::int64_t seeds = 2) {
    return planSweep({"wikitext2", "cpu-small", seeds, {"train.max_steps=7"}});
  }

 private slots:
  void familiesPlanTheirPresets_data() {
    QTest::addColumn<QString>("task");
    QTest::addColumn<QString>("family");
    QTest::addColumn<QStringList>("first");
    QTest::newRow("wikitext2 default")
        << "wikitext2"
        << "" << QStringList{"reference-transformer-n6-l128", "reference-grassmann-n6-l128"};
    QTest::newRow("alias") << "wikitext"
                           << "arledge"
                           << QStringList{"arledge-transformer-n6-l128",
                                          "arledge-grassmann-n6-l128"};
    QTest::newRow("cpu-small") << "wikitext2"
                               << "cpu-small"
                               << QStringList{"cpu-small-transformer", "cpu-small-grassmann"};
    QTest::newRow("snli default") << "snli"
                                  << ""
                                  << QStringList{"snli-scratch-transformer",
                                                 "snli-scratch-grassmann"};
    QTest::newRow("snli paper") << "snli"
                                << "paper"
                                << QStringList{"snli-paper-transformer", "snli-paper-grassmann"};
    QTest::newRow("snli reference")
        << "snli"
        << "reference" << QStringList{"snli-reference-transformer", "snli-reference-grassmann"};
    QTest::newRow("snli cpu-small")
        << "snli"
        << "cpu-small" << QStringList{"cpu-small-snli-transformer", "cpu-small-snli-grassmann"};
  }
  void familiesPlanTheirPresets() {
    QFETCH(QString, task);
    QFETCH(QString, family);
    QFETCH(QStringList, first);
    const std::string f =
        family.isEmpty() ? sweepFamilies(task.toStdString()).front() : family.toStdString();
    const std::vector<std::string> presets = sweepPresets(task.toStdString(), f);
    QCOMPARE(presets.size(), std::size_t(f == "cpu-small" || task == "snli" ? 2 : 8));
    QCOMPARE(QString::fromStdString(presets[0]), first[0]);
    QCOMPARE(QString::fromStdString(presets[1]), first[1]);
  }

  void planAppliesSeedsAndOverrides() {
    const SweepPlan plan = cpuSmall(3);
    QCOMPARE(plan.family, std::string("cpu-small"));
    QCOMPARE(plan.runs.size(), std::size_t(6));
    QCOMPARE(plan.runs[1].config.seed, plan.runs[0].config.seed + 1);
    QCOMPARE(plan.runs[1].config.name,
             "cpu-small-transformer-s" + std::to_string(plan.runs[1].config.seed));
    QCOMPARE(plan.runs[3].preset, std::string("cpu-small-grassmann"));
    for (const PlannedRun& r : plan.runs) QCOMPARE(r.config.train.max_steps, std::int64_t(7));
    QCOMPARE(estimateTotalSteps(plan.runs[0].config), std::int64_t(7));
    // The reference recipe: 20 epochs of ceil(18692 chunks / 32) on the embedded Wikitext-2.
    const SweepPlan ref = planSweep({"wikitext2", "reference", 1, {}});
    QCOMPARE(estimateTotalSteps(ref.runs[0].config), std::int64_t(20 * 585));
  }

  void badSweepsNameTheProblem() {
    QVERIFY(test::inputErrorOf([] {
              planSweep({"wikitext2", "nope", 1, {}});
            })
                .contains("--preset-family: expected reference, paper, paper-perlayer, arledge, "
                          "recipes or cpu-small (wikitext2), got \"nope\""));
    QVERIFY(test::inputErrorOf([] {
              planSweep({"wikitext2", "cpu-small", 0, {}});
            }).contains("--seeds: expected a positive count, got 0"));
    QVERIFY(test::inputErrorOf([] { planSweep({"imagenet", "", 1, {}}); }).contains("TASK"));
    ClusterOptions bad;
    bad.partition = "gpu\n#SBATCH --qos=high";
    const SweepPlan plan = cpuSmall(1);
    QVERIFY(test::inputErrorOf([&] {
              makeSweep(plan, dir_.path().toStdString(), bad, "gwb");
            }).contains("--partition: expected a value without line breaks or quotes"));
  }

  // The script as sbatch would run it, with a stand-in gwb that prints its arguments.
  void scriptIsReadableAndRunsItsTask() {
    const QString runs = dir_.path() + "/runs with space";
    ClusterOptions o;
    o.partition = "gpu";
    o.gres = "gpu:1";
    o.time = "12:00:00";
    o.account = "proj-42";
    o.cpus_per_task = 8;
    o.mem = "32G";
    o.setup = {"module load cuda/12.4", "export OMP_NUM_THREADS=8"};
    const SweepPlan plan = cpuSmall(2);
    Sweep sweep = makeSweep(plan, runs.toStdString(), o, "/opt/gwb/bin/gwb");
    writeSweep(sweep, plan);
    const QString script = QString::fromStdString(sweep.script);
    QVERIFY(script.endsWith("/sweeps/" + QString::fromStdString(sweep.id) + "/sweep.sbatch"));
    QVERIFY(QFileInfo(script).isExecutable());
    const QString text = QString::fromUtf8(readText(script));
    for (const QString& line :
         {QString("#!/bin/bash\n"), QString("#SBATCH --array=0-3\n"),
          QString("#SBATCH --requeue\n"), QString("#SBATCH --signal=B:TERM@120\n"),
          QString("#SBATCH --open-mode=append\n"), QString("#SBATCH --partition=gpu\n"),
          QString("#SBATCH --gres=gpu:1\n"), QString("#SBATCH --time=12:00:00\n"),
          QString("#SBATCH --account=proj-42\n"), QString("#SBATCH --cpus-per-task=8\n"),
          QString("#SBATCH --mem=32G\n"), QString("\nmodule load cuda/12.4\n"),
          QString("#SBATCH --output=\"") + QString::fromStdString(sweep.dir) +
              "/logs/task-%a.out\"\n",
          QString("exec \"$GWB\" train \"$SWEEP/$config\" --run-dir \"$RUNS/$run\"\n")}) {
      QVERIFY2(text.contains(line), qPrintable(line + " not in\n" + text));
    }
    QVERIFY(text.indexOf("module load") < text.indexOf("exec \"$GWB\""));
    QCOMPARE(loadConfigArgument(sweep.tasks[0].config, {}).train.threads, std::int64_t(8));
    // bash runs task 3 (grassmann, second seed) with the stand-in.
    const QString fake = dir_.path() + "/fake-gwb";
    writeText(fake, "#!/bin/sh\nfor a in \"$@\"; do echo \"$a\"; done\n", true);
    ScopedEnv gwb("GWB", fake.toUtf8());
    ScopedEnv task("SLURM_ARRAY_TASK_ID", "3");
    ScopedEnv job("SLURM_JOB_ID", "99");
    ScopedEnv array("SLURM_ARRAY_JOB_ID", "98");
    const QString setup_free = dir_.path() + "/no-setup.sbatch";
    writeText(setup_free, text.toUtf8().replace("module load cuda/12.4\n", ""), true);
    const ChildResult r = runChild({"bash", setup_free.toStdString()}, 20);
    QCOMPARE(r.exit_code, 0);
    const QStringList args = QString::fromStdString(r.out).split('\n', Qt::SkipEmptyParts);
    QCOMPARE(args, (QStringList{"train", QString::fromStdString(sweep.tasks[3].config), "--run-dir",
                                QString::fromStdString(sweep.tasks[3].run_dir)}));
    QVERIFY(QString::fromStdString(r.err).contains("task 3 (job 99) starts on"));
    QCOMPARE(readText(QString::fromStdString(jobFile(sweep.tasks[3]))), QByteArray("98\n"));
    QCOMPARE(QString::fromStdString(sweep.tasks[3].run_dir),
             runs + "/" + QString::fromStdString(sweep.id) + "-3-s" +
                 QString::number(plan.runs[3].config.seed));
  }

  void sweepFolderRoundTrips() {
    const QString runs = dir_.path() + "/roundtrip";
    const SweepPlan plan = cpuSmall(2);
    Sweep a = makeSweep(plan, runs.toStdString(), {}, "/usr/bin/gwb");
    Sweep b = a;
    writeSweep(a, plan);
    writeSweep(b, plan);  // the same second: the second sweep takes -2
    QCOMPARE(b.id, a.id + "-2");
    QVERIFY(b.tasks[0].run_dir != a.tasks[0].run_dir);
    for (const SweepTask& t : a.tasks) {
      const RunConfig c = loadConfigArgument(t.config, {});
      QCOMPARE(c.name, plan.runs[static_cast<std::size_t>(t.index)].config.name);
      QCOMPARE(c.seed, t.seed);
      QCOMPARE(c.train.max_steps, std::int64_t(7));
      QCOMPARE(t.total_steps, std::int64_t(7));
    }
    QVERIFY(QDir(QString::fromStdString(a.dir) + "/logs").exists());
    const Sweep back = readSweep(a.dir);
    QCOMPARE(back.id, a.id);
    QCOMPARE(back.tasks.size(), std::size_t(4));
    QCOMPARE(back.tasks[2].run_dir, a.tasks[2].run_dir);
    QCOMPARE(back.sets, std::vector<std::string>{"train.max_steps=7"});
    QVERIFY(back.submissions.empty());
    const QJsonObject json = parseObject(readFileBytes(a.dir + "/sweep.json"));
    QVERIFY(json["job_id"].isNull());
    QVERIFY(test::inputErrorOf([&] {
              readSweep(runs.toStdString());
            }).contains("expected a sweep folder (with sweep.json)"));
  }

  void parsesWhatSlurmPrints() {
    QCOMPARE(parseSbatchParsable("12\n"), std::string("12"));
    QCOMPARE(parseSbatchParsable("31;cluster2\n"), std::string("31"));
    QVERIFY(test::inputErrorOf([] {
              parseSbatchParsable("Submitted batch job 3\n");
            }).contains("expected a job id"));
    const std::vector<JobState> q = parseSqueue(kSqueue);
    QCOMPARE(q.size(), std::size_t(3));
    QCOMPARE(q[1].job_id, std::string("12_1"));
    QCOMPARE(q[1].task, std::int64_t(1));
    QCOMPARE(q[1].state, std::string("PENDING"));
    QCOMPARE(q[1].reason, std::string("Resources"));
    QCOMPARE(q[0].reason, std::string());
    QCOMPARE(q[2].task, std::int64_t(-1));  // not an array
    const std::vector<JobState> s = parseScontrolJobs(kScontrol);
    QCOMPARE(s.size(), std::size_t(2 + 3));
    QCOMPARE(s[0].job_id, std::string("12_2"));
    QCOMPARE(s[0].state, std::string("FAILED"));
    QCOMPARE(s[0].exit_code, 2);
    QCOMPARE(s[1].restarts, std::int64_t(1));
    QCOMPARE(s[1].exit_signal, 15);
    QCOMPARE(s[4].job_id, std::string("12_6"));
    QCOMPARE(s[4].reason, std::string("JobArrayTaskLimit"));
    QVERIFY(isFinalState("CANCELLED by 0") && isFinalState("TIMEOUT") && !isFinalState("RUNNING"));
    QCOMPARE(parseIndexList("0-3,5,8-9%2", "x"), (std::vector<std::int64_t>{0, 1, 2, 3, 5, 8, 9}));
    QCOMPARE(formatIndexList({5, 0, 1, 2, 9, 3}), std::string("0-3,5,9"));
    QVERIFY(test::inputErrorOf([] {
              parseIndexList("1-", "--tasks");
            }).contains("--tasks: expected indices such as 0-3,5, got \"1-\""));
  }

  void childProcessesKeepStderrAndDeadlines() {
    ChildResult r = runChild({"sh", "-c", "echo out; echo err >&2; exit 3"}, 10);
    QCOMPARE(r.exit_code, 3);
    QCOMPARE(r.out, std::string("out\n"));
    QCOMPARE(r.err, std::string("err\n"));
    r = runChild({"no-such-program-gwb"}, 10);
    QVERIFY(r.not_found);
    // The deadline ends the child and its children (a process group of its own).
    QElapsedTimer timer;
    timer.start();
    r = runChild({"sh", "-c", "sleep 30 & sleep 30; echo never"}, 0.5);
    QVERIFY(r.timed_out);
    QVERIFY2(timer.elapsed() < 3000, qPrintable(QString::number(timer.elapsed())));
    QCOMPARE(r.out, std::string());
    // A watch asked once the child takes long: its answer ends the wait, or lets it go on.
    timer.restart();
    r = runChild({"sleep", "30"}, 20, {0.3, [] { return std::string("no point waiting"); }});
    QCOMPARE(r.aborted, std::string("no point waiting"));
    QVERIFY(!r.ok() && timer.elapsed() < 3000);
    int asked = 0;
    r = runChild({"sh", "-c", "sleep 0.6; echo done"}, 20, {0.2, [&asked] {
                                                              ++asked;
                                                              return std::string();
                                                            }});
    QVERIFY(r.ok());
    QCOMPARE(r.out, std::string("done\n"));
    QCOMPARE(asked, 1);
  }

  void controllerProbeTellsDownFromUp() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    QCOMPARE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    QCOMPARE(::listen(fd, 4), 0);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    const int port = ntohs(addr.sin_port);
    const QString up = dir_.path() + "/up.conf", down = dir_.path() + "/down.conf";
    writeText(up, "# test\nSlurmctldHost=localhost(127.0.0.1)\nSlurmctldPort=" +
                      QByteArray::number(port) + "\n");
    ::close(fd);  // nothing listens there now
    writeText(down, readText(up));
    {
      ScopedEnv conf("SLURM_CONF", down.toUtf8());
      QElapsedTimer timer;
      timer.start();
      const QString problem = QString::fromStdString(probeController());
      QVERIFY2(problem.contains("127.0.0.1:" + QString::number(port) + " refused"),
               qPrintable(problem));
      QVERIFY(timer.elapsed() < 2500);
    }
    {
      ScopedEnv conf("SLURM_CONF", (dir_.path() + "/none.conf").toUtf8());
      QCOMPARE(probeController(), std::string());  // nothing to tell from: the tools judge
    }
    // A tool still waiting after probe_after_s on a controller that refuses: an error at once,
    // not after the tool's own retries. One that answers in time is never second-guessed.
    const QString bin = dir_.path() + "/slow-bin";
    writeText(bin + "/squeue", "#!/bin/sh\nexec sleep 30\n", true);
    writeText(bin + "/scontrol", "#!/bin/sh\n", true);
    ScopedEnv path("PATH", (bin + ":" + qEnvironmentVariable("PATH")).toUtf8());
    ScopedEnv conf("SLURM_CONF", down.toUtf8());
    QElapsedTimer timer;
    timer.start();
    const QString error = test::inputErrorOf([] { queryJobs({"5"}); });
    QVERIFY2(error.startsWith(down + ": SlurmctldHost: expected a slurmctld accepting "
                                     "connections, got 127.0.0.1:") &&
                 error.contains(" refused the connection (is the controller down?); squeue was "
                                "waiting for it"),
             qPrintable(error));
    QVERIFY2(timer.elapsed() < 4000, qPrintable(QString::number(timer.elapsed())));
    writeText(bin + "/squeue", "#!/bin/sh\necho '5|0|5_0|RUNNING|None|n1'\n", true);
    QCOMPARE(queryJobs({"5"}).size(), std::size_t(1));
  }

  void progressIsReadFromTheRunDirectory() {
    const QString run = dir_.path() + "/progress-run";
    writeText(run + "/config.json", "{}");
    const QString metrics = run + "/metrics.jsonl";
    writeText(metrics,
              "{\"event\":\"step\",\"step\":1,\"time\":1.0,\"loss\":9}\n"
              "this line is not JSON\n"
              "{\"event\":\"step\",\"step\":5,\"time\":3.0,\"loss\":8}\n"
              "{\"event\":\"eval\",\"step\":5,\"split\":\"valid\",\"ppl\":900.5}\n"
              "{\"event\":\"step\",\"step\":9,\"time\":5.0");  // torn: still being written
    RunProgressReader reader(run.toStdString());
    RunProgress p = reader.poll();
    QVERIFY(p.exists);
    QCOMPARE(p.step, std::int64_t(5));
    QCOMPARE(p.seconds_per_step, 0.5);
    QCOMPARE(p.best_metric, std::string("valid_ppl"));
    QCOMPARE(*p.best, 900.5);
    QCOMPARE(p.status, std::string());
    QFile f(metrics);
    QVERIFY(f.open(QIODevice::Append));
    f.write(
        ",\"loss\":7}\n{\"event\":\"log\",\"step\":9,\"message\":\"stopped at step 9\"}\n"
        "{\"event\":\"finished\",\"step\":9,\"summary\":{\"status\":\"stopped\"}}\n");
    f.flush();
    p = reader.poll();
    QCOMPARE(p.step, std::int64_t(9));
    QCOMPARE(p.status, std::string("stopped"));
    f.write(
        "{\"event\":\"log\",\"step\":9,\"message\":\"resumed at step 9\"}\n"
        "{\"event\":\"step\",\"step\":10,\"time\":5.4}\n"
        "{\"event\":\"eval\",\"step\":10,\"split\":\"valid\",\"ppl\":800}\n"
        "{\"event\":\"eval\",\"step\":10,\"split\":\"test\",\"ppl\":700}\n");
    f.close();
    p = reader.poll();
    QCOMPARE(p.status, std::string());  // training again
    QCOMPARE(p.resumes, std::int64_t(1));
    QCOMPARE(*p.best, 800.0);
    QCOMPARE(p.seconds_per_step, 0.0);  // one step since the resume: no pace yet
    QCOMPARE(readRunProgress((dir_.path() + "/no-such-run").toStdString()).exists, false);
    // Lines longer than a read block (probe events of a large model) still count whole.
    const QString big = dir_.path() + "/big-run";
    writeText(big + "/metrics.jsonl", "{\"event\":\"alpha\",\"step\":1,\"counts\":\"" +
                                          QByteArray(3 << 20, 'x') +
                                          "\"}\n{\"event\":\"step\",\"step\":2,\"time\":1}\n");
    QCOMPARE(readRunProgress(big.toStdString()).step, std::int64_t(2));
  }

  // submit, status and cancel against stand-in tools that print captured output.
  void statusSubmitAndCancelWithStandInTools() {
    const QString bin = dir_.path() + "/fake-slurm";
    const QString log = bin + "/calls.log";
    const QByteArray record = "echo \"$(basename \"$0\") $*\" >> '" + log.toUtf8() + "'\n";
    writeText(bin + "/sbatch", "#!/bin/sh\n" + record + "echo '42;test'\n", true);
    writeText(bin + "/squeue",
              "#!/bin/sh\n" + record +
                  "echo '42|0|42_0|RUNNING|None|node1'\necho '42|1|42_1|PENDING|Priority|'\n",
              true);
    writeText(bin + "/scontrol",
              "#!/bin/sh\n" + record +
                  "echo 'JobId=50 ArrayJobId=42 ArrayTaskId=0 JobState=RUNNING Restarts=1 "
                  "ExitCode=0:0'\n"
                  "echo 'JobId=51 ArrayJobId=42 ArrayTaskId=2 JobState=COMPLETED ExitCode=0:0'\n"
                  "echo 'JobId=52 ArrayJobId=42 ArrayTaskId=3 JobState=FAILED "
                  "Reason=NonZeroExitCode ExitCode=2:0'\n",
              true);
    writeText(bin + "/scancel", "#!/bin/sh\n" + record, true);
    ScopedEnv path("PATH", (bin + ":" + qEnvironmentVariable("PATH")).toUtf8());
    ScopedEnv conf("SLURM_CONF", (dir_.path() + "/no-such.conf").toUtf8());

    const SweepPlan plan = cpuSmall(2);
    Sweep sweep = makeSweep(plan, (dir_.path() + "/fake-runs").toStdString(), {}, "gwb");
    writeSweep(sweep, plan);
    QCOMPARE(submitSweep(sweep, {}), std::string("42"));
    QVERIFY(readText(log).contains("sbatch --parsable --array=0-3 " +
                                   QByteArray::fromStdString(sweep.script)));
    QCOMPARE(readSweep(sweep.dir).jobId(), std::string("42"));
    // Task 0 trains (2 s a step), task 2 finished, task 3 failed with an error in its output.
    const QString run0 = QString::fromStdString(sweep.tasks[0].run_dir);
    writeText(run0 + "/config.json", "{}");
    writeText(run0 + "/metrics.jsonl",
              "{\"event\":\"step\",\"step\":1,\"time\":2}\n{\"event\":\"step\",\"step\":3,"
              "\"time\":6}\n");
    const QString run2 = QString::fromStdString(sweep.tasks[2].run_dir);
    writeText(run2 + "/config.json", "{}");
    writeText(run2 + "/metrics.jsonl",
              "{\"event\":\"step\",\"step\":7,\"time\":9}\n{\"event\":\"finished\",\"step\":7,"
              "\"summary\":{\"status\":\"finished\"}}\n");
    writeText(run2 + "/summary.json", "{\"status\":\"finished\",\"best_valid_ppl\":321.5}");
    writeText(QString::fromStdString(sweep.tasks[3].output),
              "gwb sweep " + QByteArray::fromStdString(sweep.id) +
                  ": task 3 (job 52) starts\n"
                  "gwb: error: /x/wiki.train.tokens: expected a readable file, got none\n");
    const QJsonObject status = parseObject(sweepStatusJson(sweepStatus(sweep)));
    QCOMPARE(status["job_id"].toString(), QString("42"));
    const QJsonArray tasks = status["tasks"].toArray();
    QCOMPARE(tasks.size(), 4);
    QCOMPARE(tasks[0]["state"].toString(), QString("RUNNING"));
    QCOMPARE(tasks[0]["restarts"].toInt(), 1);
    QCOMPARE(tasks[0]["step"].toInt(), 3);
    QCOMPARE(tasks[0]["total_steps"].toInt(), 7);
    QCOMPARE(tasks[0]["eta_s"].toDouble(), 8.0);  // 4 steps left at 2 s each
    QCOMPARE(tasks[1]["reason"].toString(), QString("Priority"));
    QVERIFY(tasks[1]["eta_s"].isNull());
    QCOMPARE(tasks[2]["state"].toString(), QString("COMPLETED"));
    QCOMPARE(tasks[2]["best"].toDouble(), 321.5);
    QCOMPARE(tasks[2]["eta_s"].toDouble(), 0.0);
    QCOMPARE(tasks[3]["state"].toString(), QString("FAILED"));
    QCOMPARE(tasks[3]["exit_code"].toInt(), 2);
    QCOMPARE(tasks[3]["error"].toString(),
             QString("gwb: error: /x/wiki.train.tokens: expected a readable file, got none"));
    QCOMPARE(status["states"].toObject()["RUNNING"].toInt(), 1);
    for (const char* key :
         {"index", "config", "seed", "run_dir", "state", "step", "total_steps", "best", "eta_s"}) {
      QVERIFY2(tasks[0].toObject().contains(key), key);
    }
    // Task 1 last started by a job submitted by hand (sbatch --array=1 sweep.sbatch): followed.
    writeText(QString::fromStdString(jobFile(sweep.tasks[1])), "44\n");
    const QJsonObject by_hand =
        parseObject(sweepStatusJson(sweepStatus(sweep)))["tasks"][1].toObject();
    QCOMPARE(by_hand["job_id"].toString(), QString("44_1"));
    QVERIFY(readText(log).contains("scontrol show job -o 44"));
    QCOMPARE(by_hand["state"].toString(), QString("UNKNOWN"));  // the stand-ins know no job 44
    QFile::remove(QString::fromStdString(jobFile(sweep.tasks[1])));
    // Task 0 is still running: resubmitting it is refused; tasks 2 and 3 may go again.
    QVERIFY(test::inputErrorOf([&] {
              submitSweep(sweep, {0, 2});
            }).contains("task 0: expected no job of it in the queue, got RUNNING (job 42_0)"));
    submitSweep(sweep, {2, 3});
    QVERIFY(readText(log).contains("--array=2-3"));
    QCOMPARE(readSweep(sweep.dir).submissions.size(), std::size_t(2));
    // Cancel: only the tasks still queued or running.
    const std::vector<std::string> cancelled = cancelSweep(readSweep(sweep.dir), {});
    QCOMPARE(cancelled, (std::vector<std::string>{"42_0", "42_1"}));
    QVERIFY(readText(log).contains("scancel 42_0 42_1"));
  }

  void missingToolsAreClearErrors() {
    ScopedEnv path("PATH", (dir_.path() + "/empty-bin").toUtf8());
    const SweepPlan plan = cpuSmall(1);
    Sweep sweep = makeSweep(plan, (dir_.path() + "/no-tools").toStdString(), {}, "gwb");
    writeSweep(sweep, plan);
    QElapsedTimer timer;
    timer.start();
    const QString error = test::inputErrorOf([&] { submitSweep(sweep, {}); });
    QVERIFY2(error.startsWith("sbatch: expected the SLURM command sbatch on PATH (Debian package "
                              "slurm-client), got none on PATH="),
             qPrintable(error));
    QVERIFY(timer.elapsed() < 1000);
    QCOMPARE(sweepStatus(sweep).tasks[0].state, std::string("UNSUBMITTED"));
    // Status still prints when SLURM cannot be asked, and says why.
    sweep.submissions.push_back({"9", "0-1", ""});
    const SweepStatus status = sweepStatus(sweep);
    QVERIFY2(QString::fromStdString(status.cluster_error).startsWith("squeue: expected the SLURM"),
             status.cluster_error.c_str());
    QCOMPARE(status.tasks[0].state, std::string("UNKNOWN"));
    QVERIFY(test::inputErrorOf([&] { cancelSweep(sweep, {}); }).contains("squeue"));
  }
};

QTEST_GUILESS_MAIN(TestSweeps)
#include "tst_sweeps.moc"
