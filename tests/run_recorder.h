// A RunObserver that keeps a run's events for the tests' assertions and can ask the run to stop
// after a given step (TrainRequest::stop = &recorder.stop). Torch-free.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/runs/events.h"

namespace gwb::test {

struct Recorder : RunObserver {
  std::vector<StepEvent> steps;
  std::vector<EvalEvent> evals;
  std::vector<AlphaEvent> alphas;
  std::vector<PluckerEvent> pluckers;
  std::vector<std::string> logs;
  std::vector<FailedEvent> failures;
  std::atomic<bool> stop{false};
  std::int64_t stop_after = -1;  ///< the step after which `stop` is set (-1: never)
  void onStep(const StepEvent& e) override {
    steps.push_back(e);
    if (e.step == stop_after) stop = true;
  }
  void onEval(const EvalEvent& e) override { evals.push_back(e); }
  void onAlpha(const AlphaEvent& e) override { alphas.push_back(e); }
  void onPlucker(const PluckerEvent& e) override { pluckers.push_back(e); }
  void onLog(const LogEvent& e) override { logs.push_back(e.message); }
  void onFailed(const FailedEvent& e) override { failures.push_back(e); }
};

}  // namespace gwb::test
