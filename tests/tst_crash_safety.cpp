// Nothing lost, ever (the deterministic half of scripts/fault_injection.sh): a checkpoint is one
// unit; a write that fails at any point of a run (a full disk, the hook of durable.h) leaves a
// run that resumes from its newest complete checkpoint and ends with the numbers of an
// uninterrupted run (1e-6), also when it failed before its first checkpoint; stray temporary
// files are cleaned; torn and malformed metrics lines never cost the other events; bad trainer
// states are refused by key; runs in parallel threads own their random streams; a non-finite
// gradient fails the run at its step; a step too large for the memory is refused before any
// allocation; one trainer per run directory; a second signal waits for the write in progress.
#include <sys/wait.h>
#include <torch/torch.h>
#include <unistd.h>

#include <QTemporaryDir>
#include <QtTest>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <thread>

#include "engine/config/presets.h"
#include "engine/model/tensor_io.h"
#include "engine/runs/checkpoint_store.h"
#include "engine/runs/metrics_json.h"
#include "engine/runs/metrics_reader.h"
#include "engine/runs/run_dir.h"
#include "engine/runs/run_lock.h"
#include "engine/train/trainer.h"
#include "engine/util/durable.h"
#include "engine/util/error.h"
#include "engine/util/file_io.h"
#include "run_recorder.h"
#include "test_support.h"

using namespace gwb;
using gwb::test::inputErrorOf;
namespace fs = std::filesystem;

namespace {

using test::Recorder;

// Eight steps, a checkpoint every two, validation every four (dropout on: the generator state
// must be restored).
RunConfig crashConfig(const std::string& name = "crash") {
  RunConfig c = test::tinyRunConfig(name);
  c.train.checkpoint_every = 2;
  return c;
}

TrainOutcome train(const RunConfig& config, const std::string& runs, Recorder& r,
                   const std::string& resume = "") {
  TrainRequest request;
  request.config = config;
  request.runs_dir = runs;
  request.resume_dir = resume;
  request.stop = &r.stop;
  return runTraining(request, r);
}

std::vector<std::string> strays(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); it != fs::end(it); ++it) {
    const std::string name = it->path().filename().string();
    if (name.find(".tmp") != std::string::npos) out.push_back(it->path().string());
  }
  return out;
}

int checkpointFolders(const std::string& run) {
  int n = 0;
  for (const auto& e : fs::directory_iterator(run + "/checkpoints"))
    n += e.path().filename().string().rfind("ckpt-", 0) == 0;
  return n;
}

}  // namespace

