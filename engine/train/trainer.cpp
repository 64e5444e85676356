// One training run, top to bottom (STYLE.md: nanoGPT/llm.c), written once for every task
// (task.h says what differs): set up (config, memory check, data and model through the task,
// optimizer, run directory or resume), then the loop: one timed step; every log_every steps read
// the metrics from the device; every eval_every steps validate; every probe_every steps probe;
// every checkpoint_every steps save; at each epoch end validate and save; at the end test the
// best. Crash safety: a checkpoint is one unit (checkpoint.h); a kill at any moment resumes from
// the newest complete one; a non-finite loss or gradient, an allocation failure or a full disk
// fail the run at that step and keep the last good checkpoint.
#include "engine/train/trainer.h"

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <new>
#include <nlohmann/json.hpp>

#include "engine/data/backbone_folder.h"
#include "engine/data/fetch/installed.h"
#include "engine/io/safetensors.h"
#include "engine/io/tensor_io.h"
#include "engine/model/classifier.h"
#include "engine/model/snli_head.h"
#include "engine/runtime/device.h"
#include "engine/runtime/torch_runtime.h"
#include "engine/tokenizers/tokenizer.h"
#include "engine/train/checkpoint.h"
#include "engine/train/lm_data.h"
#include "engine/train/metrics_json.h"
#include "engine/train/run_dir.h"
#include "engine/train/run_lock.h"
#include "engine/train/schedule.h"
#include "engine/train/scheduler.h"
#include "engine/train/spike_detector.h"
#include "engine/train/task.h"
#include "engine/train/train_step.h"
#include "engine/util/build_info.h"
#include "engine/util/error.h"
#include "engine/util/file_io.h"
#include "engine/util/paths.h"

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

// Validates `config` for `device` and checks that a training step fits in its memory; resolves
// derived values (the tokenizer's vocabulary size is needed for that).
void resolveAndValidate(RunConfig& config, const std::string& source, std::int64_t vocab) {
  validateRunConfig(config, deviceIsCuda(config), source);  // before anything is loaded
  resolveRunConfig(config, vocab);
  validateRunConfig(config, deviceIsCuda(config), source);
  if (config.model.vocab_size < vocab && !config.model.hasBackbone()) {
    throw InputError({source, 0, "model.vocab_size"},
                     expectedGot("at least the tokenizer's " + std::to_string(vocab),
                                 std::to_string(config.model.vocab_size)));
  }
  const torch::Device device = resolveDevice(config.train.device);
  const bool bf16 = usesBf16(config.train, device.is_cuda());
  // On CUDA the card's whole memory: the scheduler shares it between a sweep's runs.
  const std::int64_t available =
      device.is_cuda() ? totalDeviceMemory(device) : hostMemoryAvailable();
  if (auto problem = memoryProblem(config, bf16, available, device.is_cuda() ? "CUDA" : "CPU"))
    throw InputError({source, 0, problem->key}, problem->message);
}

// The tokenizer's vocabulary folder: data.vocab_dir, else a backbone folder's own vocab.txt (a
// DistilBERT folder carries the vocabulary it was trained with), else "" (the embedded one).
std::string vocabDir(const RunConfig& config, const std::string& backbone_dir) {
  if (!config.data.vocab_dir.empty() || backbone_dir.empty()) return config.data.vocab_dir;
  std::error_code ec;
  return fs::is_regular_file(fs::path(backbone_dir) / "vocab.txt", ec) ? backbone_dir : "";
}

// The step named by the fault-injection variable GWB_FAULT_NAN_GRAD_STEP (tests; 0: none).
std::int64_t nanGradientStep() {
  const char* v = std::getenv("GWB_FAULT_NAN_GRAD_STEP");
  return v ? std::strtoll(v, nullptr, 10) : 0;
}

class Run {
 public:
  Run(const TrainRequest& request, RunObserver& observer) : request_(request), outer_(observer) {
    state_.tokens = 0;
  }

