// Why a step in the workbench took longer than in `gwb train` (issue 24): the same preset trained
// for --steps steps (no evaluation, probes or checkpoints in between)
//   main:   runTraining on the main thread, as `gwb train` does;
//   thread: runTraining on a second thread (what the run controller does, without the window);
//   window: through the RunController with the main window shown (offscreen) and its views fed,
//           the workbench's own path.
// Prints the median step time of each (step_ms of the step events, the first 10 left out) as
// JSON. A benchmark, reported in bench/RESULTS.md, never asserted by a test.
//   gwb-window-step-bench [--config cpu-small-grassmann] [--steps 80] [--modes main,thread,window]
#include <QApplication>
#include <QTemporaryDir>
#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "app/controller/run_controller.h"
#include "app/workbench.h"
#include "engine/config/presets.h"
#include "engine/runtime/torch_runtime.h"
#include "engine/train/trainer.h"
#include "ui/main_window.h"

namespace {

struct StepTimes : gwb::RunObserver {
  std::vector<double> ms;
  void onStep(const gwb::StepEvent& e) override { ms.push_back(e.step_ms); }
};

double median(std::vector<double> v) {
  if (v.size() > 10) v.erase(v.begin(), v.begin() + 10);
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  gwb::tuneMalloc();  // before Qt or anything else starts a thread
  std::string config_name = "cpu-small-grassmann", modes = "main,thread,window";
  int steps = 80;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--config") config_name = argv[i + 1];
    if (a == "--steps") steps = std::stoi(argv[i + 1]);
    if (a == "--modes") modes = argv[i + 1];
  }
  if (qgetenv("QT_QPA_PLATFORM").isEmpty()) qputenv("QT_QPA_PLATFORM", "offscreen");
  QApplication app(argc, argv);
  gwb::initTorchThreads();
  QTemporaryDir runs;
  gwb::RunConfig config = gwb::loadConfigArgument(
      config_name, {"train.max_steps=" + std::to_string(steps), "train.eval_every=100000",
                    "train.probe_every=100000", "train.checkpoint_every=0"});
  nlohmann::ordered_json out;
  out["config"] = config_name;
  out["steps"] = steps;
  out["threads"] = gwb::runtimeInfo().threads;

  const auto train = [&] {
    StepTimes times;
    gwb::TrainRequest request;
    request.config = config;
    request.runs_dir = runs.path().toStdString();
    gwb::runTraining(request, times);
    return median(times.ms);
  };
  if (modes.find("main") != std::string::npos) out["main_ms"] = train();
  if (modes.find("thread") != std::string::npos) {
    double ms = 0;
    std::thread worker([&] { ms = train(); });
    worker.join();
    out["thread_ms"] = ms;
  }
  if (modes.find("window") != std::string::npos) {
    gwb::ui::MainWindow window(gwb::ui::AboutInfo{});
    gwb::RunController controller(runs.path());
    gwb::connectWorkbench(window, controller);
    window.show();
    std::vector<double> ms;
    QObject::connect(&controller, &gwb::RunController::eventsArrived,
                     [&](const gwb::EventBatch& batch) {
                       for (const gwb::StepEvent& e : batch.events.steps) ms.push_back(e.step_ms);
                     });
    QObject::connect(&controller, &gwb::RunController::runEnded, &app, &QCoreApplication::quit);
    controller.enqueue(config, QStringLiteral("bench"));
    app.exec();
    out["window_ms"] = median(ms);
  }
  std::printf("%s\n", out.dump(2).c_str());
  return 0;
}
