// The run directory of CONTRACTS.md: creation (<runs>/<yyyymmdd-hhmmss UTC>-<name>, with -2, -3...
// when taken; built under a temporary name with its config.json and renamed into place, so a
// run folder always has its configuration), and the trainer state that makes a run resumable.
// Every file but metrics.jsonl is written to a temporary name and renamed. Torch-free.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace gwb {

/// Creates and returns (absolute) a new run directory holding `config_json` as config.json and an
/// empty checkpoints/ folder. Nothing is left behind if it fails.
std::string createRunDir(const std::string& runs_dir, const std::string& name,
                         const std::string& config_json);

/// Creates exactly `dir` (a cluster task's --run-dir) the same way; InputError if it exists and
/// is not empty.
void createRunDirAt(const std::string& dir, const std::string& config_json);

/// Removes temporary run folders (`.tmp-run-*`) older than a day from `runs_dir`: what a crash
/// between creating one and renaming it leaves. Returns how many.
int cleanRunsFolder(const std::string& runs_dir);

/// Paths inside a run directory.
struct RunPaths {
  std::string dir;
  std::string config() const { return dir + "/config.json"; }
  std::string metrics() const { return dir + "/metrics.jsonl"; }
  std::string summary() const { return dir + "/summary.json"; }
  std::string checkpoints() const { return dir + "/checkpoints"; }
  /// Links to the current checkpoint's files (checkpoint_store.h), as CONTRACTS.md names them.
  std::string lastWeights() const { return checkpoints() + "/last.safetensors"; }
  std::string bestWeights() const { return checkpoints() + "/best.safetensors"; }
  std::string optimizer() const { return checkpoints() + "/optimizer.safetensors"; }
  std::string trainerState() const { return checkpoints() + "/trainer_state.json"; }
};

/// checkpoints/trainer_state.json: where a stopped run picks up.
struct TrainerState {
  std::int64_t step = 0;      ///< optimizer steps done
  std::int64_t epoch = 0;     ///< epoch in progress (0-based)
  std::int64_t position = 0;  ///< batches of that epoch done (data order position)
  double time = 0;            ///< run seconds so far
  std::int64_t tokens = -1;   ///< tokens trained on (events' `tokens`); -1: not recorded (old runs)
  double best_valid_ppl = 0;  ///< language models (as train.eval_mean reports); 0: none yet
  std::optional<double> best_valid_loss;  ///< lowest token-weighted validation loss (nats)
  double best_valid_accuracy = -1;        ///< classifiers (fraction); -1: none yet
  std::int64_t best_step = 0;
  double final_valid_ppl = 0;
  double final_valid_accuracy = -1;
  double train_seconds = 0;       ///< time spent in training steps (for throughput)
  std::int64_t timed_tokens = 0;  ///< tokens those seconds covered
  std::int64_t timed_steps = 0;   ///< steps those seconds covered
  std::string rng_cpu;            ///< hex of the run's own CPU generator state
  std::string rng_cuda;           ///< hex of the CUDA generator state ("" on CPU)
};

/// The JSON text of a trainer state.
std::string trainerStateToJson(const TrainerState& state);
/// Parses trainer_state.json text strictly: every field of its type (no nulls), counts >= 0,
/// times finite, the generator states hex. InputError naming `source` and the key otherwise.
TrainerState parseTrainerState(const std::string& text, const std::string& source);
/// Reads and parses a trainer state file; InputError if missing or malformed.
TrainerState readTrainerState(const std::string& path);

/// Lower-case hex of bytes, and back (InputError on odd length or non-hex).
std::string toHex(const std::string& bytes);
std::string fromHex(const std::string& hex, const std::string& source);

}  // namespace gwb