class TestCrashSafety : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir dir_;
  std::string runs(const std::string& name) { return dir_.path().toStdString() + "/" + name; }

 private slots:
  void cleanup() { setWriteFault(0, 0); }

  void checkpointIsOneUnit() {
    const std::string ckpt = runs("store") + "/checkpoints";
    CheckpointStore store(ckpt);
    QVERIFY(!store.latest());
    const auto write = [&](const std::string& text) {
      return store.commit([&](const CheckpointFiles& f) {
        writeFileSynced(f.model, "model " + text);
        writeFileSynced(f.optimizer, "optimizer " + text);
        writeFileSynced(f.state, "state " + text);
      });
    };
    write("1");
    const CheckpointFiles second = write("2");
    QCOMPARE(readFileBytes(ckpt + "/last.safetensors"), std::string("model 2"));
    QCOMPARE(readFileBytes(ckpt + "/trainer_state.json"), std::string("state 2"));
    QCOMPARE(store.latest()->dir, second.dir);
    QCOMPARE(checkpointFolders(runs("store")), 1);  // the older one is gone once the new is whole
    // A full disk in the middle of the next one: nothing of it stays, the previous is current.
    setWriteFault(2, ENOSPC);
    QVERIFY(inputErrorOf([&] { write("3"); }).contains("No space left on device"));
    QCOMPARE(readFileBytes(ckpt + "/optimizer.safetensors"), std::string("optimizer 2"));
    QCOMPARE(store.latest()->dir, second.dir);
    QVERIFY(strays(ckpt).empty());
    // What a kill can leave: a temporary folder and a temporary file; clean() removes them.
    fs::create_directory(ckpt + "/.tmp-ckpt-abc123");
    writeFileSynced(ckpt + "/best.safetensors.tmp-XYZ", "half");
    QCOMPARE(store.clean(), 2);
    QVERIFY(strays(ckpt).empty());
    QCOMPARE(readFileBytes(ckpt + "/last.safetensors"), std::string("model 2"));
  }

  void everyFailedWriteLeavesAResumableRun() {
    Recorder whole;
    const TrainOutcome reference = train(crashConfig(), runs("reference"), whole);
    QCOMPARE(reference.summary.status, std::string("finished"));
    const long before = durableWriteCount();
    Recorder counting;
    train(crashConfig(), runs("count"), counting);
    const long writes = durableWriteCount() - before;
    QVERIFY2(writes > 20, qPrintable(QString::number(writes)));
    // Every third write of a run, the first checkpoint's and the summary's among them.
    int failed_runs = 0;
    for (long n = 2; n <= writes; n += 3) {
      const std::string folder = runs("fault-" + std::to_string(n));
      Recorder first;
      setWriteFault(n, ENOSPC);
      TrainOutcome broken;
      try {
        broken = train(crashConfig(), folder, first);
      } catch (const InputError&) {
        continue;  // the run folder itself could not be created: nothing to resume
      }
      setWriteFault(0, 0);
      QVERIFY2(broken.summary.status == "failed",
               qPrintable(QString("write %1: %2").arg(n).arg(broken.summary.status.c_str())));
      QVERIFY2(broken.summary.error.find("No space left") != std::string::npos,
               broken.summary.error.c_str());
      ++failed_runs;
      Recorder second;
      TrainOutcome resumed;
      try {
        resumed = train(crashConfig(), folder, second, broken.run_dir);
      } catch (const std::exception& e) {
        QFAIL(qPrintable(QString("write %1: resuming threw %2").arg(n).arg(e.what())));
      }
      QCOMPARE(resumed.summary.status, std::string("finished"));
      QVERIFY2(std::abs(resumed.summary.test_ppl.value() - reference.summary.test_ppl.value()) <
                   1e-6 * reference.summary.test_ppl.value(),
               qPrintable(QString("write %1: test ppl %2 vs %3")
                              .arg(n)
                              .arg(resumed.summary.test_ppl.value(), 0, 'g', 12)
                              .arg(reference.summary.test_ppl.value(), 0, 'g', 12)));
      for (const StepEvent& e : second.steps) {
        const double want = whole.steps[static_cast<std::size_t>(e.step - 1)].loss;
        QVERIFY2(std::abs(e.loss - want) < 1e-6,
                 qPrintable(QString("write %1 step %2").arg(n).arg(e.step)));
      }
      const std::vector<std::string> left = strays(broken.run_dir);
      QVERIFY2(left.empty(), left.empty() ? "" : left.front().c_str());
      QCOMPARE(checkpointFolders(broken.run_dir), 1);
      // The metrics file reads whole, and the last record of each step is the resumed run's.
      const MetricsEvents events = readMetricsFile(broken.run_dir + "/metrics.jsonl");
      QCOMPARE(events.skipped_lines, std::int64_t{0});
      QCOMPARE(events.steps.size(), whole.steps.size());
    }
    QVERIFY(failed_runs >= 6);
  }

  void runKilledBeforeItsFirstCheckpointStartsOver() {
    Recorder whole;
    const TrainOutcome reference = train(crashConfig(), runs("first-ref"), whole);
    // The first checkpoint (at step 2) never completes: write 1 is config.json, 2-3 the step
    // events, 4-6 the checkpoint's weights, moments and state.
    Recorder first;
    setWriteFault(5, ENOSPC);
    const TrainOutcome broken = train(crashConfig(), runs("first"), first);
    setWriteFault(0, 0);
    QCOMPARE(broken.summary.status, std::string("failed"));
    QVERIFY(!CheckpointStore(broken.run_dir + "/checkpoints").latest());
    Recorder second;
    const TrainOutcome resumed = train(crashConfig(), runs("first"), second, broken.run_dir);
    QCOMPARE(resumed.summary.status, std::string("finished"));
    QCOMPARE(second.steps.front().step, std::int64_t{1});
    QVERIFY(std::find(second.logs.begin(), second.logs.end(),
                      "no checkpoint yet: training from the start") != second.logs.end());
    QVERIFY(std::abs(resumed.summary.test_ppl.value() - reference.summary.test_ppl.value()) <
            1e-6 * reference.summary.test_ppl.value());
  }

  void tornAndMalformedMetricsLinesCostNothingElse() {
    const std::string path = runs("metrics") + ".jsonl";
    fs::create_directories(dir_.path().toStdString());
    {
      std::ofstream out(path);
      out << "{\"event\":\"step\",\"step\":1,\"epoch\":0,\"tokens\":8,\"time\":0.1,\"loss\":3.0}"
          << "\n"
          << "{\"event\":\"step\",\"step\":2,\"epo"
          << "\n"  // a torn line made whole by a newline
          << "{\"event\":\"step\",\"step\":3,\"epoch\":0,\"tokens\":24,\"time\":0.3,\"loss\":2.5}"
          << "\n"
          << "[1, 2]"
          << "\n"
          << "{\"event\":5}"
          << "\n"
          << "{\"event\":\"eval\",\"step\":3,\"split\":\"valid\",\"loss\":2.4,\"ppl\":11.0}"
          << "\n"
          << "{\"event\":\"step\",\"step\":4,\"epoch\":0,\"tok";  // torn by a kill
    }
    MetricsEvents events = readMetricsFile(path);
    QCOMPARE(events.steps.size(), std::size_t{2});
    QCOMPARE(events.evals.size(), std::size_t{1});
    QCOMPARE(events.skipped_lines, std::int64_t{2});  // line 2 and line 4; {"event":5} is unknown
    QVERIFY(!events.warnings.empty());
    QVERIFY2(QString::fromStdString(events.warnings.front())
                 .startsWith(QString::fromStdString(path + ":2")),
             events.warnings.front().c_str());
    {
      MetricsWriter writer(path);  // cuts the torn fragment before appending
      QVERIFY(writer.cutBytes() > 0);
      LogEvent e;
      e.step = 4;
      e.message = "resumed";
      writer.onLog(e);
    }
    events = readMetricsFile(path);
    QCOMPARE(events.logs.size(), std::size_t{1});
    QCOMPARE(events.skipped_lines, std::int64_t{2});
    const std::string text = readFileBytes(path);
    QVERIFY(text.back() == '\n' && text.find("\"tok\n") == std::string::npos);
  }

  void badTrainerStatesAreRefusedByKey_data() {
    QTest::addColumn<QString>("json");
    QTest::addColumn<QString>("key");
    const QString ok =
        "\"epoch\":0,\"position\":1,\"time\":1.5,\"best_valid_ppl\":0,\"best_step\":0,\"rng_cpu\":"
        "\"00ff\"";
    QTest::newRow("null step") << ("{\"step\":null," + ok + "}") << "step";
    QTest::newRow("string step") << ("{\"step\":\"3\"," + ok + "}") << "step";
    QTest::newRow("negative step") << ("{\"step\":-1," + ok + "}") << "step";
    QTest::newRow("step beyond 2^62") << ("{\"step\":9223372036854775807," + ok + "}") << "step";
    QTest::newRow("missing step") << ("{" + ok + "}") << "step";
    QTest::newRow("odd hex") << "{\"step\":1,\"epoch\":0,\"position\":1,\"time\":1,\"best_valid_"
                                "ppl\":0,\"best_step\":0,\"rng_cpu\":\"abc\"}"
                             << "rng_cpu";
    QTest::newRow("best after step") << "{\"step\":1,\"epoch\":0,\"position\":1,\"time\":1,\"best_"
                                        "valid_ppl\":0,\"best_step\":5,\"rng_cpu\":\"00\"}"
                                     << "best_step";
    QTest::newRow("not an object") << "[1]"
                                   << "";
  }
  void badTrainerStatesAreRefusedByKey() {
    QFETCH(QString, json);
    QFETCH(QString, key);
    const QString error =
        inputErrorOf([&] { parseTrainerState(json.toStdString(), "state.json"); });
    QVERIFY2(error.startsWith("state.json") && error.contains(key) && error.contains("expected"),
             qPrintable(error));
  }

  void runsInParallelThreadsOwnTheirRandomStreams() {
    RunConfig a = crashConfig("alone-a"), b = crashConfig("alone-b");
    b.seed = 99;
    Recorder ra, rb, pa, pb;
    train(a, runs("rng-alone"), ra);
    train(b, runs("rng-alone"), rb);
    std::thread other([&] { train(b, runs("rng-parallel"), pb); });
    train(a, runs("rng-parallel"), pa);
    other.join();
    QCOMPARE(pa.steps.size(), ra.steps.size());
    for (std::size_t i = 0; i < ra.steps.size(); ++i) {
      QCOMPARE(pa.steps[i].loss, ra.steps[i].loss);  // identical, not merely close
      QCOMPARE(pb.steps[i].loss, rb.steps[i].loss);
    }
    QVERIFY(ra.steps.back().loss != rb.steps.back().loss);
  }

  void nonFiniteGradientFailsAtItsStep() {
    qputenv("GWB_FAULT_NAN_GRAD_STEP", "5");
    Recorder r;
    const TrainOutcome out = train(crashConfig(), runs("nan"), r);
    qunsetenv("GWB_FAULT_NAN_GRAD_STEP");
    QCOMPARE(out.summary.status, std::string("failed"));
    QVERIFY2(out.summary.error == "non-finite gradient norm (nan) at step 5",
             out.summary.error.c_str());
    QVERIFY(std::isfinite(r.steps.back().loss));  // the loss of step 4 was finite
    const TrainerState state = readTrainerState(out.run_dir + "/checkpoints/trainer_state.json");
    QCOMPARE(state.step, std::int64_t{4});
    for (const auto& [name, t] : loadTensors(out.run_dir + "/checkpoints/last.safetensors"))
      QVERIFY2(torch::isfinite(t).all().item<bool>(), name.c_str());
  }

  void aStepTooLargeForTheMemoryIsRefusedFirst() {
    RunConfig c = crashConfig("huge");
    c.train.batch_size = 1000000000000;
    QString error = inputErrorOf([&] { prepareConfig(c, "huge.json"); });
    QVERIFY2(error.startsWith("huge.json: train.batch_size: expected a batch that fits") &&
                 error.contains("GiB"),
             qPrintable(error));
    Recorder r;
    error = inputErrorOf([&] { train(c, runs("huge"), r); });
    QVERIFY2(error.contains("train.batch_size"), qPrintable(error));
    QVERIFY(!fs::exists(runs("huge")) || fs::is_empty(runs("huge")));
    RunConfig wide = crashConfig("wide");
    wide.model.d_model = 4000000;  // 4e6 x 30,522 embeddings
    error = inputErrorOf([&] { prepareConfig(wide, "wide.json"); });
    QVERIFY2(error.contains("model.d_model: expected a model that fits"), qPrintable(error));
  }

  void oneTrainerPerRunDirectory() {
    Recorder r;
    const TrainOutcome out = train(crashConfig("locked"), runs("lock"), r);
    QVERIFY(!RunLock::isHeld(out.run_dir));
    {
      const RunLock held(out.run_dir);
      QVERIFY(RunLock::isHeld(out.run_dir));
      QVERIFY(inputErrorOf([&] { RunLock again(out.run_dir); }).contains("no other trainer"));
      TrainRequest request;
      request.resume_dir = out.run_dir;
      QVERIFY(inputErrorOf([&] { runTraining(request, r); }).contains("no other trainer"));
    }
    QVERIFY(!RunLock::isHeld(out.run_dir));
  }

  void secondSignalWaitsForTheWriteInProgress() {
    const std::string marker = runs("marker");
    fs::create_directories(dir_.path().toStdString());
    const pid_t child = fork();
    if (child == 0) {
      {
        const WriteScope scope;
        exitWhenWritesDone(130);  // arrives mid-write: must not exit yet
        std::ofstream(marker) << "whole";
      }
      _exit(0);  // not reached: the closing scope exits with 130
    }
    int status = 0;
    waitpid(child, &status, 0);
    QVERIFY(WIFEXITED(status));
    QCOMPARE(WEXITSTATUS(status), 130);
    QCOMPARE(readFileBytes(marker), std::string("whole"));
    const pid_t idle = fork();
    if (idle == 0) {
      exitWhenWritesDone(130);  // no write in progress: at once
      _exit(0);
    }
    waitpid(idle, &status, 0);
    QCOMPARE(WEXITSTATUS(status), 130);
  }
};

QTEST_GUILESS_MAIN(TestCrashSafety)
#include "tst_crash_safety.moc"
