// gwb's engine commands as scripts use them: train (dry run, a real tiny run, SIGINT and resume),
// eval (golden models and run directories), sample, bench, speedrun --dry-run and report (with
// gaps to the reported numbers worked out by hand). Exit codes and stdout follow CONTRACTS.md.
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>
#include <csignal>
#include <fstream>

#include "test_support.h"

using Result = gwb::test::ProcessResult;

namespace {

// A configuration that trains in seconds: BERT vocabulary, d=32, one layer, 8 steps of 8 x 32.
const char* kTinyConfig = R"({
  "name": "tiny",
  "model": {"arch": "grassmann", "d_model": 32, "n_layers": 1, "d_ff": 64, "r": 8, "windows": [1, 2, 4]},
  "data": {"tokenizer": "bert", "seq_len": 32, "max_train_tokens": 2048, "max_eval_tokens": 248},
  "train": {"epochs": 1, "batch_size": 8, "warmup_steps": 2, "eval_every": 4, "probe_every": 4, "threads": 2}
})";

QJsonObject lastLine(const QByteArray& out) {
  const QList<QByteArray> lines = out.trimmed().split('\n');
  return QJsonDocument::fromJson(lines.last()).object();
}

}  // namespace

class TestCliEngine : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir dir_;
  QString cache_, runs_, tiny_;

  Result gwb(const QStringList& args) { return gwb::test::runGwb(args, cache_); }

  void writeFile(const QString& path, const QByteArray& content) {
    QDir().mkpath(QFileInfo(path).path());
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(content);
  }

  // A run directory as gwb writes it, from a preset and a summary (for report tests).
  QString fakeRun(const QString& name, const QString& preset, int seed, double valid_ppl,
                  double test_ppl) {
    const QString dir = dir_.path() + "/fake/" + name;
    const Result dry = gwb({"train", preset, "--dry-run", "--set", QString("seed=%1").arg(seed)});
    writeFile(dir + "/config.json",
              QJsonDocument(dry.json().object()["config"].toObject()).toJson());
    writeFile(dir + "/summary.json", QJsonDocument(QJsonObject{{"status", "finished"},
                                                               {"params", 12610240},
                                                               {"best_valid_ppl", valid_ppl},
                                                               {"test_ppl", test_ppl},
                                                               {"tokens_per_s", 1000.0}})
                                         .toJson());
    return dir;
  }

 private slots:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    cache_ = qEnvironmentVariable("GWB_CACHE_DIR", dir_.path() + "/cache");
    runs_ = dir_.path() + "/runs";
    tiny_ = dir_.path() + "/tiny.json";
    writeFile(tiny_, kTinyConfig);
  }

  void dryRunPrintsResolvedConfigAndParameters() {
    Result r = gwb({"train", "reference-grassmann-n6-l256", "--dry-run"});
    QCOMPARE(r.exit_code, 0);
    QJsonObject o = r.json().object();
    QCOMPARE(o["parameters"].toObject()["total"].toInteger(), 12643008);
    QCOMPARE(o["parameters"].toObject()["modules"].toObject().keys().size(), 2 + 6 + 1);
    QCOMPARE(o["config"].toObject()["model"].toObject()["vocab_size"].toInt(), 30522);
    r = gwb({"train", "reference-grassmann-n6-l256", "--dry-run", "--set", "data.tokenizer=gpt2"});
    QCOMPARE(r.json().object()["parameters"].toObject()["total"].toInteger(), 17695168);
    QVERIFY(!QDir(runs_).exists());  // a dry run creates nothing
  }

  void badConfigurationExitsTwoAndCreatesNothing() {
    const Result r = gwb({"train", tiny_, "--runs", runs_, "--set", "model.heads=5", "--set",
                          "model.arch=transformer"});
    QCOMPARE(r.exit_code, 2);
    // The bad value came from --set, so the error names the --set, not the file (issue 24).
    QVERIFY2(r.err.contains("gwb: error: --set model.heads=5: model.heads: expected a divisor of "
                            "d_model 32, got 5"),
             r.err.constData());
    QVERIFY(r.out.isEmpty());
    QVERIFY(!QDir(runs_).exists() || QDir(runs_).isEmpty());
    // The same value in the file itself: the file is named, and a --set of another key is not.
    const QString bad = dir_.path() + "/bad_heads.json";
    writeFile(bad,
              QByteArray(kTinyConfig)
                  .replace("\"arch\": \"grassmann\"", "\"arch\": \"transformer\", \"heads\": 5"));
    const Result f = gwb({"train", bad, "--runs", runs_, "--set", "train.lr=0.001"});
    QCOMPARE(f.exit_code, 2);
    QVERIFY2(f.err.contains("gwb: error: " + bad.toUtf8() + ": model.heads: expected a divisor"),
             f.err.constData());
  }

  void goldenModelsEvaluateExactly_data() {
    QTest::addColumn<QString>("name");
    QTest::newRow("grassmann") << "grassmann_small";
    QTest::newRow("transformer") << "transformer_small";
  }
  void goldenModelsEvaluateExactly() {
    QFETCH(QString, name);
    const QString base = QString::fromStdString(gwb::test::goldenPath("models/")) + name;
    const Result r = gwb({"eval", "--model-config", base + "/model.json", "--weights",
                          base + "/weights.safetensors", "--ids", base + "/ids.json"});
    QCOMPARE(r.exit_code, 0);
    QFile f(base + "/expected.json");
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QJsonObject want = QJsonDocument::fromJson(f.readAll()).object();
    const QJsonObject got = r.json().object();
    const auto rel = [](double a, double b) { return std::abs(a - b) / std::abs(b); };
    QVERIFY(rel(got["loss"].toDouble(), want["eval_loss"].toDouble()) < 1e-5);
    QVERIFY(rel(got["logits_sum"].toDouble(), want["logits_sum"].toDouble()) < 1e-4);
    QVERIFY(rel(got["logits_abs_sum"].toDouble(), want["logits_abs_sum"].toDouble()) < 1e-4);
    for (int i = 0; i < 8; ++i) {
      QVERIFY(std::abs(got["logits_first"][i].toDouble() - want["logits_first"][i].toDouble()) <
              1e-4);
      QVERIFY(std::abs(got["logits_last"][i].toDouble() - want["logits_last"][i].toDouble()) <
              1e-4);
    }
    QCOMPARE(got["tokens"].toInt(), 2 * 15);
  }

  void trainEvalSampleAndReportARun() {
    Result r = gwb({"train", tiny_, "--runs", runs_});
    QCOMPARE(r.exit_code, 0);
    const QList<QByteArray> lines = r.out.trimmed().split('\n');
    QCOMPARE(lines.size(), 2);  // {"run_dir"} first, {"summary"} last
    const QString run = QJsonDocument::fromJson(lines.first()).object()["run_dir"].toString();
    QVERIFY(QDir(run).exists("metrics.jsonl"));
    const QJsonObject summary = lastLine(r.out)["summary"].toObject();
    QCOMPARE(summary["status"].toString(), QString("finished"));
    QVERIFY(summary["test_ppl"].toDouble() > 1);

    r = gwb({"eval", run, "--split", "valid"});
    QCOMPARE(r.exit_code, 0);
    QJsonObject e = r.json().object();
    QCOMPARE(e["checkpoint"].toString(), QString("best"));
    QCOMPARE(e["step"].toInt(), summary["best_step"].toInt());
    QVERIFY(std::abs(e["splits"].toObject()["valid"].toObject()["ppl"].toDouble() -
                     summary["best_valid_ppl"].toDouble()) <
            1e-3 * summary["best_valid_ppl"].toDouble());
    QCOMPARE(e["splits"].toObject()["valid"].toObject()["tokens"].toInt(), 248);

    r = gwb({"sample", run, "--prompt", "The game", "--tokens", "5", "--temperature", "0"});
    QCOMPARE(r.exit_code, 0);
    QCOMPARE(r.json().object()["ids"].toArray().size(), 5);
    QVERIFY(!r.json().object()["completion"].toString().isEmpty());

    for (const char* format : {"--markdown", "--csv", "--latex", "--json"}) {
      r = gwb({"report", run, format});
      QCOMPARE(r.exit_code, 0);
      QVERIFY2(r.out.contains("grassmann"), format);
    }
  }

  void interruptLeavesAResumableRun() {
    QProcess process;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("GWB_CACHE_DIR", cache_);
    process.setProcessEnvironment(env);
    process.start(gwb::test::binDir() + "/gwb",
                  {"train", tiny_, "--runs", runs_ + "-interrupt", "--set", "train.epochs=50",
                   "--set", "train.eval_every=0", "--set", "train.probe_every=0"});
    QVERIFY(process.waitForStarted());
    QByteArray err;
    QTRY_VERIFY_WITH_TIMEOUT((err += process.readAllStandardError()).contains("step "), 120000);
    ::kill(static_cast<pid_t>(process.processId()), SIGINT);
    QVERIFY(process.waitForFinished(120000));
    QCOMPARE(process.exitCode(), 130);
    const QByteArray out = process.readAllStandardOutput();
    QCOMPARE(lastLine(out)["summary"].toObject()["status"].toString(), QString("stopped"));
    const QString run =
        QJsonDocument::fromJson(out.split('\n').first()).object()["run_dir"].toString();
    QVERIFY(QFile::exists(run + "/checkpoints/trainer_state.json"));
    // Resume just long enough to see it continue, then stop it the same way.
    QProcess resume;
    resume.setProcessEnvironment(env);
    resume.start(gwb::test::binDir() + "/gwb", {"train", "--resume", run});
    QByteArray err2;
    QTRY_VERIFY_WITH_TIMEOUT((err2 += resume.readAllStandardError()).contains("resumed at step"),
                             120000);
    ::kill(static_cast<pid_t>(resume.processId()), SIGINT);
    QVERIFY(resume.waitForFinished(120000));
    QCOMPARE(resume.exitCode(), 130);
  }

  void benchPrintsThroughput() {
    const Result r = gwb({"bench", "--config", tiny_, "--steps", "2", "--warmup", "1"});
    QCOMPARE(r.exit_code, 0);
    const QJsonObject o = r.json().object();
    for (const char* key :
         {"device", "train", "infer", "params", "flops_per_token", "peak_memory_bytes"}) {
      QVERIFY2(o.contains(key), key);
    }
    QVERIFY(o["train"].toObject()["tokens_per_s"].toDouble() > 0);
    QVERIFY(o["train"].toObject()["ms_per_step"].toDouble() > 0);
    QCOMPARE(o["device"].toString(), QString("cpu"));
  }

  void speedrunDryRunPlansTheSweep() {
    Result r = gwb({"speedrun", "wikitext2", "--dry-run", "--seeds", "2"});
    QCOMPARE(r.exit_code, 0);
    const QJsonArray runs = r.json().object()["runs"].toArray();
    QCOMPARE(runs.size(), 16);
    QCOMPARE(runs[0].toObject()["name"].toString(), QString("reference-transformer-n6-l128-s1234"));
    QCOMPARE(runs[1].toObject()["seed"].toInt(), 1235);
    QCOMPARE(runs[0].toObject()["parameters"].toInteger(), 12585472);
    r = gwb({"speedrun", "wikitext2", "--dry-run", "--preset-family", "arledge"});
    QCOMPARE(r.json().object()["runs"].toArray().size(), 8);
    r = gwb({"speedrun", "wikitext2", "--dry-run", "--preset-family", "cpu-small"});
    QCOMPARE(r.json().object()["runs"].toArray().size(), 2);
    r = gwb({"speedrun", "wikitext2", "--dry-run", "--preset-family", "mine"});
    QCOMPARE(r.exit_code, 2);
    QVERIFY(
        r.err.contains("--preset-family: expected reference, paper, paper-perlayer, arledge, "
                       "recipes or cpu-small (wikitext2), got \"mine\""));
  }

  // An SNLI run directory: the configuration of `preset` with `model` keys set, and a summary.
  QString fakeSnliRun(const QString& name, const QString& preset, const QJsonObject& model,
                      int seed, double valid, double test, const QJsonObject& per_class) {
    const QString dir = dir_.path() + "/snli/" + name;
    const Result dry = gwb({"train", preset, "--dry-run", "--set", QString("seed=%1").arg(seed)});
    QJsonObject config = dry.json().object()["config"].toObject();
    QJsonObject m = config["model"].toObject();
    for (auto it = model.begin(); it != model.end(); ++it) m[it.key()] = it.value();
    config["model"] = m;
    writeFile(dir + "/config.json", QJsonDocument(config).toJson());
    writeFile(dir + "/summary.json",
              QJsonDocument(QJsonObject{{"status", "finished"},
                                        {"task", "snli"},
                                        {"params", 1251843},
                                        {"best_valid_accuracy", valid},
                                        {"test_accuracy", test},
                                        {"test_per_class_accuracy", per_class},
                                        {"tokens_per_s", 1000.0}})
                  .toJson());
    return dir;
  }

  void snliReportHasItsOwnTableWithGapsInPoints() {
    // The reference heads (degenerate) on a frozen DistilBERT: test 70.0 and 72.0 -> 71.0 ± 1.41,
    // the reproduction's Transformer head 67.94 -> +3.06 points; and one from-scratch run.
    const QJsonObject reference{{"backbone", "distilbert"}, {"head_variant", "reference"}};
    const QJsonObject pc{{"entailment", 0.7}, {"neutral", 0.6}, {"contradiction", 0.8}};
    fakeSnliRun("r1", "cpu-small-snli-transformer", reference, 1, 0.69, 0.70, pc);
    fakeSnliRun("r2", "cpu-small-snli-transformer", reference, 2, 0.71, 0.72, pc);
    // Issue 24: a class never predicted (0.0 %) was printed as a blank.
    const QJsonObject pc0{{"entailment", 0.0}, {"neutral", 0.6}, {"contradiction", 0.8}};
    fakeSnliRun("s1", "cpu-small-snli-grassmann", {}, 1, 0.45, 0.44, pc0);
    fakeRun("lm", "reference-grassmann-n6-l128", 1, 300, 290);
    QDir().rename(dir_.path() + "/fake/lm", dir_.path() + "/snli/lm");
    Result r = gwb({"report", dir_.path() + "/snli", "--json"});
    QCOMPARE(r.exit_code, 0);
    const QJsonArray rows = r.json().array();
    QCOMPARE(rows.size(), 3);  // one Wikitext-2 row, two SNLI rows
    std::map<QString, QJsonObject> by_family;
    for (const auto& row : rows) {
      const QJsonObject o = row.toObject();
      if (o["task"].toString() == "snli")
        by_family[o["family"].toString()] = o;
      else
        QCOMPARE(o["task"].toString(), QString("wikitext2"));
    }
    QCOMPARE(by_family.size(), std::size_t(2));
    const QJsonObject ref = by_family["reference heads (degenerate: Plücker(z, z) = 0)"];
    QCOMPARE(ref["test_accuracy"].toObject()["mean"].toDouble(), 71.0);
    QCOMPARE(ref["seeds"].toArray().size(), 2);
    QCOMPARE(ref["test_per_class_accuracy"].toObject()["neutral"].toObject()["mean"].toDouble(),
             60.0);
    const QJsonArray reported = ref["reported"].toArray();
    QCOMPARE(reported.size(), 1);
    QCOMPARE(reported[0].toObject()["source"].toString(), QString("reproduction"));
    QVERIFY(std::abs(reported[0].toObject()["gap_test_points"].toDouble() - (71.0 - 67.94)) < 1e-9);
    QVERIFY(by_family["scratch"]["reported"].toArray().isEmpty());  // nobody reports one
    r = gwb({"report", dir_.path() + "/snli", "--markdown"});
    QVERIFY2(r.out.contains("| family | architecture |") && r.out.contains("| 71.00 ± 1.41 |") &&
                 r.out.contains("+3.06") && r.out.contains("| 44.00 |") &&
                 r.out.contains("0.00 / 60.00 / 80.00"),
             r.out.constData());
    r = gwb({"report", dir_.path() + "/snli", "--csv"});
    const QList<QByteArray> lines = r.out.trimmed().split('\n');
    QCOMPARE(lines.size(), 4);
    const auto fields = [](const QByteArray& line) {  // commas outside quotes, plus one
      int n = 1;
      bool quoted = false;
      for (char c : line) {
        if (c == '"') quoted = !quoted;
        n += c == ',' && !quoted;
      }
      return n;
    };
    for (const QByteArray& line : lines) QCOMPARE(fields(line), fields(lines[0]));  // one table
    QVERIFY(r.out.contains("\nsnli,transformer,,,bert,"));
    r = gwb({"report", dir_.path() + "/snli", "--latex"});
    QCOMPARE(r.out.count("\\begin{tabular}"), 2);
  }

  void reportGroupsSeedsAndComputesGaps() {
    // Two seeds of the reference N=6 L=128 Grassmann: valid 300 and 310 -> 305 ± 7.07;
    // reproduction 253.76 -> +20.2%, paper (Table 1) 275.7 -> +10.6%.
    fakeRun("g1", "reference-grassmann-n6-l128", 1, 300, 290);
    fakeRun("g2", "reference-grassmann-n6-l128", 2, 310, 300);
    fakeRun("t1", "reference-transformer-n6-l128", 1, 200, 190);
    Result r = gwb({"report", dir_.path() + "/fake", "--json"});
    QCOMPARE(r.exit_code, 0);
    const QJsonArray rows = r.json().array();
    QCOMPARE(rows.size(), 2);
    const QJsonObject g = rows[0].toObject()["architecture"].toString() == "grassmann"
                              ? rows[0].toObject()
                              : rows[1].toObject();
    QCOMPARE(g["seeds"].toArray().size(), 2);
    QCOMPARE(g["best_valid_ppl"].toObject()["mean"].toDouble(), 305.0);
    QVERIFY(std::abs(g["best_valid_ppl"].toObject()["std"].toDouble() - 7.0710678) < 1e-6);
    std::map<QString, double> gaps;
    for (const auto& ref : g["reported"].toArray())
      gaps[ref.toObject()["source"].toString()] = ref.toObject()["gap_percent"].toDouble();
    QVERIFY(std::abs(gaps["reproduction"] - 100.0 * (305 - 253.76) / 253.76) < 1e-9);
    QVERIFY(std::abs(gaps["paper"] - 100.0 * (305 - 275.7) / 275.7) < 1e-9);
    QVERIFY(!gaps.count("arledge"));  // Arledge's numbers are GPT-2 runs
    r = gwb({"report", dir_.path() + "/fake", "--markdown"});
    QVERIFY2(
        r.out.contains("| 305.00 ± 7.07 |") && r.out.contains("+20.2%") && r.out.contains("+10.6%"),
        r.out.constData());
    r = gwb({"report", dir_.path() + "/fake", "--csv"});
    QVERIFY(r.out.startsWith("task,architecture,n_layers,seq_len,tokenizer"));
    QCOMPARE(r.out.count('\n'), 3);
    QVERIFY(r.out.contains("\nwikitext2,grassmann,6,128,bert,"));
    r = gwb({"report", dir_.path() + "/nothing-here"});
    QCOMPARE(r.exit_code, 2);
  }
};

QTEST_GUILESS_MAIN(TestCliEngine)
#include "tst_cli_engine.moc"
