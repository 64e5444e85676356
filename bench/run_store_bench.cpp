// The run store and the Runs tab on a big runs folder (issue: one run store under thin views):
// N copies of a finished run (config.json, summary.json, a metrics.jsonl of about 1 MB), then
//   - RunFolder: the first listing, and a refresh after one run appended 100 step lines;
//   - the Runs tab (RunBrowser, shown offscreen): time until it lists every run, the process's CPU
//     while idle for --idle-s seconds, and the largest lateness of a 10 ms timer on the GUI thread
//     (an event-loop stall), then the same after one run appended 100 lines.
// Prints one JSON object. Measured and reported (bench/RESULTS.md), never asserted by a test.
//   gwb-run-store-bench [--runs 1000] [--idle-s 20] [--keep DIR]
#include <sys/resource.h>

#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QTimer>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "engine/config/presets.h"
#include "engine/runs/metrics_json.h"
#include "engine/runs/run_folder.h"
#include "engine/util/file_io.h"
#include "ui/run_browser.h"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

double cpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         1e-6 * static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

double since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

std::string stepLine(int step) {
  gwb::StepEvent e;
  e.step = step;
  e.tokens = step * 1024;
  e.time = 0.35 * step;
  e.loss = 6.0 + 3.0 * std::exp(-step / 300.0);
  e.lr = 1e-3;
  e.grad_norm = 0.9;
  e.tokens_per_s = 2900;
  e.step_ms = 353;
  return gwb::toJsonLine(e) + "\n";
}

// A finished cpu-small run: steps, evaluations with loss by position, gate and Plücker probes,
// until metrics.jsonl holds about 1 MB.
void writeTemplate(const std::string& dir) {
  fs::create_directories(dir);
  gwb::RunConfig config = gwb::loadConfigArgument("cpu-small-grassmann", {});
  gwb::writeFileAtomic(dir + "/config.json", gwb::runConfigToJson(config) + "\n");
  std::string lines;
  int step = 0;
  while (lines.size() < (1u << 20)) {
    ++step;
    lines += stepLine(step);
    if (step % 50 == 0) {
      gwb::EvalEvent v;
      v.step = step;
      v.tokens = step * 1024;
      v.split = "valid";
      v.loss = 6.2;
      v.ppl = std::exp(v.loss);
      v.eval_tokens = 16384;
      for (int p = 1; p < 64; ++p) v.loss_by_position.push_back(6.2 + 1.0 / p);
      lines += gwb::toJsonLine(v) + "\n";
      for (int layer = 0; layer < config.model.n_layers; ++layer) {
        gwb::AlphaEvent a;
        a.step = step;
        a.layer = layer;
        for (int b = 0; b <= 20; ++b) a.edges.push_back(b / 20.0);
        for (int b = 0; b < 20; ++b) a.counts.push_back(100 + b);
        a.mean = 0.5;
        lines += gwb::toJsonLine(a) + "\n";
      }
    }
  }
  gwb::RunSummary summary;
  summary.status = "finished";
  summary.task = "wikitext2";
  summary.params = 3300000;
  summary.best_valid_ppl = 492.0;
  summary.best_valid_loss = std::log(492.0);
  summary.best_step = step;
  summary.test_ppl = 470.0;
  summary.tokens_per_s = 2900;
  gwb::FinishedEvent f;
  f.step = step;
  f.summary = summary;
  lines += gwb::toJsonLine(f) + "\n";
  gwb::writeFileAtomic(dir + "/metrics.jsonl", lines);
  gwb::writeFileAtomic(dir + "/summary.json", gwb::summaryToJson(summary));
}

}  // namespace

int main(int argc, char** argv) {
  int runs = 1000;
  double idle_s = 20;
  std::string keep;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--runs") runs = std::stoi(argv[i + 1]);
    if (a == "--idle-s") idle_s = std::stod(argv[i + 1]);
    if (a == "--keep") keep = argv[i + 1];
  }
  qputenv("QT_QPA_PLATFORM", qgetenv("QT_QPA_PLATFORM").isEmpty() ? "offscreen"
                                                                  : qgetenv("QT_QPA_PLATFORM"));
  QApplication app(argc, argv);
  QTemporaryDir tmp;
  const std::string root = keep.empty() ? tmp.path().toStdString() : keep;
  const std::string folder = root + "/runs";
  nlohmann::ordered_json out;
  out["runs"] = runs;

  // The folder: one template, copied.
  const std::string first = folder + "/20261201-000000-cpu-small-grassmann-0000";
  if (!fs::exists(first)) {
    writeTemplate(first);
    for (int i = 1; i < runs; ++i) {
      char name[96];
      std::snprintf(name, sizeof name, "/20261201-%06d-cpu-small-grassmann-%04d", i, i);
      fs::copy(first, folder + name, fs::copy_options::recursive);
    }
  }
  out["metrics_bytes_per_run"] = fs::file_size(first + "/metrics.jsonl");

  // The run store alone.
  {
    gwb::RunFolder store(folder);
    auto t0 = Clock::now();
    store.refresh();
    out["store_first_listing_s"] = since(t0);
    out["store_listed"] = store.records().size();
    t0 = Clock::now();
    store.refresh();
    out["store_refresh_unchanged_s"] = since(t0);
    std::ofstream append(first + "/metrics.jsonl", std::ios::app);
    for (int s = 0; s < 100; ++s) append << stepLine(100000 + s);
    append.close();
    t0 = Clock::now();
    const gwb::RunFolder::Changes changes = store.refresh();
    out["store_refresh_after_append_s"] = since(t0);
    out["store_changed"] = changes.changed.size();
  }

  // The Runs tab.
  gwb::ui::RunBrowser browser;
  browser.resize(1200, 800);
  browser.show();
  QElapsedTimer listed;
  listed.start();
  browser.setRunsDir(QString::fromStdString(folder));
  while (browser.runCount() < runs && listed.elapsed() < 600000) app.processEvents(QEventLoop::AllEvents, 50);
  out["tab_listing_s"] = listed.elapsed() / 1000.0;
  out["tab_listed"] = browser.runCount();

  // Idle: the event loop alone, a 10 ms timer recording how late it fires.
  const auto idle = [&](const char* name) {
    double worst = 0;
    QElapsedTimer clock;
    clock.start();
    qint64 last = 0;
    QTimer probe;
    probe.setTimerType(Qt::PreciseTimer);
    probe.setInterval(10);
    QObject::connect(&probe, &QTimer::timeout, [&] {
      const qint64 now = clock.elapsed();
      worst = std::max(worst, static_cast<double>(now - last - 10));
      last = now;
    });
    const double cpu0 = cpuSeconds();
    const auto t0 = Clock::now();
    probe.start();
    QTimer::singleShot(static_cast<int>(idle_s * 1000), &app, &QCoreApplication::quit);
    app.exec();
    probe.stop();
    const double wall = since(t0);
    out[std::string(name) + "_cpu_percent"] = 100.0 * (cpuSeconds() - cpu0) / wall;
    out[std::string(name) + "_worst_lateness_ms"] = worst;
  };
  idle("idle");
  // One run appends 100 lines: the tab takes it up without re-reading the others.
  {
    std::ofstream append(first + "/metrics.jsonl", std::ios::app);
    for (int s = 0; s < 100; ++s) append << stepLine(200000 + s);
  }
  idle("after_append");
  std::printf("%s\n", out.dump(2).c_str());
  return 0;
}
