// One training run, top to bottom (STYLE.md: nanoGPT/llm.c): set up (config, data, model,
// optimizer, run directory), then the loop: one timed step; every log_every steps read the
// metrics from the device; every eval_every steps validate; every probe_every steps probe; every
// checkpoint_every steps save; at each epoch end validate and save; at the end test the best.
#include "engine/train/trainer.h"

#include <chrono>
#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "engine/data/token_cache.h"
#include "engine/data/wikitext.h"
#include "engine/io/safetensors.h"
#include "engine/io/tensor_io.h"
#include "engine/model/language_model.h"
#include "engine/runtime/device.h"
#include "engine/runtime/torch_runtime.h"
#include "engine/tokenizers/tokenizer.h"
#include "engine/train/evaluation.h"
#include "engine/train/lm_data.h"
#include "engine/train/metrics_json.h"
#include "engine/train/probes.h"
#include "engine/train/run_dir.h"
#include "engine/train/schedule.h"
#include "engine/train/spike_detector.h"
#include "engine/train/train_step.h"
#include "engine/util/build_info.h"
#include "engine/util/error.h"
#include "engine/util/file_io.h"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace gwb {
namespace {

double secondsSince(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

bool deviceIsCuda(const RunConfig& config) {
  return config.train.device != "cpu" && torch::cuda::is_available();
}

void checkTask(const RunConfig& config, const std::string& source) {
  if (config.data.task != "wikitext2") {
    throw InputError(
        {source, 0, "data.task"},
        expectedGot("wikitext2 (language-model training; SNLI classification is not trained yet)",
                    "\"" + config.data.task + "\""));
  }
}

class Run {
 public:
  Run(const TrainRequest& request, RunObserver& observer) : request_(request), outer_(observer) {}

  TrainOutcome execute() {
    setUp();  // InputErrors leave nothing behind
    try {
      const RunStreamGuard stream(device_);  // parallel runs overlap on one GPU
      loop();
    } catch (const std::exception& e) {
      fail(e.what());
    }
    return {paths_.dir, summary_};
  }

 private:
  // ---------------------------------------------------------------- set-up
  void setUp() {
    const bool resuming = !request_.resume_dir.empty();
    if (resuming) {
      paths_.dir = request_.resume_dir;
      if (!fs::is_regular_file(paths_.config()) || !fs::is_regular_file(paths_.trainerState())) {
        throw InputError(
            {paths_.dir},
            expectedGot("a run directory with config.json and checkpoints/trainer_state.json",
                        "none (nothing to resume)"));
      }
      config_ = loadRunConfig(paths_.config());
      source_ = paths_.config();
      state_ = readTrainerState(paths_.trainerState());
      if (fs::is_regular_file(paths_.summary()) &&
          summaryFromJson(readFileBytes(paths_.summary()), paths_.summary()).status == "finished") {
        throw InputError({paths_.summary(), 0, "status"},
                         expectedGot("a stopped or failed run", "a finished one"));
      }
    } else {
      config_ = request_.config;
      source_ = request_.source;
    }
    checkTask(config_, source_);
    validateRunConfig(config_, deviceIsCuda(config_), source_);  // before anything is loaded
    const auto tokenizer = loadTokenizer(
        parseTokenizerKind(config_.data.tokenizer, "data.tokenizer"), config_.data.vocab_dir);
    resolveRunConfig(config_, tokenizer->vocabSize());
    validateRunConfig(config_, deviceIsCuda(config_), source_);
    device_ = resolveDevice(config_.train.device);
    if (config_.model.vocab_size < tokenizer->vocabSize()) {
      throw InputError(
          {source_, 0, "model.vocab_size"},
          expectedGot("at least the tokenizer's " + std::to_string(tokenizer->vocabSize()),
                      std::to_string(config_.model.vocab_size)));
    }
    bf16_ = usesBf16(config_.train, device_.is_cuda());
    if (device_.is_cpu()) initTorchThreads(static_cast<int>(config_.train.threads));
    log_every_ =
        config_.train.log_every > 0 ? config_.train.log_every : (device_.is_cuda() ? 10 : 1);

    loadData(*tokenizer);
    torch::manual_seed(static_cast<std::uint64_t>(config_.seed));
    model_ = LanguageModel(config_.model);
    model_->to(device_);
    model_->train();
    step_ = std::make_unique<TrainStep>(model_, config_.train, bf16_);
    if (resuming) {
      restoreCheckpoint();
    } else {
      paths_.dir = createRunDir(request_.runs_dir, config_.name);
      writeFileAtomic(paths_.config(), configWithProvenance(*tokenizer));
    }
    writer_ = std::make_unique<MetricsWriter>(paths_.metrics());
    observers_.add(writer_.get());
    observers_.add(&outer_);
    started_ = Clock::now();
    time_offset_ = state_.time;
    summary_.params = model_->parameterCount();
    summary_.device = deviceName(device_);
    summary_.libtorch_version = runtimeInfo().libtorch_version;
    summary_.project_version = projectVersion();
    summary_.git_commit = gitCommit();
    const std::int64_t B = config_.train.batch_size;
    steps_per_epoch_ = (train_chunks_ + B - 1) / B;  // the last partial batch is kept
    total_steps_ = config_.train.epochs * steps_per_epoch_;
    if (config_.train.max_steps > 0) total_steps_ = std::min(total_steps_, config_.train.max_steps);
    observers_.onStarted(RunStart{paths_.dir, config_.name, config_.model.arch, total_steps_,
                                  steps_per_epoch_, state_.step, summary_.params, summary_.device});
    if (resuming) log("resumed at step " + std::to_string(state_.step));
    if (config_.model.leaksFuture()) {
      log("warning: model.pairing future_leaky pairs t with t + delta: the model sees later "
          "tokens, so its "
          "perplexity is not a language-model perplexity (paper-literal, non-causal)");
    }
  }

  void loadData(const Tokenizer& tokenizer) {
    TokenCache cache = TokenCache::standard();
    if (request_.progress) cache.setWarningHandler(request_.progress);
    const auto load = [&](const char* split) {
      if (request_.progress)
        request_.progress(std::string("loading wikitext2 ") + split + " (" + tokenizer.name() +
                          ")");
      return loadWikitextSplit(config_.data.dir, split, config_.data.format, tokenizer, cache);
    };
    train_ = load("train");
    valid_ = load("valid");
    test_ = load("test");
    const std::int64_t L = config_.data.seq_len;
    train_chunks_ = train_.numChunks(L);
    if (config_.data.max_train_tokens > 0) {
      train_chunks_ =
          std::min(train_chunks_, std::max<std::int64_t>(1, config_.data.max_train_tokens / L));
    }
    for (const TokenStream* s : {&train_, &valid_, &test_}) {
      if (s->numChunks(L) == 0) {
        throw InputError({s->file, 0, "data.seq_len"},
                         expectedGot("at least one chunk of " + std::to_string(L) + " tokens",
                                     std::to_string(s->ids.size()) + " tokens"));
      }
    }
  }

  std::string configWithProvenance(const Tokenizer& tokenizer) const {
    nlohmann::ordered_json j = nlohmann::ordered_json::parse(runConfigToJson(config_));
    nlohmann::ordered_json p;
    const RuntimeInfo info = runtimeInfo();
    p["project_version"] = projectVersion();
    p["git_commit"] = gitCommit();
    p["libtorch"] = info.libtorch_version;
    p["device"] = deviceName(device_);
    p["threads"] = device_.is_cpu() ? info.threads : 0;
    p["precision"] = bf16_ ? "bf16" : "fp32";
    p["tokenizer"] = tokenizer.name();
    p["tokenizer_version"] = kTokenizerVersion;
    p["tokenizer_fingerprint"] = tokenizer.fingerprint();
    for (const std::string& file : tokenizer.vocabFiles())
      p["vocab_sha256"][file] = readDataFile(file).stored_sha256;
    const std::initializer_list<std::pair<const char*, const TokenStream*>> splits = {
        {"train", &train_}, {"valid", &valid_}, {"test", &test_}};
    for (const auto& [split, stream] : splits) {
      p["data"][split] = {{"file", stream->file},
                          {"sha256", stream->source_sha256},
                          {"tokens", stream->ids.size()}};
    }
    p["parameters"] = model_->parameterCount();
    p["leaks_future"] = config_.model.leaksFuture();  // pairing future_leaky sees later tokens
    j["provenance"] = p;
    return j.dump(2) + "\n";
  }

  void restoreCheckpoint() {
    // The three files must describe the same step (each is renamed into place on its own).
    for (const std::string& file : {paths_.lastWeights(), paths_.optimizer()}) {
      const auto meta = readSafetensors(file).metadata;
      const auto it = meta.find("step");
      if (it == meta.end() || it->second != std::to_string(state_.step)) {
        throw InputError({file, 0, "__metadata__.step"},
                         expectedGot(std::to_string(state_.step) + " as in trainer_state.json",
                                     it == meta.end() ? "none" : it->second));
      }
    }
    copyIntoTensors(step_->parameters(), loadTensors(paths_.lastWeights()), paths_.lastWeights());
    step_->optimizer().loadState(loadTensors(paths_.optimizer()), state_.step, paths_.optimizer());
    setCpuGeneratorState(fromHex(state_.rng_cpu, paths_.trainerState()));
    setCudaGeneratorState(device_, fromHex(state_.rng_cuda, paths_.trainerState()));
  }

  // ---------------------------------------------------------------- the loop
  void loop() {
    const std::int64_t B = config_.train.batch_size, L = config_.data.seq_len;
    schedule_ = LrSchedule{config_.train.schedule,     config_.train.lr, config_.train.min_lr,
                           config_.train.warmup_steps, total_steps_,     steps_per_epoch_};
    probe_batch_ = sequentialBatch(
        valid_, 0, std::min(config_.probes.probe_batch, valid_.numChunks(L)), L, device_);
    window_start_ = Clock::now();

    while (state_.step < total_steps_ && state_.epoch < config_.train.epochs) {
      const std::vector<std::int64_t> order = epochOrder(train_chunks_, config_.seed, state_.epoch);
      while (state_.position < steps_per_epoch_ && state_.step < total_steps_) {
        if (request_.stop && request_.stop->load()) return stop();
        const std::int64_t first = state_.position * B;
        const torch::Tensor batch =
            chunkBatch(train_, order, first, std::min(B, train_chunks_ - first), L, device_);
        trainStep(batch, schedule_.at(state_.step));
        ++state_.step;
        ++state_.position;
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
    if (!saveLast()) return;
    finish();
  }

  bool every(std::int64_t n) const { return n > 0 && state_.step % n == 0; }

  void trainStep(const torch::Tensor& batch, double lr) {
    const TrainStep::Result r = step_->run(batch, lr);
    pending_.push_back({r.loss, r.grad_norm, lr, batch.size(0) == config_.train.batch_size});
  }

  // Reads the pending steps' metrics from the device (the only synchronisation in the loop),
  // emits a step event, and fails the run at the first non-finite loss.
  bool readMetrics() {
    if (pending_.empty()) return true;
    std::vector<torch::Tensor> losses, norms;
    for (const Pending& p : pending_) {
      losses.push_back(p.loss.to(torch::kFloat));
      norms.push_back(p.grad_norm.to(torch::kFloat));
    }
    const torch::Tensor l = torch::stack(losses).to(torch::kCPU, torch::kDouble);
    const torch::Tensor g = torch::stack(norms).to(torch::kCPU, torch::kDouble);
    const double window = secondsSince(window_start_);
    const auto n = static_cast<std::int64_t>(pending_.size());
    const std::int64_t first_step = state_.step - n + 1;
    double loss_sum = 0, norm_sum = 0;
    for (std::int64_t i = 0; i < n; ++i) {
      const double loss = l[i].item<double>(), norm = g[i].item<double>();
      if (!std::isfinite(loss)) {
        pending_.clear();
        fail("non-finite loss (" + std::to_string(loss) + ") at step " +
                 std::to_string(first_step + i),
             first_step + i);
        return false;
      }
      loss_sum += loss;
      norm_sum += norm;
      // An epoch's last, partial batch is noisier by sampling alone (its gradient norm is
      // larger): not a spike of the training, so the detectors do not see it.
      if (pending_[static_cast<std::size_t>(i)].full_batch) {
        spike("loss", loss_spikes_, loss, first_step + i);
        spike("gradient norm", norm_spikes_, norm, first_step + i);
      }
    }
    const std::int64_t window_tokens = n * config_.train.batch_size * config_.data.seq_len;
    state_.train_seconds += window;
    state_.timed_tokens += window_tokens;
    StepEvent e;
    fill(e);
    e.loss = loss_sum / static_cast<double>(n);
    e.lr = pending_.back().lr;
    e.grad_norm = norm_sum / static_cast<double>(n);
    e.tokens_per_s = window > 0 ? static_cast<double>(window_tokens) / window : 0;
    e.step_ms = 1000.0 * window / static_cast<double>(n);
    pending_.clear();
    observers_.onStep(e);
    window_start_ = Clock::now();
    return true;
  }

  void spike(const char* what, SpikeDetector& detector, double value, std::int64_t step) {
    const double z = detector.add(value);
    if (!detector.isSpike(z)) return;
    char text[160];
    std::snprintf(text, sizeof text, "%s spike at step %lld: %.4g (z-score %.1f)", what,
                  static_cast<long long>(step), value, z);
    log(text);
  }

  bool validate() {
    if (!readMetrics()) return false;
    const EvalResult r = evaluateLm(model_, valid_, config_.data.seq_len, config_.train.batch_size,
                                    config_.data.max_eval_tokens, device_, bf16_);
    emitEval("valid", r);
    last_eval_step_ = state_.step;
    state_.final_valid_ppl = r.ppl;
    if (std::isfinite(r.ppl) && (state_.best_valid_ppl == 0 || r.ppl < state_.best_valid_ppl)) {
      state_.best_valid_ppl = r.ppl;
      state_.best_step = state_.step;
      saveModuleWeights(
          *model_, paths_.bestWeights(),
          {{"step", std::to_string(state_.step)}, {"valid_ppl", std::to_string(r.ppl)}});
      checkpointEvent("best", paths_.bestWeights());
    }
    window_start_ = Clock::now();
    return true;
  }

  void emitEval(const char* split, const EvalResult& r) {
    EvalEvent e;
    fill(e);
    e.split = split;
    e.loss = r.loss;
    e.ppl = r.ppl;
    e.eval_tokens = r.tokens;
    e.loss_by_position = r.loss_by_position;
    observers_.onEval(e);
  }

  void probe() {
    ProbeResult result = runProbes(model_, probe_batch_, config_.probes);
    for (AlphaEvent& e : result.alpha) {
      fill(e);
      observers_.onAlpha(e);
    }
    for (PluckerEvent& e : result.plucker) {
      fill(e);
      observers_.onPlucker(e);
    }
    window_start_ = Clock::now();
  }

  // Saves weights, optimizer and trainer state (in that order: the state names a complete step).
  bool saveLast() {
    if (!readMetrics()) return false;
    const std::map<std::string, std::string> meta = {{"step", std::to_string(state_.step)}};
    saveModuleWeights(*model_, paths_.lastWeights(), meta);
    saveTensors(paths_.optimizer(), step_->optimizer().stateTensors(), meta);
    state_.time = now();
    state_.rng_cpu = toHex(cpuGeneratorState());
    state_.rng_cuda = toHex(cudaGeneratorState(device_));
    writeTrainerState(paths_.trainerState(), state_);
    checkpointEvent("last", paths_.lastWeights());
    window_start_ = Clock::now();
    return true;
  }

  void checkpointEvent(const char* kind, const std::string& path) {
    CheckpointEvent e;
    fill(e);
    e.kind = kind;
    e.path = path;
    observers_.onCheckpoint(e);
  }

  void stop() {
    if (!saveLast()) return;
    log("stopped at step " + std::to_string(state_.step) + "; resume with gwb train --resume " +
        paths_.dir);
    summary_.status = "stopped";
    end();
  }

  void finish() {
    // The test perplexity of the best checkpoint (or of the last weights if none was kept).
    if (fs::is_regular_file(paths_.bestWeights())) loadModuleWeights(*model_, paths_.bestWeights());
    const EvalResult test =
        evaluateLm(model_, test_, config_.data.seq_len, config_.train.batch_size,
                   config_.data.max_eval_tokens, device_, bf16_);
    emitEval("test", test);
    summary_.test_ppl = test.ppl;
    summary_.status = "finished";
    end();
  }

  void fail(const std::string& error, std::int64_t step = -1) {
    summary_.status = "failed";
    summary_.error = error;
    FailedEvent e;
    fill(e);
    if (step >= 0) e.step = step;
    e.error = error;
    observers_.onFailed(e);
    end(/*emit_finished=*/false);
  }

  // Writes summary.json and, unless the run failed, the finished event.
  void end(bool emit_finished = true) {
    summary_.best_valid_ppl = state_.best_valid_ppl;
    summary_.best_step = state_.best_step;
    summary_.final_valid_ppl = state_.final_valid_ppl;
    summary_.tokens_per_s = state_.train_seconds > 0
                                ? static_cast<double>(state_.timed_tokens) / state_.train_seconds
                                : 0;
    const double steps_timed = static_cast<double>(state_.timed_tokens) /
                               static_cast<double>(config_.train.batch_size * config_.data.seq_len);
    summary_.step_ms = steps_timed > 0 ? 1000.0 * state_.train_seconds / steps_timed : 0;
    summary_.wall_s = now();
    writeFileAtomic(paths_.summary(), summaryToJson(summary_) + "\n");
    if (emit_finished) {
      FinishedEvent e;
      fill(e);
      e.summary = summary_;
      observers_.onFinished(e);
    }
  }

  void log(const std::string& message) {
    LogEvent e;
    fill(e);
    e.message = message;
    observers_.onLog(e);
  }

  // Run seconds: those of earlier sessions (a resumed run) plus this session's.
  double now() const { return time_offset_ + secondsSince(started_); }

  void fill(EventBase& e) const {
    e.step = state_.step;
    e.epoch = state_.epoch;
    e.tokens = state_.step * config_.train.batch_size * config_.data.seq_len;
    e.time = now();
  }

  struct Pending {
    torch::Tensor loss, grad_norm;
    double lr;
    bool full_batch;
  };

  const TrainRequest& request_;
  RunObserver& outer_;
  ObserverList observers_;
  std::unique_ptr<MetricsWriter> writer_;
  RunConfig config_;
  std::string source_;
  RunPaths paths_;
  TrainerState state_;
  RunSummary summary_;
  torch::Device device_{torch::kCPU};
  bool bf16_ = false;
  std::int64_t log_every_ = 1;
  TokenStream train_, valid_, test_;
  std::int64_t train_chunks_ = 0, steps_per_epoch_ = 0, total_steps_ = 0;
  std::int64_t last_eval_step_ = -1;
  LanguageModel model_{nullptr};
  std::unique_ptr<TrainStep> step_;
  LrSchedule schedule_;
  torch::Tensor probe_batch_;
  std::vector<Pending> pending_;
  SpikeDetector loss_spikes_, norm_spikes_;
  Clock::time_point started_, window_start_;
  double time_offset_ = 0;
};

}  // namespace

TrainOutcome runTraining(const TrainRequest& request, RunObserver& observer) {
  Run run(request, observer);
  return run.execute();
}

PreparedConfig prepareConfig(RunConfig config, const std::string& source) {
  checkTask(config, source);
  validateRunConfig(config, deviceIsCuda(config), source);
  std::int64_t vocab = knownVocabSize(config.data.tokenizer);
  if (!config.data.vocab_dir.empty()) {
    vocab = loadTokenizer(parseTokenizerKind(config.data.tokenizer, "data.tokenizer"),
                          config.data.vocab_dir)
                ->vocabSize();
  }
  resolveRunConfig(config, vocab);
  validateRunConfig(config, deviceIsCuda(config), source);
  PreparedConfig out;
  out.config = config;
  torch::NoGradGuard no_grad;
  LanguageModel model(config.model);
  out.parameter_counts = model->parameterCounts();
  out.parameters = model->parameterCount();
  out.device = deviceName(resolveDevice(config.train.device));
  return out;
}

}  // namespace gwb
