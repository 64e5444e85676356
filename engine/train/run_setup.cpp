// Setting a run up: its configuration resolved and validated, its data and model (the task), the
// optimizer step, and a new run directory or the newest complete checkpoint of an existing one,
// with the provenance config.json records.
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "engine/catalog/installed.h"
#include "engine/config/config_diff.h"
#include "engine/data/backbone_folder.h"
#include "engine/data/data_source.h"
#include "engine/runtime/device.h"
#include "engine/runtime/torch_runtime.h"
#include "engine/train/footprint.h"
#include "engine/train/run.h"
#include "engine/util/build_info.h"
#include "engine/util/error.h"
#include "engine/util/file_io.h"
#include "engine/util/paths.h"

namespace fs = std::filesystem;

namespace gwb::train_detail {

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

// Returns false when a --run-dir already holds this configuration's finished run.
bool Run::setUp() {
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
  log_every_ = config_.train.log_every > 0 ? config_.train.log_every : (device_.is_cuda() ? 10 : 1);

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
    readStoredInit();
    store_ = CheckpointStore(paths_.checkpoints());
    if (store_.clean() > 0) early_logs_.push_back("removed what an interrupted write left");
    restoreCheckpoint();
  } else {
    init_from_ = request_.init_from;
    init_names_ = request_.init_names;
    applyInit();  // bad weights are bad input: before the run directory exists
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
                          std::to_string(writer_->cutBytes()) + " bytes of an interrupted write)");
  }
  observers_.add(writer_.get());
  observers_.add(&outer_);
  started_ = Clock::now();
  time_offset_ = state_.time;
  summary_.task = config_.data.task;
  summary_.recipe = config_.recipe;
  summary_.params = trainedParameters();
  summary_.frozen_params = task_->frozenParameters();
  summary_.device = deviceName(device_);
  summary_.libtorch_version = runtimeInfo().libtorch_version;
  summary_.project_version = projectVersion();
  summary_.git_commit = gitCommit();
  const std::int64_t B = config_.train.batch_size;
  // The last partial batch is kept unless train.drop_last (an epoch then has at least one).
  steps_per_epoch_ = config_.train.drop_last ? std::max<std::int64_t>(1, task_->trainExamples() / B)
                                             : (task_->trainExamples() + B - 1) / B;
  total_steps_ = config_.train.epochs * steps_per_epoch_;
  if (config_.train.max_steps > 0) total_steps_ = std::min(total_steps_, config_.train.max_steps);
  observers_.onStarted(RunStart{paths_.dir, config_.name, config_.model.arch, total_steps_,
                                steps_per_epoch_, state_.step, summary_.params, summary_.device});
  if (resumed_) {
    fill(*resumed_);
    observers_.onResumed(*resumed_);
  }
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
void Run::resolveDataFolder(bool existing, RunConfig& task_config) {
  if (existing) {
    const nlohmann::json stored = nlohmann::json::parse(readFileBytes(paths_.config()));
    const auto p = stored.find("provenance");
    if (p != stored.end() && p->is_object()) {
      stored_data_ = p->value("data", nlohmann::json());
      if (p->contains("data_dir") && (*p)["data_dir"].is_string()) {
        task_config.data.dir = (*p)["data_dir"].get<std::string>();
        task_dir_ = task_config.data.dir;
        data_source_ = p->value("data_source", std::string());
        data_format_ = p->value("data_format", std::string());
        corpus_ = p->value("corpus", std::string());
        if (!data_format_.empty()) task_config.data.format = data_format_;
        return;
      }
    }
  }
  // A recipe reads the raw corpus its reproduction trained on where there is one (SPEC §8).
  const DataResolution data = resolveTaskData(config_.data.task, config_.data.dir,
                                              config_.data.format, "", !config_.recipe.empty());
  task_config.data.dir = data.dir;
  if (!data.format.empty()) task_config.data.format = data_format_ = data.format;
  if (!config_.recipe.empty() && !config_.data.isSnli()) corpus_ = data.v1_not_raw ? "v1" : "raw";
  task_dir_ = data.dir;
  data_source_ = data.provenance;
  if (!data.note.empty()) early_logs_.push_back(data.note);
}

