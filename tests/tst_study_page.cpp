// The Study page with runs whose losses are chosen here: the plan before anything starts, the runs
// it asks the queue for, the cells' table, the waterfall's bars at the gaps worked out by hand,
// each architecture's own change (exactly 0 for the Transformer across a Grassmann-only group),
// parallel coordinates brushed to one cell's runs, a factorial's effects, and the export (in the
// window and headless) writing every chart with its data.
#include <QDir>
#include <QFile>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>
#include <cmath>

#include "engine/study/study_runs.h"
#include "fake_runs.h"
#include "plotting/study_charts.h"
#include "test_support.h"
#include "ui/study_page.h"

using namespace gwb;

namespace {

const char* kA = R"({
  "name": "tiny-a",
  "model": {"arch": "grassmann", "d_model": 32, "n_layers": 1, "d_ff": 64, "r": 8, "windows": [1, 2, 4]},
  "data": {"tokenizer": "bert", "seq_len": 32, "max_train_tokens": 4096, "max_eval_tokens": 496},
  "train": {"epochs": 1, "batch_size": 8, "lr": 0.001, "warmup_steps": 2, "eval_every": 4}
})";
const char* kB = R"({
  "name": "tiny-b",
  "model": {"arch": "grassmann", "d_model": 32, "n_layers": 1, "d_ff": 64, "r": 8, "windows": [1, 2, 4],
            "mix_output": "gate_only"},
  "data": {"tokenizer": "bert", "seq_len": 32, "max_train_tokens": 4096, "max_eval_tokens": 496},
  "train": {"epochs": 1, "batch_size": 8, "lr": 0.003, "warmup_steps": 2, "eval_every": 4}
})";

// A fake run's valid loss decays as loss0 exp(-0.02 step): 40 steps end at loss0 exp(-0.8).
constexpr int kSteps = 40;
double loss0For(double best) { return best / std::exp(-0.02 * kSteps); }
double gap(double delta) { return 100.0 * std::expm1(delta); }

}  // namespace

