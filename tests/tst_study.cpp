// gwb study as a researcher uses it (CONTRACTS `gwb study`, SPEC §9): plan, run (a real path study
// of two tiny configurations, 2 seeds), a second run that trains nothing, status and report in
// every format; the report's numbers recomputed here from the runs' metrics.jsonl with Student-t
// quantiles from a table; the planner's hash equal to the trainer's; the switch groups against the
// configuration keys; the recipes' plans; bad input and a study folder edited by hand.
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>
#include <cmath>
#include <set>

#include "engine/config/config_diff.h"
#include "engine/config/config_keys.h"
#include "engine/study/study.h"
#include "test_support.h"

using Result = gwb::test::ProcessResult;

namespace {

// Two configurations that train in a second or two; B differs from A in the mixer (a Grassmann
// key) and the optimizer (both architectures).
const char* kA = R"({
  "name": "tiny-a",
  "model": {"arch": "grassmann", "d_model": 32, "n_layers": 1, "d_ff": 64, "r": 8, "windows": [1, 2, 4]},
  "data": {"tokenizer": "bert", "seq_len": 32, "max_train_tokens": 4096, "max_eval_tokens": 496},
  "train": {"epochs": 1, "batch_size": 8, "lr": 0.001, "warmup_steps": 2, "eval_every": 4,
            "probe_every": 0, "threads": 2}
})";
const char* kB = R"({
  "name": "tiny-b",
  "model": {"arch": "grassmann", "d_model": 32, "n_layers": 1, "d_ff": 64, "r": 8, "windows": [1, 2, 4],
            "mix_output": "gate_only"},
  "data": {"tokenizer": "bert", "seq_len": 32, "max_train_tokens": 4096, "max_eval_tokens": 496},
  "train": {"epochs": 1, "batch_size": 8, "lr": 0.003, "warmup_steps": 2, "eval_every": 4,
            "probe_every": 0, "threads": 2}
})";

// Student-t 0.975 quantiles by degrees of freedom (any table, e.g. NIST/SEMATECH 1.3.6.7.2).
double t975(int df) {
  static const double table[] = {0, 12.7062047, 4.3026527, 3.1824463, 2.7764451};
  return table[df];
}

struct Stat {
  double mean = 0, lo = 0, hi = 0;
};
Stat pairedT(const std::vector<double>& v) {
  double m = 0;
  for (double x : v) m += x;
  m /= static_cast<double>(v.size());
  double ss = 0;
  for (double x : v) ss += (x - m) * (x - m);
  const double se =
      std::sqrt(ss / static_cast<double>(v.size() - 1)) / std::sqrt(static_cast<double>(v.size()));
  const double h = t975(static_cast<int>(v.size()) - 1) * se;
  return {m, m - h, m + h};
}

// The lowest validation loss in a run's metrics.jsonl (token-weighted: eval_mean is tokens).
double bestValidLoss(const QString& run_dir) {
  QFile f(run_dir + "/metrics.jsonl");
  if (!f.open(QIODevice::ReadOnly)) return NAN;
  double best = INFINITY;
  for (const QByteArray& line : f.readAll().split('\n')) {
    const QJsonObject o = QJsonDocument::fromJson(line).object();
    if (o["event"] == "eval" && o["split"] == "valid") best = std::min(best, o["loss"].toDouble());
  }
  return best;
}

QJsonObject readObject(const QString& path) {
  QFile f(path);
  if (!f.open(QIODevice::ReadOnly)) return {};
  return QJsonDocument::fromJson(f.readAll()).object();
}

}  // namespace

