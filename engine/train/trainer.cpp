// One training run, top to bottom (STYLE.md: nanoGPT/llm.c), written once for every task
// (task.h says what differs): set up (config, memory check, data and model through the task,
// optimizer, run directory or resume), then the loop: one timed step; every log_every steps read
// the metrics from the device; every eval_every steps validate; every probe_every steps probe;
// every checkpoint_every steps save; at each epoch end validate and save; at the end test the
// best. Crash safety: a checkpoint is one unit (checkpoint.h); a kill at any moment resumes from
// the newest complete one; a non-finite loss or gradient, an allocation failure or a full disk
// fail the run at that step and keep the last good checkpoint.
#include "engine/train/trainer.h"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <new>

#include "engine/runtime/device.h"
#include "engine/train/lm_data.h"
#include "engine/train/run.h"
#include "engine/util/error.h"
#include "engine/util/file_io.h"

namespace fs = std::filesystem;

namespace gwb {
namespace train_detail {

Run::Run(const TrainRequest& request, RunObserver& observer) : request_(request), outer_(observer) {
  state_.tokens = 0;
}

TrainOutcome Run::execute() {
  try {
    if (!setUp()) return {paths_.dir, summary_, /*already_finished=*/true};
  } catch (const InputError&) {
    throw;  // bad input: nothing was created or changed
  } catch (const std::exception& e) {
    if (!writer_) throw std::runtime_error(errorText(e));  // before the run directory existed
    fail(errorText(e));
    return {paths_.dir, summary_};
  }
  try {
    const RunStreamGuard stream(device_);  // parallel runs overlap on one GPU
    loop();
  } catch (const std::exception& e) {
    fail(errorText(e));
  }
  return {paths_.dir, summary_};
}

void Run::loop() {
  const std::int64_t B = config_.train.batch_size;
  const std::int64_t examples = task_->trainExamples();
  schedule_.kind = config_.train.schedule;
  schedule_.lr = config_.train.lr;
  schedule_.min_lr = config_.train.min_lr;
  schedule_.warmup_steps = config_.train.warmup_steps;
  schedule_.warmup_from = config_.train.warmup_from;
  schedule_.total_steps = total_steps_;
  schedule_.steps_per_epoch = steps_per_epoch_;
  schedule_.epochs = config_.train.epochs;
  meter_.restartWindow();

  while (state_.step < total_steps_ && state_.epoch < config_.train.epochs) {
    const std::vector<std::int64_t> order = epochOrder(examples, config_.seed, state_.epoch);
    while (state_.position < steps_per_epoch_ && state_.step < total_steps_) {
      if (request_.stop && request_.stop->load()) return stop();
      const std::int64_t first = state_.position * B;
      const Batch batch = task_->trainBatch(order, first, std::min(B, examples - first));
      trainStep(batch, schedule_.at(state_.step));
      ++state_.step;
      ++state_.position;
      state_.tokens += batch.tokens;
      if (state_.step % log_every_ == 0 && !readMetrics()) return;
      if (every(config_.train.eval_every) && !validate()) return;
      if (every(config_.train.probe_every)) probe();
      if (every(config_.train.checkpoint_every) && !saveLast()) return;
    }
    if (state_.position == steps_per_epoch_) {  // epoch end
      if (last_eval_step_ != state_.step && !validate()) return;
      ++state_.epoch;
      state_.position = 0;
      if (!saveLast()) return;
    }
  }
  if (!readMetrics()) return;
  if (last_eval_step_ != state_.step && !validate()) return;
  if (last_saved_step_ != state_.step && !saveLast()) return;
  finish();
}

void Run::trainStep(const Batch& batch, double lr) {
  if (nan_step_ > 0) step_->injectNanGradientAt(nan_step_);
  const TrainStep::Result r = step_->run(batch, lr);
  meter_.add(r.loss, r.grad_norm, lr, batch.rows == config_.train.batch_size, batch.tokens);
}

// Reads the pending steps' metrics from the device (the only synchronisation in the loop),
// emits their spikes and a step event, and fails the run at the first non-finite loss or
// gradient norm.
bool Run::readMetrics() {
  if (meter_.empty()) return true;
  StepMeter::Reading r = meter_.read(state_.step);
  if (r.non_finite) {
    if (last_saved_step_ >= 0) {
      log("the last checkpoint, step " + std::to_string(last_saved_step_) +
          ", is the last good state on disk (gwb train --resume continues from it)");
    }
    fail(*r.non_finite, r.non_finite_step);
    return false;
  }
  state_.train_seconds += r.seconds;
  state_.timed_tokens += r.tokens;
  state_.timed_steps += r.steps;
  for (SpikeEvent& spike : r.spikes) {
    const std::int64_t step = spike.step;
    fill(spike);
    spike.step = step;
    observers_.onSpike(spike);
  }
  fill(r.step);
  observers_.onStep(r.step);
  return true;
}

bool Run::validate() {
  if (!readMetrics()) return false;
  EvalEvent e = task_->evaluate("valid");
  fill(e);
  const bool best = task_->improves(e, state_);
  task_->recordValidation(e, best, state_);
  observers_.onEval(e);
  last_eval_step_ = state_.step;
  if (best) {
    writeBestWeights(store_, params_, task_->bestMetadata(e));
    checkpointEvent("best", store_.bestPath());
  }
  meter_.restartWindow();
  return true;
}

void Run::probe() {
  ProbeResult result = task_->probe(config_.probes);
  for (AlphaEvent& e : result.alpha) {
    fill(e);
    observers_.onAlpha(e);
  }
  for (PluckerEvent& e : result.plucker) {
    fill(e);
    observers_.onPlucker(e);
  }
  meter_.restartWindow();
}

// Weights, optimizer moments and trainer state of this step, as one unit (checkpoint.h).
bool Run::saveLast() {
  if (!readMetrics()) return false;
  writer_->sync();  // the events the checkpoint's step covers are on disk first
  state_.time = now();
  state_.rng_cpu = toHex(generatorState(generator_));
  state_.rng_cuda = toHex(cudaGeneratorState(device_));
  writeCheckpoint(store_, params_, step_->optimizer(), state_);
  last_saved_step_ = state_.step;
  checkpointEvent("last", paths_.lastWeights());
  meter_.restartWindow();
  return true;
}

void Run::checkpointEvent(const char* kind, const std::string& path) {
  CheckpointEvent e;
  fill(e);
  e.kind = kind;
  e.path = path;
  observers_.onCheckpoint(e);
}

void Run::stop() {
  if (last_saved_step_ != state_.step && !saveLast()) return;
  log("stopped at step " + std::to_string(state_.step) + "; resume with gwb train --resume " +
      paths_.dir);
  summary_.status = "stopped";
  end();
}

void Run::finish() {
  // The test split with the best checkpoint (or the last weights if none was kept).
  if (fs::is_regular_file(store_.bestPath())) loadModuleWeights(task_->module(), store_.bestPath());
  test_ = task_->evaluate("test");
  fill(*test_);
  observers_.onEval(*test_);
  summary_.status = "finished";
  end();
}

// Ends the run as failed. Never throws: the disk may be full, the observers may fail too.
void Run::fail(const std::string& error, std::int64_t step) {
  summary_.status = "failed";
  summary_.error = error;
  FailedEvent e;
  fill(e);
  if (step >= 0) e.step = step;
  e.error = error;
  try {
    observers_.onFailed(e);
  } catch (const std::exception& also) {
    outer_.onFailed(e);  // the metrics file could not take it: people still learn why
  }
  end(/*emit_finished=*/false);
}

// Emits the finished event (unless the run failed) and then writes summary.json, the mark of a
// finished run. A write that fails (a full disk) makes the run failed instead of escaping, and
// a run whose end was not written resumes to write it.
void Run::end(bool emit_finished) {
  if (task_) task_->fillSummary(state_, test_ ? &*test_ : nullptr, summary_);
  if (state_.train_seconds > 0)
    summary_.tokens_per_s = static_cast<double>(state_.timed_tokens) / state_.train_seconds;
  if (state_.timed_steps > 0) summary_.step_ms = 1000.0 * state_.train_seconds / state_.timed_steps;
  summary_.wall_s = now();
  const auto failWrite = [&](const std::string& what, const std::exception& e) {
    summary_.status = "failed";
    summary_.error = what + " not written: " + e.what();
    FailedEvent f;
    fill(f);
    f.error = summary_.error;
    try {
      observers_.onFailed(f);
    } catch (const std::exception&) {
      outer_.onFailed(f);
    }
  };
  if (emit_finished) {
    FinishedEvent e;
    fill(e);
    e.summary = summary_;
    try {
      observers_.onFinished(e);
    } catch (const std::exception& error) {
      failWrite("metrics.jsonl", error);
    }
  }
  try {
    writeFileAtomic(paths_.summary(), summaryToJson(summary_) + "\n");
  } catch (const std::exception& error) {
    if (summary_.status != "failed") failWrite("summary.json", error);
  }
}

void Run::log(const std::string& message) {
  LogEvent e;
  fill(e);
  e.message = message;
  observers_.onLog(e);
}

void Run::fill(EventBase& e) const {
  e.step = state_.step;
  e.epoch = state_.epoch;
  e.tokens = state_.tokens < 0 ? 0 : state_.tokens;
  e.time = now();
}

}  // namespace train_detail

TrainOutcome runTraining(const TrainRequest& request, RunObserver& observer) {
  train_detail::Run run(request, observer);
  return run.execute();
}

std::string errorText(const std::exception& e) {
  if (dynamic_cast<const std::bad_alloc*>(&e))
    return std::string("out of memory (") + e.what() + ")";
  if (const auto* c10 = dynamic_cast<const c10::Error*>(&e)) {
    std::string text = c10->what_without_backtrace();
    if (text.find("out of memory") != std::string::npos && text.rfind("out of memory", 0) != 0)
      text = "out of memory: " + text;
    return text;
  }
  return e.what();
}

}  // namespace gwb