  TrainOutcome execute() {
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

 private:
  // ---------------------------------------------------------------- set-up
  // Returns false when a --run-dir already holds this configuration's finished run.
  bool setUp() {
    bool existing = false;  // training continues a run directory that exists
    if (!request_.resume_dir.empty()) {
      paths_.dir = request_.resume_dir;
      openExisting();
      existing = true;
      if (finishedSummary()) {
        throw InputError({paths_.summary(), 0, "status"},
                         expectedGot("a stopped or failed run", "a finished one"));
      }
    } else {
      config_ = request_.config;
      source_ = request_.source;
      if (!request_.run_dir.empty()) {
        paths_.dir = absolutePath(request_.run_dir);
        existing = fs::is_regular_file(paths_.config());
      }
    }
    if (config_.model.hasBackbone()) resolveBackbone(existing);
    tokenizer_ = loadTokenizer(parseTokenizerKind(config_.data.tokenizer, "data.tokenizer"),
                               vocabDir(config_, backbone_dir_));
    resolveAndValidate(config_, source_, tokenizer_->vocabSize());
    if (existing && request_.resume_dir.empty()) {
      // gwb train CONFIG --run-dir DIR on a folder that holds a run.
      lock_ = std::make_unique<RunLock>(paths_.dir);
      const RunConfig stored = loadRunConfig(paths_.config());
      if (runConfigToJson(stored) != runConfigToJson(config_)) {
        throw InputError({paths_.config()}, expectedGot("the configuration of " + source_ +
                                                            " (--run-dir resumes "
                                                            "only the same run)",
                                                        "a different one"));
      }
      if (auto finished = finishedSummary()) {
        summary_ = *finished;
        return false;
      }
    }
    device_ = resolveDevice(config_.train.device);
    bf16_ = usesBf16(config_.train, device_.is_cuda());
    if (device_.is_cpu()) initTorchThreads(static_cast<int>(config_.train.threads));
    log_every_ =
        config_.train.log_every > 0 ? config_.train.log_every : (device_.is_cuda() ? 10 : 1);

    RunConfig task_config = config_;
    resolveDataFolder(existing, task_config);
    task_config.model.backbone_dir = backbone_dir_;
    generator_ = makeRunGenerator(static_cast<std::uint64_t>(config_.seed));
    TaskContext ctx;
    ctx.device = device_;
    ctx.bf16 = bf16_;
    ctx.generator = generator_;
    ctx.tokenizer = tokenizer_.get();  // the task keeps it: the run owns it
    ctx.progress = request_.progress;
    ctx.log = [this](const std::string& m) { early_logs_.push_back(m); };
    task_ = makeTask(task_config, ctx);
    if (existing) {
      checkSameData();
      checkSameBackbone();
    }
    Task* task = task_.get();
    params_ = namedTensors(task_->module());
    step_ = std::make_unique<TrainStep>(
        params_, [task](const Batch& b) { return task->loss(b); }, config_.train, bf16_,
        task_->graphModel());
    nan_step_ = nanGradientStep();

    if (existing) {
      store_ = CheckpointStore(paths_.checkpoints());
      if (store_.clean() > 0) early_logs_.push_back("removed what an interrupted write left");
      restoreCheckpoint();
    } else {
      const std::string config_json = configWithProvenance(*tokenizer_);
      if (!request_.run_dir.empty()) {
        createRunDirAt(paths_.dir, config_json);
      } else {
        cleanRunsFolder(request_.runs_dir);
        paths_.dir = createRunDir(request_.runs_dir, config_.name, config_json);
      }
      lock_ = std::make_unique<RunLock>(paths_.dir);
      store_ = CheckpointStore(paths_.checkpoints());
    }
    writer_ = std::make_unique<MetricsWriter>(paths_.metrics());
    if (writer_->cutBytes() > 0) {
      early_logs_.push_back("cut a torn last line of metrics.jsonl (" +
                            std::to_string(writer_->cutBytes()) +
                            " bytes of an interrupted write)");
    }
    observers_.add(writer_.get());
    observers_.add(&outer_);
    started_ = Clock::now();
    time_offset_ = state_.time;
    summary_.task = config_.data.task;
    summary_.params = trainedParameters();
    summary_.frozen_params = task_->frozenParameters();
    summary_.device = deviceName(device_);
    summary_.libtorch_version = runtimeInfo().libtorch_version;
    summary_.project_version = projectVersion();
    summary_.git_commit = gitCommit();
    const std::int64_t B = config_.train.batch_size;
    steps_per_epoch_ = (task_->trainExamples() + B - 1) / B;  // the last partial batch is kept
    total_steps_ = config_.train.epochs * steps_per_epoch_;
    if (config_.train.max_steps > 0) total_steps_ = std::min(total_steps_, config_.train.max_steps);
    observers_.onStarted(RunStart{paths_.dir, config_.name, config_.model.arch, total_steps_,
                                  steps_per_epoch_, state_.step, summary_.params, summary_.device});
    for (const std::string& line : early_logs_) log(line);
    early_logs_.clear();
    if (config_.model.leaksFuture()) {
      log("warning: model.pairing future_leaky pairs t with t + delta: the model sees later "
          "tokens, so its perplexity is not a language-model perplexity (paper-literal, "
          "non-causal)");
    }
    return true;
  }

  // Which copy of the data the run reads (data.dir > installed > embedded): a new run resolves it
  // now and records it in its provenance; a resumed run reads the copy it started with.
  void resolveDataFolder(bool existing, RunConfig& task_config) {
    if (existing) {
      const nlohmann::json stored = nlohmann::json::parse(readFileBytes(paths_.config()));
      const auto p = stored.find("provenance");
      if (p != stored.end() && p->is_object()) {
        stored_data_ = p->value("data", nlohmann::json());
        if (p->contains("data_dir") && (*p)["data_dir"].is_string()) {
          task_config.data.dir = (*p)["data_dir"].get<std::string>();
          task_dir_ = task_config.data.dir;
          data_source_ = p->value("data_source", std::string());
          return;
        }
      }
    }
    const DataResolution data =
        resolveTaskData(config_.data.task, config_.data.dir, config_.data.format);
    task_config.data.dir = data.dir;
    task_dir_ = data.dir;
    data_source_ = data.provenance;
    if (!data.note.empty()) early_logs_.push_back(data.note);
  }

  // Which DistilBERT folder the run reads (model.backbone_dir > an installed copy; neither: an
  // InputError naming both ways): a new run resolves it now and records it in its provenance; a
  // resumed run reads the folder it started with (checkSameBackbone then compares its weights).
  void resolveBackbone(bool existing) {
    if (existing) {
      const nlohmann::json stored = nlohmann::json::parse(readFileBytes(paths_.config()));
      const nlohmann::json p = stored.value("provenance", nlohmann::json::object());
      const nlohmann::json b = p.is_object() ? p.value("backbone", nlohmann::json()) : nullptr;
      if (b.is_object() && b.value("dir", nlohmann::json()).is_string()) {
        stored_backbone_ = b;
        backbone_dir_ = b["dir"].get<std::string>();
        backbone_source_ = b.value("source", std::string());
        return;
      }
    }
    const DataResolution r = resolveBackboneDir(config_.model.backbone_dir);
    if (r.source == DataSource::None) throw InputError({}, r.error);
    backbone_dir_ = r.dir;
    backbone_source_ = r.provenance;
    if (!r.note.empty()) early_logs_.push_back(r.note);
  }

  // A resumed run must run the backbone it started with (the SHA-256 of its weights).
  void checkSameBackbone() const {
    if (!stored_backbone_.is_object()) return;
    const nlohmann::json now = nlohmann::json::parse(task_->frozenProvenance().dump());
    const std::string was = stored_backbone_.value("weights_sha256", "");
    const std::string is = now.is_object() ? now.value("weights_sha256", "") : "";
    if (!was.empty() && was != is) {
      throw InputError({backbone_dir_ + "/model.safetensors", 0, "sha256"},
                       expectedGot(was + " (the backbone this run started with, as config.json "
                                         "records)",
                                   is));
    }
  }

  // A resumed run must read the files it started with (their SHA-256 in its provenance).
  void checkSameData() const {
    if (!stored_data_.is_object()) return;
    const nlohmann::json now = nlohmann::json::parse(task_->dataProvenance().dump());
    for (const char* split : {"train", "valid", "test"}) {
      if (!stored_data_.contains(split) || !now.contains(split)) continue;
      const std::string was = stored_data_[split].value("sha256", "");
      const std::string is = now[split].value("sha256", "");
      if (!was.empty() && was != is) {
        throw InputError({now[split].value("file", ""), 0, "sha256"},
                         expectedGot(was + " (the " + std::string(split) +
                                         " data this run started with, as config.json records)",
                                     is));
      }
    }
  }

  // A run directory given to resume: its lock, configuration and source.
  void openExisting() {
    if (!fs::is_regular_file(paths_.config())) {
      throw InputError({paths_.dir},
                       expectedGot("a run directory with config.json", "none (nothing to resume)"));
    }
    lock_ = std::make_unique<RunLock>(paths_.dir);
    config_ = loadRunConfig(paths_.config());
    source_ = paths_.config();
  }

  std::optional<RunSummary> finishedSummary() const {
    if (!fs::is_regular_file(paths_.summary())) return std::nullopt;
    RunSummary s = summaryFromJson(readFileBytes(paths_.summary()), paths_.summary());
    if (s.status != "finished") return std::nullopt;
    return s;
  }

  std::int64_t trainedParameters() const {
    std::int64_t n = 0;
    for (const auto& [name, count] : task_->parameterCounts()) n += count;
    return n;
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
    p["data"] = task_->dataProvenance();
    p["data_dir"] = task_dir_;        // the folder read ("": the embedded data)
    p["data_source"] = data_source_;  // configured, installed (which) or embedded
    p["parameters"] = trainedParameters() + task_->frozenParameters();
    nlohmann::ordered_json frozen = task_->frozenProvenance();
    if (!frozen.is_null()) {
      frozen["source"] = backbone_source_;  // model.backbone_dir or the installed copy (which)
      p["backbone"] = frozen;
    }
    p["leaks_future"] = config_.model.leaksFuture();  // pairing future_leaky sees later tokens
    j["provenance"] = p;
    return j.dump(2) + "\n";
  }

  void restoreCheckpoint() {
    CheckpointFiles files;
    std::optional<TrainerState> restored =
        readCheckpoint(store_, params_, step_->optimizer(), &files);
    if (!restored) {
      // Killed before its first checkpoint: the run starts over in its own directory.
      store_.restoreBest(CheckpointFiles{paths_.checkpoints(), "", "", "", ""});
      early_logs_.push_back("no checkpoint yet: training from the start");
      return;
    }
    state_ = *restored;
    last_saved_step_ = state_.step;
    store_.restoreBest(files);
    setGeneratorState(generator_, fromHex(state_.rng_cpu, files.state), files.state);
    setCudaGeneratorState(device_, fromHex(state_.rng_cuda, files.state));
    if (state_.tokens < 0) {  // written before trainer states counted tokens
      const std::int64_t per_step = task_->tokensPerStep(config_.train.batch_size);
      state_.tokens = per_step >= 0 ? state_.step * per_step : 0;
    }
    early_logs_.push_back("resumed at step " + std::to_string(state_.step));
  }

  // ---------------------------------------------------------------- the loop
  void loop() {
    const std::int64_t B = config_.train.batch_size;
    const std::int64_t examples = task_->trainExamples();
    schedule_ = LrSchedule{config_.train.schedule,     config_.train.lr, config_.train.min_lr,
                           config_.train.warmup_steps, total_steps_,     steps_per_epoch_};
    window_start_ = Clock::now();

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

  bool every(std::int64_t n) const { return n > 0 && state_.step % n == 0; }

  void trainStep(const Batch& batch, double lr) {
    if (nan_step_ > 0) step_->injectNanGradientAt(nan_step_);
    const TrainStep::Result r = step_->run(batch, lr);
    pending_.push_back(
        {r.loss, r.grad_norm, lr, batch.rows == config_.train.batch_size, batch.tokens});
  }

  // Reads the pending steps' metrics from the device (the only synchronisation in the loop),
  // emits a step event, and fails the run at the first non-finite loss or gradient norm.
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
    std::int64_t window_tokens = 0;
    for (std::int64_t i = 0; i < n; ++i) {
      const double loss = l[i].item<double>(), norm = g[i].item<double>();
      const std::int64_t step = first_step + i;
      if (!std::isfinite(loss) || !std::isfinite(norm)) {
        pending_.clear();
        const double bad = std::isfinite(loss) ? norm : loss;
        const char* value = std::isnan(bad) ? "nan" : bad > 0 ? "inf" : "-inf";
        char text[160];
        std::snprintf(text, sizeof text, "non-finite %s (%s) at step %lld",
                      std::isfinite(loss) ? "gradient norm" : "loss", value,
                      static_cast<long long>(step));
        if (last_saved_step_ >= 0) {
          log("the last checkpoint, step " + std::to_string(last_saved_step_) +
              ", is the last good state on disk (gwb train --resume continues from it)");
        }
        fail(text, step);
        return false;
      }
      loss_sum += loss;
      norm_sum += norm;
      window_tokens += pending_[static_cast<std::size_t>(i)].tokens;
      // An epoch's last, partial batch is noisier by sampling alone (its gradient norm is
      // larger): not a spike of the training, so the detectors do not see it.
      if (pending_[static_cast<std::size_t>(i)].full_batch) {
        spike("loss", loss_spikes_, loss, step);
        spike("gradient norm", norm_spikes_, norm, step);
      }
    }
    state_.train_seconds += window;
    state_.timed_tokens += window_tokens;
    state_.timed_steps += n;
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
    window_start_ = Clock::now();
    return true;
  }

  void probe() {
    ProbeResult result = task_->probe(config_.probes);
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

  // Weights, optimizer moments and trainer state of this step, as one unit (checkpoint.h).
  bool saveLast() {
    if (!readMetrics()) return false;
    writer_->sync();  // the events the checkpoint's step covers are on disk first
    state_.time = now();
    state_.rng_cpu = toHex(generatorState(generator_));
    state_.rng_cuda = toHex(cudaGeneratorState(device_));
    writeCheckpoint(store_, params_, step_->optimizer(), state_);
    last_saved_step_ = state_.step;
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
    if (last_saved_step_ != state_.step && !saveLast()) return;
    log("stopped at step " + std::to_string(state_.step) + "; resume with gwb train --resume " +
        paths_.dir);
    summary_.status = "stopped";
    end();
  }

  void finish() {
    // The test split with the best checkpoint (or the last weights if none was kept).
    if (fs::is_regular_file(store_.bestPath()))
      loadModuleWeights(task_->module(), store_.bestPath());
    test_ = task_->evaluate("test");
    fill(*test_);
    observers_.onEval(*test_);
    summary_.status = "finished";
    end();
  }

  // Ends the run as failed. Never throws: the disk may be full, the observers may fail too.
  void fail(const std::string& error, std::int64_t step = -1) {
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
  void end(bool emit_finished = true) {
    if (task_) task_->fillSummary(state_, test_ ? &*test_ : nullptr, summary_);
    summary_.tokens_per_s = state_.train_seconds > 0
                                ? static_cast<double>(state_.timed_tokens) / state_.train_seconds
                                : 0;
    summary_.step_ms =
        state_.timed_steps > 0 ? 1000.0 * state_.train_seconds / state_.timed_steps : 0;
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
    e.tokens = state_.tokens < 0 ? 0 : state_.tokens;
    e.time = now();
  }

  struct Pending {
    torch::Tensor loss, grad_norm;
    double lr;
    bool full_batch;
    std::int64_t tokens;
  };

  const TrainRequest& request_;
  RunObserver& outer_;
  ObserverList observers_;
  std::unique_ptr<RunLock> lock_;
  std::unique_ptr<MetricsWriter> writer_;
  RunConfig config_;
  std::string source_;
  RunPaths paths_;
  CheckpointStore store_{""};
  TrainerState state_;
  RunSummary summary_;
  torch::Device device_{torch::kCPU};
  bool bf16_ = false;
  std::int64_t log_every_ = 1;
  at::Generator generator_;
  std::unique_ptr<Tokenizer> tokenizer_;
  std::string backbone_dir_;        // the frozen backbone's folder ("": none)
  std::string backbone_source_;     // how it was chosen, for the provenance
  nlohmann::json stored_backbone_;  // a resumed run's provenance "backbone"
  std::string task_dir_;            // the data folder the task reads ("": embedded)
  std::string data_source_;         // how it was chosen, for the provenance
  nlohmann::json stored_data_;      // a resumed run's provenance "data"
  std::unique_ptr<Task> task_;
  NamedTensors params_;
  std::int64_t steps_per_epoch_ = 0, total_steps_ = 0;
  std::int64_t last_eval_step_ = -1, last_saved_step_ = -1;
  std::int64_t nan_step_ = 0;
  std::unique_ptr<TrainStep> step_;
  LrSchedule schedule_;
  std::optional<EvalEvent> test_;
  std::vector<Pending> pending_;
  std::vector<std::string> early_logs_;  // logs of the set-up, emitted once the run has started
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
  // A backbone's folder, if one is configured or installed: its shape counts the frozen
  // parameters and gives the feature width; without one the frozen count is 0 (and says why).
  std::optional<BackboneFolder> folder;
  DataResolution backbone;
  if (config.model.hasBackbone()) {
    backbone = resolveBackboneDir(config.model.backbone_dir);
    if (backbone.source != DataSource::None) folder = inspectBackboneFolder(backbone.dir);
  }
  std::int64_t vocab = knownVocabSize(config.data.tokenizer);
  const std::string vocab_dir = vocabDir(config, folder ? folder->dir : "");
  if (!vocab_dir.empty()) {
    vocab = loadTokenizer(parseTokenizerKind(config.data.tokenizer, "data.tokenizer"), vocab_dir)
                ->vocabSize();
  }
  resolveAndValidate(config, source, vocab);  // the memory check comes before any allocation
  PreparedConfig out;
  out.config = config;
  out.data_source =
      resolveTaskData(config.data.task, config.data.dir, config.data.format).provenance;
  torch::NoGradGuard no_grad;
  if (config.model.hasBackbone()) {
    std::int64_t dim = config.model.backbone_dim > 0 ? config.model.backbone_dim : 768;
    if (folder) {
      const auto problems = backboneProblems(config, *folder, vocab);
      if (!problems.empty())
        throw InputError({source, 0, problems.front().key}, problems.front().message);
      dim = folder->shape.dim;
      out.frozen = folder->parameters;
      out.backbone_dir = folder->dir;
      out.backbone_source = backbone.provenance;
    } else {
      out.backbone_source = "none";
      out.backbone_note =
          "no backbone folder (set model.backbone_dir or run `gwb data fetch "
          "distilbert-base-uncased`): frozen parameters unknown, counted 0; the "
          "head counted for " +
          std::to_string(dim) + "-wide features";
    }
    HeadModel model(config.model, dim);
    out.parameter_counts = model->parameterCounts();
  } else if (config.data.isSnli()) {
    SequenceClassifier model(config.model, config.data.separatePairs());
    out.parameter_counts = model->parameterCounts();
  } else {
    LanguageModel model(config.model);
    out.parameter_counts = model->parameterCounts();
  }
  for (const auto& [name, count] : out.parameter_counts) out.trained += count;
  out.parameters = out.trained + out.frozen;
  RunConfig counted = config;  // the twin's head reads features as wide as this one's
  if (folder) counted.model.backbone_dim = folder->shape.dim;
  out.twin = countTwinParameters(counted);
  out.device = deviceName(resolveDevice(config.train.device));
  return out;
}

std::vector<EvalEvent> evaluateRunCheckpoint(
    const std::string& run_dir, const std::string& checkpoint,
    const std::vector<std::string>& splits,
    const std::function<void(const std::string&)>& progress) {
  const std::string dir = absolutePath(run_dir);
  const std::string config_path = dir + "/config.json";
  if (!fs::is_regular_file(config_path))
    throw InputError({dir}, expectedGot("a run directory with config.json", "none"));
  const std::string weights = dir + "/checkpoints/" + checkpoint + ".safetensors";
  if (!fs::is_regular_file(weights))
    throw InputError({weights}, expectedGot("a checkpoint", "no such file"));
  RunConfig config = loadRunConfig(config_path);
  if (config.train.device != "cpu") config.train.device = "auto";
  const auto tokenizer = loadTokenizer(parseTokenizerKind(config.data.tokenizer, "data.tokenizer"),
                                       config.data.vocab_dir);
  resolveAndValidate(config, config_path, tokenizer->vocabSize());
  // The data copy the run trained on (its provenance), else today's resolution.
  RunConfig task_config = config;
  const nlohmann::json stored = nlohmann::json::parse(readFileBytes(config_path));
  const auto p = stored.find("provenance");
  if (p != stored.end() && p->is_object() && p->contains("data_dir") &&
      (*p)["data_dir"].is_string()) {
    task_config.data.dir = (*p)["data_dir"].get<std::string>();
  } else {
    task_config.data.dir =
        resolveTaskData(config.data.task, config.data.dir, config.data.format).dir;
  }
  const torch::Device device = resolveDevice(config.train.device);
  // The run's own thread count (train.threads; 0 = every core), as its training used.
  if (device.is_cpu()) initTorchThreads(static_cast<int>(config.train.threads));
  TaskContext ctx;
  ctx.device = device;
  ctx.bf16 = usesBf16(config.train, device.is_cuda());
  ctx.generator = makeRunGenerator(static_cast<std::uint64_t>(config.seed));
  ctx.tokenizer = tokenizer.get();
  ctx.progress = progress;
  const std::unique_ptr<Task> task = makeTask(task_config, ctx);
  loadModuleWeights(task->module(), weights);
  const auto meta = readSafetensors(weights).metadata;
  std::int64_t step = 0;
  if (meta.count("step")) step = std::strtoll(meta.at("step").c_str(), nullptr, 10);
  std::vector<EvalEvent> out;
  for (const std::string& split : splits) {
    EvalEvent e = task->evaluate(split);
    e.step = step;
    out.push_back(e);
  }
  return out;
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