class TestStudy : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir dir_;
  QString cache_, runs_, a_, b_, study_;

  Result gwb(const QStringList& args) { return gwb::test::runGwb(args, cache_); }

  void writeFile(const QString& path, const QByteArray& content) {
    QDir().mkpath(QFileInfo(path).path());
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(content);
  }

  QJsonObject cell(const QJsonObject& report, const QString& id) {
    for (const auto& c : report["cells"].toArray()) {
      if (c.toObject()["id"].toString() == id) return c.toObject();
    }
    return {};
  }

 private slots:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    cache_ = qEnvironmentVariable("GWB_CACHE_DIR", dir_.path() + "/cache");
    runs_ = dir_.path() + "/runs";
    a_ = dir_.path() + "/tiny-a.json";
    b_ = dir_.path() + "/tiny-b.json";
    writeFile(a_, kA);
    writeFile(b_, kB);
  }

  // Every key that can differ between two Wikitext-2 recipes is in exactly one group; the keys
  // left out are the ones the hash leaves out, the SNLI classifier's and the probes'.
  void groupsCoverTheConfigurationKeys() {
    std::set<std::string> grouped;
    for (const auto& g : gwb::study::switchGroups()) {
      for (const std::string& key : g.keys) {
        QVERIFY2(gwb::findConfigKey(key), key.c_str());
        QVERIFY2(grouped.insert(key).second, key.c_str());
      }
    }
    for (const gwb::ConfigKey& key : gwb::configKeys()) {
      const bool other = gwb::experimentIgnores(key.path) || key.page == "Classifier" ||
                         key.page == "Probes" || key.path == "model.arch" ||
                         key.path == "data.task" || key.path == "data.pair_encoding" ||
                         key.path == "data.feature_cache_gb";
      QVERIFY2(other != (grouped.count(key.path) > 0), key.path.c_str());
    }
  }

  void planCountsSharedRuns() {
    const Result r = gwb({"study", "plan", "path", a_, b_, "--seeds", "2", "--runs", runs_});
    QVERIFY2(r.exit_code == 0, r.err.constData());
    const QJsonObject plan = r.json().object();
    QCOMPARE(plan["design"].toString(), QString("path"));
    QCOMPARE(plan["scale"].toString(), QString("full"));
    const QJsonArray groups = plan["groups"].toArray();
    QCOMPARE(groups.size(), 2);  // SPEC §9's order: mixer before optimizer
    QCOMPARE(groups[0].toObject()["name"].toString(), QString("mixer"));
    QCOMPARE(groups[0].toObject()["keys"].toArray(), QJsonArray({"model.mix_output"}));
    QVERIFY(groups[0].toObject()["arch_specific"].toBool());
    QCOMPARE(groups[1].toObject()["name"].toString(), QString("optimizer"));
    QCOMPARE(groups[1].toObject()["keys"].toArray(), QJsonArray({"train.lr"}));
    const QJsonArray cells = plan["cells"].toArray();
    QCOMPARE(cells.size(), 3);
    QCOMPARE(cells[1].toObject()["id"].toString(), QString("A+mixer"));
    QCOMPARE(cells[1].toObject()["levels"].toObject(),
             (QJsonObject{{"mixer", "B"}, {"optimizer", "A"}}));
    // The Transformer of A+mixer is A's (the mixer is Grassmann's): Grassmann 3 cells x 2
    // seeds, the Transformer 2 distinct configurations x 2 seeds.
    QCOMPARE(plan["runs_to_train"].toInt(), 10);
    QCOMPARE(plan["runs_reused"].toInt(), 0);
    QCOMPARE(cells[2]
                 .toObject()["configs"]
                 .toObject()["grassmann"]
                 .toObject()["train"]
                 .toObject()["lr"]
                 .toDouble(),
             0.003);
    QVERIFY(!QDir(runs_ + "/studies").exists());  // plan creates nothing
  }

  void runTrainsThePathAndReportsPairedIntervals() {
    const Result r = gwb({"study", "run", "path", a_, b_, "--seeds", "2", "--runs", runs_});
    QVERIFY2(r.exit_code == 0, r.err.constData());
    QVERIFY2(r.err.contains("10 to train"), r.err.constData());
    const QStringList studies =
        QDir(runs_ + "/studies").entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    QCOMPARE(studies.size(), 1);
    study_ = runs_ + "/studies/" + studies.front();
    const QJsonObject file = readObject(study_ + "/study.json");
    QCOMPARE(file["cells"].toArray().size(), 3);
    QSet<QString> dirs;
    for (const auto& c : file["cells"].toArray()) {
      const QJsonObject cj = c.toObject();
      const QJsonObject hashes = cj["config_sha256"].toObject();
      QCOMPARE(cj["runs"].toArray().size(), 2);
      for (const auto& run : cj["runs"].toArray()) {
        for (const QString arch : {"grassmann", "transformer"}) {
          const QString run_dir = run.toObject()[arch].toString();
          QVERIFY(QDir::isAbsolutePath(run_dir));
          QVERIFY(!run.toObject()["reused"].toObject()[arch].toBool());
          dirs.insert(run_dir);
          // The planner's hash is the trainer's (config.json).
          QCOMPARE(readObject(run_dir + "/config.json")["config_sha256"].toString(),
                   hashes[arch].toString());
          QCOMPARE(readObject(run_dir + "/summary.json")["status"].toString(), QString("finished"));
        }
      }
    }
    QCOMPARE(dirs.size(), 10);

    // The final report (JSON on stdout) against numbers worked out here.
    const QJsonObject report = r.json().object();
    std::map<QString, std::vector<double>> delta, g_loss;
    for (const auto& c : file["cells"].toArray()) {
      const QJsonObject cj = c.toObject();
      for (const auto& run : cj["runs"].toArray()) {
        const double g = bestValidLoss(run.toObject()["grassmann"].toString());
        const double t = bestValidLoss(run.toObject()["transformer"].toString());
        QVERIFY(std::isfinite(g) && std::isfinite(t));
        delta[cj["id"].toString()].push_back(g - t);
        g_loss[cj["id"].toString()].push_back(g);
      }
    }
    for (const QString id : {"A", "A+mixer", "B"}) {
      const QJsonObject c = cell(report, id);
      const Stat s = pairedT(delta[id]);
      QCOMPARE(c["n"].toInt(), 2);
      QCOMPARE(c["df"].toInt(), 1);
      const QJsonObject d = c["delta"].toObject();
      QVERIFY(std::abs(d["mean"].toDouble() - s.mean) < 1e-9);
      QVERIFY(std::abs(d["ci"].toArray()[0].toDouble() - s.lo) < 1e-6);
      QVERIFY(std::abs(d["ci"].toArray()[1].toDouble() - s.hi) < 1e-6);
      QVERIFY(std::abs(c["gap_percent"].toObject()["mean"].toDouble() -
                       100 * (std::exp(s.mean) - 1)) < 1e-6);
      const Stat gs = pairedT(g_loss[id]);
      QVERIFY(std::abs(c["grassmann"].toObject()["loss"].toObject()["mean"].toDouble() - gs.mean) <
              1e-9);
      QVERIFY(std::abs(c["grassmann"].toObject()["ppl"].toDouble() - std::exp(gs.mean)) < 1e-6);
    }
    // Steps: the paired change of Delta along the path, per seed.
    const QJsonArray steps = report["steps"].toArray();
    QCOMPARE(steps.size(), 2);
    const std::vector<std::pair<QString, QString>> walk = {{"A", "A+mixer"}, {"A+mixer", "B"}};
    for (int i = 0; i < 2; ++i) {
      std::vector<double> change;
      for (int s = 0; s < 2; ++s)
        change.push_back(delta[walk[i].second][s] - delta[walk[i].first][s]);
      const Stat expected = pairedT(change);
      const QJsonObject d = steps[i].toObject()["delta"].toObject();
      QVERIFY(std::abs(d["mean"].toDouble() - expected.mean) < 1e-9);
      QVERIFY(std::abs(d["ci"].toArray()[0].toDouble() - expected.lo) < 1e-6);
    }
    // The mixer leaves the Transformer alone: its loss changes by exactly 0.
    QCOMPARE(steps[0].toObject()["transformer"].toObject()["mean"].toDouble(), 0.0);
    QCOMPARE(report["runs"].toObject()["finished"].toInt(), 10);
    QCOMPARE(report["warnings"].toArray().size(), 0);  // nothing edited, nothing missing
  }

  void secondRunTrainsNothing() {
    QVERIFY(!study_.isEmpty());
    const Result r = gwb({"study", "run", "path", a_, b_, "--seeds", "2", "--runs", runs_});
    QVERIFY2(r.exit_code == 0, r.err.constData());
    QVERIFY2(r.err.contains("10 reused") && r.err.contains("0 to train"), r.err.constData());
    // The same folder again: nothing unfinished.
    const Result again = gwb({"study", "run", study_});
    QVERIFY2(again.exit_code == 0, again.err.constData());
    QVERIFY2(again.err.contains("0 to train"), again.err.constData());
  }

  void statusAndReportFormats() {
    const Result status = gwb({"study", "status", study_});
    QCOMPARE(status.exit_code, 0);
    QCOMPARE(status.json().object()["states"].toObject(), (QJsonObject{{"finished", 10}}));
    const Result md = gwb({"study", "report", study_});
    QCOMPARE(md.exit_code, 0);
    QVERIFY(md.out.contains("| A+mixer | mixer | 2 |"));
    QVERIFY(md.out.contains("## Steps"));
    const Result csv = gwb({"study", "report", study_, "--csv"});
    QVERIFY(csv.out.startsWith("table,id,detail,n,df,quantity,mean,lo,hi\n"));
    QCOMPARE(csv.out.count("\nstep,"), 6);
    const Result tex = gwb({"study", "report", study_, "--latex"});
    QVERIFY(tex.out.contains("\\begin{tabular}") && tex.out.contains("A+mixer"));
    const Result json = gwb({"study", "report", study_, "--json"});
    QCOMPARE(json.json().object()["cells"].toArray().size(), 3);
    QCOMPARE(gwb({"study", "report", study_, "--json", "--csv"}).exit_code, 2);
  }

  // A study folder edited by hand: a level that contradicts the design is an error naming the
  // key; a run directory that is gone is a warning and counted, never a silently wrong table.
  void editedStudyFolder() {
    const QJsonObject original = readObject(study_ + "/study.json");
    QJsonObject edited = original;
    QJsonArray cells = edited["cells"].toArray();
    QJsonObject c1 = cells[1].toObject();
    c1["levels"] = QJsonObject{{"mixer", "A"}, {"optimizer", "B"}};
    cells[1] = c1;
    edited["cells"] = cells;
    const QString copy = dir_.path() + "/edited";
    writeFile(copy + "/study.json", QJsonDocument(edited).toJson());
    const Result r = gwb({"study", "report", copy});
    QCOMPARE(r.exit_code, 2);
    QVERIFY2(r.err.contains("study.json: cells[1].levels.mixer: expected \"B\""),
             r.err.constData());

    // A run moved away.
    QJsonObject moved = original;
    cells = moved["cells"].toArray();
    QJsonObject c0 = cells[0].toObject();
    QJsonArray runs = c0["runs"].toArray();
    QJsonObject run0 = runs[0].toObject();
    run0["grassmann"] = dir_.path() + "/nowhere";  // a run it had (reused) is gone
    run0["reused"] = QJsonObject{{"grassmann", true}, {"transformer", false}};
    runs[0] = run0;
    c0["runs"] = runs;
    cells[0] = c0;
    moved["cells"] = cells;
    writeFile(copy + "/study.json", QJsonDocument(moved).toJson());
    const Result m = gwb({"study", "report", copy, "--json"});
    QCOMPARE(m.exit_code, 0);
    const QJsonObject report = m.json().object();
    QCOMPARE(cell(report, "A")["n"].toInt(), 1);
    QVERIFY(cell(report, "A")["delta"].toObject()["ci"].isNull());  // one seed: no interval
    QVERIFY(m.err.contains("no run there"));
    QCOMPARE(report["runs"].toObject()["unfinished"].toInt(), 1);
  }

  void recipesPlanAtCpuScale() {
    const Result r = gwb(
        {"study", "plan", "path", "reference", "kanenorman", "--scale", "cpu", "--runs", runs_});
    QVERIFY2(r.exit_code == 0, r.err.constData());
    const QJsonObject plan = r.json().object();
    QStringList groups;
    for (const auto& g : plan["groups"].toArray()) groups << g.toObject()["name"].toString();
    // At cpu scale both recipes train fp32 for the same steps: precision and length drop out.
    QCOMPARE(groups, (QStringList{"data", "block", "mixer", "init", "optimizer", "schedule",
                                  "evaluation"}));
    QCOMPARE(plan["cells"].toArray().size(), 8);
    // 8 cells x 3 seeds for Grassmann; the Transformer skips the mixer step's cell: 7 x 3.
    QCOMPARE(plan["runs_to_train"].toInt(), 24 + 21);
    const QJsonObject a =
        plan["cells"].toArray()[0].toObject()["configs"].toObject()["grassmann"].toObject();
    QCOMPARE(a["model"].toObject()["d_model"].toInt(), 64);
    QCOMPARE(a["data"].toObject()["seq_len"].toInt(), 64);
    QCOMPARE(a["train"].toObject()["max_steps"].toInt(), 600);
    QCOMPARE(a["data"].toObject()["format"].toString(), QString("tokens"));  // raw not installed
    QVERIFY(plan["notes"].toArray().size() >= 1);

    const Result f =
        gwb({"study", "plan", "factorial", "reference", "kanenorman", "--scale", "cpu",
             "--switches", "block,init,optimizer,schedule", "--fraction", "1", "--runs", runs_});
    QVERIFY2(f.exit_code == 0, f.err.constData());
    QCOMPARE(f.json().object()["cells"].toArray().size(), 8);  // 2^(4-1)
    QCOMPARE(f.json().object()["resolution"].toInt(), 4);
    QVERIFY(!f.json().object()["aliases"].toArray().isEmpty());
  }

  void badInput() {
    Result r = gwb({"study", "plan", "path", "nosuchrecipe", "kanenorman"});
    QCOMPARE(r.exit_code, 2);
    QVERIFY2(r.err.contains("nosuchrecipe") && r.err.contains("a recipe"), r.err.constData());
    r = gwb({"study", "plan", "path", a_, b_, "--order", "mixer,nosuchgroup"});
    QCOMPARE(r.exit_code, 2);
    QVERIFY2(r.err.contains("--order: expected switch groups") && r.err.contains("nosuchgroup"),
             r.err.constData());
    r = gwb({"study", "plan", "path", a_, b_, "--order", "mixer"});
    QCOMPARE(r.exit_code, 2);
    QVERIFY2(r.err.contains("train.lr"), r.err.constData());
    r = gwb({"study", "plan", "factorial", "reference", "kanenorman", "--scale", "cpu",
             "--switches", "block,init,optimizer,schedule", "--fraction", "2"});
    QCOMPARE(r.exit_code, 2);
    QVERIFY2(r.err.contains("fraction"), r.err.constData());
    r = gwb({"study", "plan", "factorial", a_, b_, "--switches", "mixer,init"});
    QCOMPARE(r.exit_code, 2);
    QVERIFY2(r.err.contains("\"init\" does not differ"), r.err.constData());
    r = gwb({"study", "report", dir_.path()});
    QCOMPARE(r.exit_code, 2);
    QVERIFY2(r.err.contains("study.json"), r.err.constData());
    r = gwb({"study", "plan", "path", a_, b_, "--scale", "huge"});
    QCOMPARE(r.exit_code, 2);
    QVERIFY2(r.err.contains("--scale: expected full, small or cpu"), r.err.constData());
  }
};

QTEST_GUILESS_MAIN(TestStudy)
#include "tst_study.moc"
