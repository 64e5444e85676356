// A runs folder followed incrementally: the run directories directly under it (made by the
// workbench, by gwb here or on another machine of a shared file system; never its sweeps/ and
// studies/ folders or the staging folders of a run being created), each read by a light
// RunReader. refresh() lists the folder, drops what vanished and polls each run, which stats its
// files and reads only what changed: with a thousand finished runs a refresh costs a few thousand
// stat calls. What the Runs tab shows (from a worker thread), `gwb report` and studies read.
// Torch-free, Qt-free; one thread at a time.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/runs/run_reader.h"

namespace gwb {

/// Whether a folder under a runs folder may be a run directory (not sweeps/, studies/, a hidden
/// or a staging folder).
bool isRunFolderName(const std::string& name);

class RunFolder {
 public:
  explicit RunFolder(std::string dir);

  struct Changes {
    std::vector<std::string> changed;  ///< run directories added or whose record changed
    std::vector<std::string> removed;  ///< run directories that vanished
    bool any() const { return !changed.empty() || !removed.empty(); }
  };
  /// Lists the folder and polls every run.
  Changes refresh();
  /// The records, newest first (by the time in the folder name, then the folder's name).
  std::vector<const RunRecord*> records() const;
  const RunRecord* record(const std::string& dir) const;
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
  std::map<std::string, std::unique_ptr<RunReader>> readers_;  // by absolute run directory
};

/// Every run directory under `dir` read once (full, not light): `gwb report` of a folder.
std::vector<RunRecord> readRunFolder(const std::string& dir);

}  // namespace gwb
