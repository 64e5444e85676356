// Local training queue: threads, progress lines, --jobs auto.
#include "app/cli/local_queue.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>
#include <thread>

#include "app/cli/cli_common.h"
#include "app/cli/train_support.h"
#include "engine/cluster/scheduler.h"
#include "engine/report/report.h"
#include "engine/train/footprint.h"
#include "engine/util/error.h"

namespace gwb::cli {

using Clock = std::chrono::steady_clock;

std::string durationText(double seconds) {
  char buf[32];
  const long s = static_cast<long>(seconds + 0.5);
  std::snprintf(buf, sizeof buf, "%ldh%02ldm%02lds", s / 3600, (s / 60) % 60, s % 60);
  return buf;
}

std::int64_t decideLocalJobs(const std::string& text, const std::vector<TrainRequest>& runs,
                             bool estimate_only) {
  if (text != "auto") {
    std::int64_t jobs = 0;
    try {
      jobs = std::stoll(text);
    } catch (const std::exception&) {
      jobs = 0;
    }
    if (jobs < 1)
      throw InputError({"", 0, "--jobs"},
                       expectedGot("a positive count or auto", "\"" + text + "\""));
    return jobs;
  }
  if (runs.empty()) return 1;
  // The scheduler: one run at a time on a CPU; on a GPU as many as the free memory holds given
  // the largest measured footprint (estimated from the shapes in a dry run).
  const DeviceCapacity capacity = deviceCapacity(runs.front().config.train.device);
  std::vector<std::int64_t> footprints;
  std::map<std::string, std::int64_t> measured;  // one measurement per configuration
  for (const TrainRequest& r : runs) {
    const RunConfig c = prepareConfig(r.config, r.source).config;
    const std::string key = configGroupKey(c);
    if (!measured.count(key)) {
      const bool bf16 = usesBf16(c.train, capacity.cuda);
      if (estimate_only || !capacity.cuda) {
        measured[key] = estimateFootprint(c, bf16);
      } else {
        try {
          measured[key] = measureFootprint(c);
        } catch (const std::exception& e) {  // the queue goes on with the shapes' estimate
          measured[key] = estimateFootprint(c, bf16);
          progress("--jobs auto: measuring " + c.name + " failed (" + e.what() +
                   "); using the estimate from its shapes");
        }
      }
    }
    footprints.push_back(measured[key]);
  }
  const std::int64_t jobs = decideJobs(capacity, footprints);
  progress("--jobs auto: " + std::to_string(jobs) + " at a time (" +
           (capacity.cuda ? "CUDA, " + std::to_string(capacity.free_bytes >> 20) + " MiB free"
                          : std::string("CPU")) +
           ", largest footprint " +
           std::to_string(*std::max_element(footprints.begin(), footprints.end()) >> 20) + " MiB)");
  return jobs;
}

QueueResult trainLocally(const std::vector<QueuedRun>& runs, std::int64_t jobs) {
  installStopHandlers();
  QueueResult result;
  result.outcomes.resize(runs.size());
  std::mutex mutex;
  std::size_t next = 0, done = 0;
  double spent = 0;
  const auto worker = [&] {
    for (;;) {
      std::size_t index;
      {
        std::lock_guard<std::mutex> lock(mutex);
        if (next == runs.size() || stopFlag().load()) return;
        index = next++;
      }
      const QueuedRun& queued = runs[index];
      const std::string prefix =
          "[" + std::to_string(index + 1) + "/" + std::to_string(runs.size()) + " " +
          (queued.label.empty() ? queued.request.config.name : queued.label) + "] ";
      TrainRequest request = queued.request;
      request.stop = &stopFlag();
      ProgressPrinter printer(prefix, /*print_run_dir=*/false, /*interval_s=*/30);
      const auto t0 = Clock::now();
      TrainOutcome outcome;
      try {
        outcome = runTraining(request, printer);
      } catch (const std::exception& e) {
        outcome.run_dir = request.run_dir;
        outcome.summary.status = "failed";
        outcome.summary.error = e.what();
      }
      const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
      std::lock_guard<std::mutex> lock(mutex);
      result.outcomes[index] = outcome;
      result.stopped |= outcome.summary.status == "stopped";
      result.failed |= outcome.summary.status == "failed";
      ++done;
      spent += seconds;
      const double eta = spent / static_cast<double>(done) *
                         static_cast<double>(runs.size() - done) /
                         static_cast<double>(std::min<std::size_t>(
                             jobs, std::max<std::size_t>(1, runs.size() - done)));
      // A run stopped or failed before its first evaluation has no perplexity yet (missing in
      // the summary); a stopped queue starts nothing more, so it has no ETA.
      const auto number = [](const std::optional<double>& v, double scale, const char* unit) {
        if (!v) return std::string("-");
        char text[32];
        std::snprintf(text, sizeof text, "%.2f%s", *v * scale, unit);
        return std::string(text);
      };
      const RunSummary& s = outcome.summary;
      const std::string numbers =
          outcome.already_finished ? ", already finished"
          : s.task == "snli" ? ", best valid accuracy " + number(s.best_valid_accuracy, 100, "%") +
                                   ", test accuracy " + number(s.test_accuracy, 100, "%")
                             : ", best valid ppl " + number(s.best_valid_ppl, 1, "") +
                                   ", test ppl " + number(s.test_ppl, 1, "");
      const std::string line = prefix + s.status + " in " + durationText(seconds) + numbers + "; " +
                               std::to_string(done) + "/" + std::to_string(runs.size()) + " done" +
                               (stopFlag().load() ? "" : ", ETA " + durationText(eta));
      progress(outcome.summary.error.empty() ? line : line + " (" + outcome.summary.error + ")");
    }
  };
  std::vector<std::thread> threads;
  const std::int64_t n = std::min<std::int64_t>(jobs, static_cast<std::int64_t>(runs.size()));
  for (std::int64_t j = 0; j < n; ++j) threads.emplace_back(worker);
  for (std::thread& t : threads) t.join();
  result.stopped |= stopFlag().load();
  return result;
}

}  // namespace gwb::cli
