// Dry-run JSON and progress lines.
#include "app/cli/train_support.h"

#include <unistd.h>

#include <csignal>
#include <cstdio>

#include "app/cli/cli_common.h"
#include "engine/util/durable.h"

namespace gwb::cli {
namespace {

std::atomic<bool> g_stop{false};

extern "C" void onStopSignal(int) {
  // A second signal: leave as soon as the write in progress (a checkpoint, a metrics line) is
  // complete, never in its middle.
  if (g_stop.exchange(true)) exitWhenWritesDone(kExitStopped);
}

}  // namespace

std::atomic<bool>& stopFlag() { return g_stop; }

void installStopHandlers() {
  std::signal(SIGINT, onStopSignal);
  std::signal(SIGTERM, onStopSignal);
}

nlohmann::ordered_json dryRunJson(const PreparedConfig& prepared) {
  nlohmann::ordered_json modules = nlohmann::ordered_json::object();
  for (const auto& [name, count] : prepared.parameter_counts) modules[name] = count;
  nlohmann::ordered_json out;
  out["config"] = nlohmann::ordered_json::parse(runConfigToJson(prepared.config));
  out["parameters"] = {{"total", prepared.parameters}, {"modules", modules}};
  if (prepared.config.data.isSnli()) {
    out["parameters"]["trained"] = prepared.trained;
    out["parameters"]["frozen"] = prepared.frozen;
  }
  out["parameters"]["twin"] = prepared.twin;
  if (prepared.config.model.hasBackbone()) {
    out["backbone"] = {{"dir", prepared.backbone_dir}, {"source", prepared.backbone_source}};
    if (!prepared.backbone_note.empty()) out["backbone"]["note"] = prepared.backbone_note;
  }
  out["device"] = prepared.device;
  out["data_source"] = prepared.data_source;
  return out;
}

ProgressPrinter::ProgressPrinter(std::string prefix, bool print_run_dir, double interval_s)
    : prefix_(std::move(prefix)), print_run_dir_(print_run_dir), interval_s_(interval_s) {}

void ProgressPrinter::onStarted(const RunStart& start) {
  if (print_run_dir_) printJson({{"run_dir", start.run_dir}});
  progress(prefix_ + "run directory " + start.run_dir + " (" + std::to_string(start.params) +
           " parameters, " + std::to_string(start.total_steps) + " steps on " + start.device + ")");
  last_ = std::chrono::steady_clock::now();
}

void ProgressPrinter::onStep(const StepEvent& e) {
  const auto now = std::chrono::steady_clock::now();
  if (std::chrono::duration<double>(now - last_).count() < interval_s_) return;
  last_ = now;
  char line[200];
  std::snprintf(line, sizeof line,
                "%sstep %lld  epoch %lld  loss %.4f  lr %.2e  grad %.3f  %.0f tok/s",
                prefix_.c_str(), static_cast<long long>(e.step), static_cast<long long>(e.epoch),
                e.loss, e.lr, e.grad_norm, e.tokens_per_s);
  progress(line);
}

void ProgressPrinter::onEval(const EvalEvent& e) {
  char line[240];
  if (e.classification) {
    const auto at = [&](std::size_t k) {
      return k < e.per_class_accuracy.size() ? 100 * e.per_class_accuracy[k] : 0.0;
    };
    std::snprintf(line, sizeof line,
                  "%s%s at step %lld: loss %.4f  accuracy %.2f%%  (E %.1f / N %.1f / C %.1f; "
                  "%lld pairs)",
                  prefix_.c_str(), e.split.c_str(), static_cast<long long>(e.step), e.loss,
                  100 * e.accuracy, at(0), at(1), at(2), static_cast<long long>(e.examples));
  } else {
    std::snprintf(line, sizeof line, "%s%s at step %lld: loss %.4f  ppl %.2f  (%lld tokens)",
                  prefix_.c_str(), e.split.c_str(), static_cast<long long>(e.step), e.loss, e.ppl,
                  static_cast<long long>(e.eval_tokens));
  }
  progress(line);
}

void ProgressPrinter::onCheckpoint(const CheckpointEvent& e) {
  if (e.kind == "best") progress(prefix_ + "best checkpoint at step " + std::to_string(e.step));
}

void ProgressPrinter::onLog(const LogEvent& e) { progress(prefix_ + e.message); }

void ProgressPrinter::onSpike(const SpikeEvent& e) {
  char line[200];
  std::snprintf(line, sizeof line,
                "%s%s spike at step %lld: %.4g (%.1fx its average, z-score %.1f)", prefix_.c_str(),
                e.what == "loss" ? "loss" : "gradient norm", static_cast<long long>(e.step),
                e.what == "loss" ? e.loss : e.grad_norm, e.ratio, e.z);
  progress(line);
}

void ProgressPrinter::onFailed(const FailedEvent& e) { progress(prefix_ + "failed: " + e.error); }

}  // namespace gwb::cli