// Which DistilBERT folder the run reads (model.backbone_dir > an installed copy; neither: an
// InputError naming both ways): a new run resolves it now and records it in its provenance; a
// resumed run reads the folder it started with (checkSameBackbone then compares its weights).
void Run::resolveBackbone(bool existing) {
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
void Run::checkSameBackbone() const {
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
void Run::checkSameData() const {
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
void Run::openExisting() {
  if (!fs::is_regular_file(paths_.config())) {
    throw InputError({paths_.dir},
                     expectedGot("a run directory with config.json", "none (nothing to resume)"));
  }
  lock_ = std::make_unique<RunLock>(paths_.dir);
  config_ = loadRunConfig(paths_.config());
  source_ = paths_.config();
}

std::optional<RunSummary> Run::finishedSummary() const {
  if (!fs::is_regular_file(paths_.summary())) return std::nullopt;
  RunSummary s = summaryFromJson(readFileBytes(paths_.summary()), paths_.summary());
  if (s.status != "finished") return std::nullopt;
  return s;
}

std::int64_t Run::trainedParameters() const {
  std::int64_t n = 0;
  for (const auto& [name, count] : task_->parameterCounts()) n += count;
  return n;
}

std::string Run::configWithProvenance(const Tokenizer& tokenizer) const {
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
  if (!data_format_.empty()) p["data_format"] = data_format_;  // what a recipe's auto chose
  if (!corpus_.empty()) p["corpus"] = corpus_;  // a recipe's: "raw" (its corpus) or "v1"
  p["parameters"] = trainedParameters() + task_->frozenParameters();
  nlohmann::ordered_json frozen = task_->frozenProvenance();
  if (!frozen.is_null()) {
    frozen["source"] = backbone_source_;  // model.backbone_dir or the installed copy (which)
    p["backbone"] = frozen;
  }
  p["leaks_future"] = config_.model.leaksFuture();  // pairing future_leaky sees later tokens
  if (!init_from_.empty()) {
    p["init_from"] = {{"path", init_from_},
                      {"names", init_names_},
                      {"sha256", readDataFile(init_from_).stored_sha256}};
  }
  for (const std::string& note : plainPathNotes(config_.model, device_))
    p["plain_path"].push_back(note);
  // SPEC §9: a study reuses runs by it. A recipe's format auto is hashed as what it read (raw or
  // tokens), so that a study's cells, which name the format, find the runs of the recipe.
  RunConfig hashed = config_;
  if (!data_format_.empty()) hashed.data.format = data_format_;
  j["config_sha256"] = configSha256(hashed, bf16_);
  j["provenance"] = p;
  return j.dump(2) + "\n";
}

// gwb train --init-from: the weights of another run or reproduction, names mapped by their
// scheme (name_schemes.h); the optimizer starts fresh at step 0.
void Run::applyInit() {
  if (init_from_.empty()) return;
  const std::string scheme = loadModuleWeightsNamed(task_->module(), init_from_, init_names_);
  init_names_ = scheme;
  early_logs_.push_back("initialised from " + init_from_ + " (" + scheme +
                        " names): weights only, a fresh optimizer at step 0");
}

// The --init-from of a run directory that exists (its provenance), for a restart from scratch.
void Run::readStoredInit() {
  const nlohmann::json stored =
      nlohmann::json::parse(readFileBytes(paths_.config()), nullptr, false);
  const auto p = stored.find("provenance");
  if (p == stored.end() || !p->is_object() || !p->contains("init_from")) return;
  const nlohmann::json& init = (*p)["init_from"];
  if (!init.is_object()) return;
  init_from_ = init.value("path", std::string());
  init_names_ = init.value("names", std::string());
}

void Run::restoreCheckpoint() {
  CheckpointFiles files;
  std::optional<TrainerState> restored =
      readCheckpoint(store_, params_, step_->optimizer(), &files);
  if (!restored) {
    // Killed before its first checkpoint: the run starts over in its own directory (from the
    // weights it was initialised from, if any).
    store_.restoreBest(CheckpointFiles{paths_.checkpoints(), "", "", "", ""});
    early_logs_.push_back("no checkpoint yet: training from the start");
    applyInit();
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
  early_logs_.push_back("resumed at step " + std::to_string(state_.step));  // for people
  resumed_ = ResumedEvent{};
  resumed_->from_step = state_.step;
  resumed_->checkpoint = files.dir.empty() ? paths_.checkpoints() : files.dir;
}

}  // namespace gwb::train_detail
