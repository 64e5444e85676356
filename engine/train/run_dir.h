// The run directory of CONTRACTS.md: creation (<runs>/<yyyymmdd-hhmmss UTC>-<name>, with -2, -3...
// when taken), and the trainer state that makes a run resumable. Every file but metrics.jsonl is
// written to a temporary name and renamed. Torch-free.
#pragma once

#include <cstdint>
#include <string>

namespace gwb {

/// Creates and returns (absolute) a new run directory with a checkpoints/ folder.
std::string createRunDir(const std::string& runs_dir, const std::string& name);

/// Paths inside a run directory.
struct RunPaths {
  std::string dir;
  std::string config() const { return dir + "/config.json"; }
  std::string metrics() const { return dir + "/metrics.jsonl"; }
  std::string summary() const { return dir + "/summary.json"; }
  std::string checkpoints() const { return dir + "/checkpoints"; }
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
  double best_valid_ppl = 0;  ///< 0: none yet
  std::int64_t best_step = 0;
  double final_valid_ppl = 0;
  double train_seconds = 0;       ///< time spent in training steps (for throughput)
  std::int64_t timed_tokens = 0;  ///< tokens those seconds covered
  std::string rng_cpu;            ///< hex of the CPU generator state
  std::string rng_cuda;           ///< hex of the CUDA generator state ("" on CPU)
};

void writeTrainerState(const std::string& path, const TrainerState& state);
/// InputError if missing or malformed.
TrainerState readTrainerState(const std::string& path);

/// Lower-case hex of bytes, and back (InputError on odd length or non-hex).
std::string toHex(const std::string& bytes);
std::string fromHex(const std::string& hex, const std::string& source);

}  // namespace gwb
