// The torch-free, Qt-free pieces that threads share, exercised from several threads at once so
// that scripts/sanitize.sh can run them under ThreadSanitizer (Debian's LibTorch and Qt are not
// instrumented): a metrics file appended by a trainer thread while a follower reads it, the run
// lock contended by threads, write scopes and the fault hook, and the scheduler. Also an ordinary
// ctest test. A plain main(): exit 0 when every check holds.
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "engine/cluster/scheduler.h"
#include "engine/runs/metrics_json.h"
#include "engine/runs/metrics_reader.h"
#include "engine/runs/run_lock.h"
#include "engine/util/durable.h"
#include "engine/util/error.h"

namespace fs = std::filesystem;

namespace {

int failures = 0;

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "FAIL: %s\n", what);
    ++failures;
  }
}

// A writer thread appends step events while a follower polls: the follower sees every line
// exactly once and never a partial one.
void writerAndFollower(const std::string& dir) {
  const std::string path = dir + "/metrics.jsonl";
  constexpr int kSteps = 2000;
  std::atomic<bool> done{false};
  std::thread writer([&] {
    gwb::MetricsWriter w(path);
    for (int s = 1; s <= kSteps; ++s) {
      gwb::StepEvent e;
      e.step = s;
      e.loss = 1.0 / s;
      w.onStep(e);
    }
    done = true;
  });
  gwb::MetricsFollower follower(path);
  std::int64_t seen = 0, last = 0;
  bool ordered = true;
  while (true) {
    const bool finished = done.load();
    const gwb::MetricsEvents events = follower.poll();
    for (const gwb::StepEvent& e : events.steps) {
      ordered = ordered && e.step == last + 1;
      last = e.step;
      ++seen;
    }
    check(events.skipped_lines == 0, "no malformed line while the writer appends");
    if (finished && events.empty()) break;
  }
  writer.join();
  check(seen == kSteps && ordered, "the follower sees every step once, in order");
}

// Eight threads race for one run directory's lock: exactly one holds it at a time.
void lockContention(const std::string& dir) {
  std::atomic<int> holders{0}, max_holders{0}, acquired{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        try {
          const gwb::RunLock lock(dir);
          const int now = ++holders;
          int seen = max_holders.load();
          while (now > seen && !max_holders.compare_exchange_weak(seen, now)) {
          }
          ++acquired;
          std::this_thread::yield();
          --holders;
        } catch (const gwb::InputError&) {
        }
        (void)gwb::RunLock::isHeld(dir);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  check(max_holders.load() == 1, "one holder of a run lock at a time");
  check(acquired.load() > 0, "the lock was taken");
  check(!gwb::RunLock::isHeld(dir), "released at the end");
}

// Write scopes opened and closed by many threads while the fault hook is armed and counted.
void scopesAndFaults() {
  std::vector<std::thread> threads;
  std::atomic<int> faults{0};
  gwb::setWriteFault(500, 28);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) {
        const gwb::WriteScope scope;
        if (gwb::injectedWriteError() != 0) ++faults;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  check(faults.load() == 1, "the armed fault fires exactly once");
  gwb::setWriteFault(0, 0);
}

void scheduler() {
  std::vector<std::thread> threads;
  std::atomic<bool> ok{true};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      gwb::DeviceCapacity gpu{true, std::int64_t{80} << 30};
      const int jobs = gwb::decideJobs(gpu, {std::int64_t{10} << 30, std::int64_t{5} << 30}, 8);
      ok = ok && jobs == 2 && gwb::decideJobs({}, {1, 2, 3}) == 1 && t >= 0;
    });
  }
  for (std::thread& t : threads) t.join();
  check(ok, "the scheduler's decisions");
}

}  // namespace

int main() {
  const fs::path dir =
      fs::temp_directory_path() / ("gwb-shared-state-" + std::to_string(::getpid()));
  fs::create_directories(dir / "run");
  writerAndFollower((dir / "run").string());
  lockContention((dir / "run").string());
  scopesAndFaults();
  scheduler();
  fs::remove_all(dir);
  std::printf("%s\n", failures == 0 ? "all shared-state checks hold" : "failures");
  return failures == 0 ? 0 : 1;
}
