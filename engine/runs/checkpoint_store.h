// The checkpoints/ folder of a run directory (CONTRACTS.md), made crash-safe: a checkpoint is one
// folder `ckpt-<serial>` holding the weights, the optimizer moments and the trainer state of one
// step (and a hard link of the best weights as they were then). It is written under a temporary
// name, every file and the folder fsynced, then renamed into place: the newest `ckpt-*` folder is
// always complete, and the previous one is removed only after that. The symbolic link `last`
// names it, and `last.safetensors`, `optimizer.safetensors`, `trainer_state.json` are links
// through `last`, so the paths of CONTRACTS.md always read the current complete checkpoint.
// Run directories written before (three plain files) still read. `best.safetensors` stays a plain
// file written atomically. Torch-free: the trainer serialises the tensors.
#pragma once

#include <functional>
#include <optional>
#include <string>

namespace gwb {

/// The files of one complete checkpoint.
struct CheckpointFiles {
  std::string dir;        ///< its folder ("" for the legacy layout of three plain files)
  std::string model;      ///< weights under the reference's names
  std::string optimizer;  ///< exp_avg.<name>, exp_avg_sq.<name>
  std::string state;      ///< trainer_state.json
  std::string best;       ///< the best weights kept with it ("" if none existed then)
};

class CheckpointStore {
 public:
  /// `checkpoints_dir`: <run>/checkpoints (need not exist yet).
  explicit CheckpointStore(std::string checkpoints_dir);

  /// The newest complete checkpoint, if any.
  std::optional<CheckpointFiles> latest() const;

  /// Removes what a crash can leave behind: temporary files and folders, and complete
  /// checkpoints older than the newest; points `last` and its links at the newest. Returns the
  /// number of entries removed.
  int clean() const;

  /// Writes a new checkpoint: `fill` writes model, optimizer and state (their paths in the
  /// argument) with writeFileSynced into a fresh temporary folder; then the checkpoint becomes
  /// current in one rename and the older one is removed. On any error (a full disk) the
  /// temporary folder is removed, the previous checkpoint stays current, and the error propagates.
  CheckpointFiles commit(const std::function<void(const CheckpointFiles& files)>& fill);

  /// checkpoints/best.safetensors.
  std::string bestPath() const { return dir_ + "/best.safetensors"; }

  /// Makes best.safetensors what it was when `checkpoint` was written (a kill between a new best
  /// and the next checkpoint leaves a best from steps the resumed run will redo).
  void restoreBest(const CheckpointFiles& checkpoint) const;

  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
};

}  // namespace gwb
