// Writing and reading a run's checkpoints (CONTRACTS.md "Run directory"): the weights under the
// reference's names, the AdamW moments and the trainer state of one step, written as one unit
// through CheckpointStore (checkpoint_store.h: temporary folder, fsync, one rename), each
// safetensors file carrying its step in __metadata__; and the best weights. Reading validates
// that the three files describe the same step before anything is changed.
#pragma once

#include <torch/torch.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/runs/checkpoint_store.h"
#include "engine/runs/run_dir.h"
#include "engine/train/adamw.h"

namespace gwb {

using NamedTensors = std::vector<std::pair<std::string, torch::Tensor>>;

/// Writes a checkpoint of `params`, `optimizer`'s moments and `state` (its step names it).
CheckpointFiles writeCheckpoint(CheckpointStore& store, const NamedTensors& params,
                                const AdamW& optimizer, const TrainerState& state);

/// Reads the newest complete checkpoint of `store` into `params` and `optimizer` and returns its
/// trainer state; nullopt if the run has none yet. InputError (nothing on disk changes) if its
/// files are damaged or describe different steps.
std::optional<TrainerState> readCheckpoint(const CheckpointStore& store, const NamedTensors& params,
                                           AdamW& optimizer, CheckpointFiles* files = nullptr);

/// Writes best.safetensors (atomically) with `metadata`.
void writeBestWeights(const CheckpointStore& store, const NamedTensors& params,
                      const std::map<std::string, std::string>& metadata);

}  // namespace gwb