class TestStudyPage : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir dir_;
  QString a_, b_;

  void writeFile(const QString& path, const QByteArray& content) {
    QDir().mkpath(QFileInfo(path).path());
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(content);
  }

  // Writes every run of `study` as finished, its best valid loss from `best(cell, arch, seed#)`.
  template <typename Best>
  void writeRuns(const study::Study& s, Best best) {
    for (std::size_t c = 0; c < s.plan.cells.size(); ++c) {
      for (std::size_t k = 0; k < s.runs[c].size(); ++k) {
        for (const std::string& arch : study::studyArchs()) {
          const QString dir = QString::fromStdString(s.runs[c][k].dir(arch));
          if (QFileInfo::exists(dir + "/summary.json")) continue;  // shared by two cells
          test::FakeRun run{study::runConfig(s.plan.cells[c], arch, s.runs[c][k].seed), kSteps,
                            10, loss0For(best(s.plan.cells[c].id, arch, k)), 100.0, false};
          test::writeFakeRun(QFileInfo(dir).path(), QFileInfo(dir).fileName(), run);
        }
      }
    }
  }

 private slots:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    a_ = dir_.path() + "/tiny-a.json";
    b_ = dir_.path() + "/tiny-b.json";
    writeFile(a_, kA);
    writeFile(b_, kB);
  }

  void pathStudyFromPlanToCharts() {
    const QString runs = dir_.path() + "/runs";
    ui::StudyPage page;
    page.setRunsDir(runs);
    study::StudyRequest request;
    request.a = a_.toStdString();
    request.b = b_.toStdString();
    request.seeds = 2;
    page.setRequest(request);
    QVERIFY2(page.planNow(), qPrintable(page.planError()));
    QVERIFY2(page.planText().contains("10 runs: 10 to train, 0 reused"), qPrintable(page.planText()));
    QVERIFY(page.planText().contains("mixer (model.mix_output)"));

    QSignalSpy asked(&page, &ui::StudyPage::runsRequested);
    QVERIFY(page.startHere());
    QCOMPARE(asked.size(), 1);
    const QStringList dirs = asked.front()[2].toStringList();
    QCOMPARE(dirs.size(), 10);  // the Transformer of A+mixer is A's
    QVERIFY(page.study().has_value());
    const study::Study s = *page.study();

    // Delta per cell and seed (nats): A 0.10 / 0.14, A+mixer 0.06 / 0.08, B 0.03 / 0.01; the
    // Transformer 5.0 / 5.2, and 4.9 / 5.1 once the optimizer switched.
    const std::map<std::string, std::vector<double>> delta = {
        {"A", {0.10, 0.14}}, {"A+mixer", {0.06, 0.08}}, {"B", {0.03, 0.01}}};
    writeRuns(s, [&](const std::string& cell, const std::string& arch, std::size_t k) {
      const double t = (cell == "B" ? 4.9 : 5.0) + 0.2 * static_cast<double>(k);
      return arch == "transformer" ? t : t + delta.at(cell)[k];
    });
    page.refreshNow();
    QVERIFY(page.report().has_value());
    const study::StudyReport& r = *page.report();
    QCOMPARE(r.runs_finished, 10);

    QTableWidget* cells = page.cellsTable();
    QCOMPARE(cells->rowCount(), 3);
    QCOMPARE(cells->item(1, 0)->text(), QString("A+mixer"));
    QCOMPARE(cells->item(1, 1)->text(), QString("mixer"));
    // Cell A: mean 0.12, sd 0.0283, t(0.975, 1) = 12.7062: 0.12 +- 0.2541.
    QVERIFY2(cells->item(0, 5)->text().startsWith("0.120 [-0.134, 0.374] (contains 0)"),
             qPrintable(cells->item(0, 5)->text()));

    // Waterfall: A's gap, mixer (-0.05), optimizer (-0.05), B's gap.
    plot::WaterfallChart* w = page.waterfall();
    QCOMPARE(w->barCount(), 4);
    QVERIFY(std::abs(w->barSpan(0).upper - gap(0.12)) < 1e-3);
    QVERIFY(std::abs(w->barSpan(1).upper - gap(0.12)) < 1e-3);
    QVERIFY(std::abs(w->barSpan(1).lower - gap(0.07)) < 1e-3);
    QVERIFY(std::abs(w->barSpan(2).lower - gap(0.02)) < 1e-3);
    QVERIFY(std::abs(w->barSpan(3).upper - gap(0.02)) < 1e-3);
    // The mixer is Grassmann's: the Transformer's loss does not move across it.
    QCOMPARE(r.steps_results[0].transformer.mean, 0.0);
    QCOMPARE(page.archChart()->seriesCount(), 2);

    // Parallel coordinates: one line per cell and seed; brushing the gap axis keeps B's two.
    plot::ParallelCoordinatesChart* p = page.parallel();
    QCOMPARE(p->lineCount(), 6);
    p->setBrush(2, 0.0, 3.5);
    QCOMPARE(p->selected().size(), 2);
    const QStringList kept = page.selectedRunDirs();
    QCOMPARE(kept.size(), 4);
    for (const QString& d : kept) {
      bool in_b = false;
      for (const auto& run : s.runs[2])
        in_b |= d.toStdString() == run.grassmann || d.toStdString() == run.transformer;
      QVERIFY2(in_b, qPrintable(d));
    }
    p->clearBrushes();
    QCOMPARE(p->selected().size(), 6);

    // Export: every chart with its data, and the tables.
    const QString out = dir_.path() + "/export";
    QString error;
    const QStringList files = page.exportTo(out, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    for (const QString name :
         {"waterfall.png", "waterfall.pdf", "waterfall.csv", "waterfall.json", "arch_changes.png",
          "arch_changes.pdf", "arch_changes.csv", "parallel.png", "parallel.csv", "parallel.json",
          "study.md", "study.tex", "study.csv", "study.json"}) {
      QVERIFY2(files.contains(out + "/" + name), qPrintable(name));
      QVERIFY2(QFileInfo(out + "/" + name).size() > 0, qPrintable(name));
    }
    QCOMPARE(QImage(out + "/waterfall.png").width(), 1200);
    QFile csv(out + "/waterfall.csv");
    QVERIFY(csv.open(QIODevice::ReadOnly));
    QCOMPARE(csv.readAll().count('\n'), 1 + 4);

    // Headless, from the study folder alone.
    QProcess exporter;
    exporter.start(test::binDir() + "/grassmann-workbench",
                   {"--export", QString::fromStdString(s.dir), "--out", dir_.path() + "/headless"});
    QVERIFY(exporter.waitForFinished(120000));
    QCOMPARE(exporter.exitCode(), 0);
    const QJsonArray written = QJsonDocument::fromJson(exporter.readAllStandardOutput()).array();
    QCOMPARE(written.size(), files.size());
    QVERIFY(QFileInfo::exists(dir_.path() + "/headless/waterfall.pdf"));
  }

  void factorialShowsEffects() {
    const QString runs = dir_.path() + "/runs-factorial";
    ui::StudyPage page;
    page.setRunsDir(runs);
    study::StudyRequest request;
    request.design = "factorial";
    request.a = a_.toStdString();
    request.b = b_.toStdString();
    request.switches = {"mixer", "optimizer"};
    request.seeds = 2;
    page.setRequest(request);
    QVERIFY2(page.planNow(), qPrintable(page.planError()));
    QVERIFY(page.startHere());
    const study::Study s = *page.study();
    QCOMPARE(s.plan.cells.size(), std::size_t(4));
    // Delta = 0.1 + 0.04 [mixer at B] - 0.06 [optimizer at B] + seed noise 0.01 k: main effects
    // +0.04 and -0.06, interaction 0.
    writeRuns(s, [&](const std::string& cell, const std::string& arch, std::size_t k) {
      if (arch == "transformer") return 5.0 + 0.3 * static_cast<double>(k);
      double d = 0.1 + 0.01 * static_cast<double>(k);
      for (const study::StudyCell& c : s.plan.cells) {
        if (c.id != cell) continue;
        if (c.levels[0].second == "B") d += 0.04;
        if (c.levels[1].second == "B") d -= 0.06;
      }
      return 5.0 + 0.3 * static_cast<double>(k) + d;
    });
    page.refreshNow();
    const study::StudyReport& r = *page.report();
    QCOMPARE(r.effects.size(), std::size_t(3));
    QVERIFY(std::abs(r.effects[0].delta.interval.mean - 0.04) < 1e-9);
    QVERIFY(std::abs(r.effects[1].delta.interval.mean + 0.06) < 1e-9);
    QVERIFY(std::abs(r.effects[2].delta.interval.mean) < 1e-9);
    QCOMPARE(page.effectsChart()->seriesCount(), 3);
    QCOMPARE(page.parallel()->lineCount(), 8);
  }

  void badStudyFolderIsSaid() {
    ui::StudyPage page;
    QString error;
    QVERIFY(!page.openStudy(dir_.path(), &error));
    QVERIFY2(error.contains("study.json"), qPrintable(error));
    page.setRunsDir(dir_.path() + "/runs");
    study::StudyRequest request;
    request.a = "nosuchrecipe";
    request.b = b_.toStdString();
    page.setRequest(request);
    QVERIFY(!page.planNow());
    QVERIFY2(page.planText().contains("nosuchrecipe"), qPrintable(page.planText()));
  }
};

QTEST_MAIN(TestStudyPage)
#include "tst_study_page.moc"
