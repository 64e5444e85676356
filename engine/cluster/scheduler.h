// How many runs of a sweep train at once on one device: `gwb speedrun --jobs auto` and the GUI
// queue's "auto". On a CPU one (concurrent runs only split its cores); on a GPU as many as fit in
// the free memory given the largest run's footprint, measured by a few real steps where possible
// and estimated from the shapes otherwise. Torch-free.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/config/run_config.h"

namespace gwb {

struct DeviceCapacity {
  bool cuda = false;
  std::int64_t free_bytes = 0;  ///< free device memory (CUDA)
};

/// Runs to train at once: 1 on a CPU; on CUDA floor(headroom x free / largest footprint), at
/// least 1, at most `max_jobs` and the number of runs.
int decideJobs(const DeviceCapacity& device, const std::vector<std::int64_t>& footprints,
               int max_jobs = 8, double headroom = 0.85);

/// Bytes a run of `config` needs while training, from its shapes: weights, gradients and the two
/// AdamW moments (fp32), the logits with their softmax and gradient, and the activations kept for
/// the backward pass of every block (a frozen backbone's weights and transient activations too).
/// `config` must be resolved (vocab_size, max_len set). Saturates instead of overflowing.
std::int64_t estimateFootprint(const RunConfig& config, bool bf16);

/// Memory a new run on this machine's CPU can use now: Linux's MemAvailable, bounded by
/// RLIMIT_AS / RLIMIT_DATA; 0 if unknown.
std::int64_t hostMemoryAvailable();

/// The problem, if a training step of `config` is estimated to need more than 90% of `available`
/// bytes of `device` ("CPU", "CUDA"): a clear error before anything is allocated (on Linux an
/// over-large allocation is usually killed, not refused). Names the dominant key. None if it fits
/// or `available` is 0 (unknown).
std::optional<ConfigProblem> memoryProblem(const RunConfig& config, bool bf16,
                                           std::int64_t available, const std::string& device);

}  // namespace gwb
