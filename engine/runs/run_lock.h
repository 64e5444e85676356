// One trainer per run directory (CONTRACTS.md): the lock file `<run>/run.lock`, held with flock on
// an open descriptor, so it dies with its process (a kill -9 never leaves it stale) and is seen
// by other processes on this machine and, through the NFS lock manager, on others. Threads of one
// process (the GUI queue, a sweep's --jobs) are kept apart by a registry as well, since some file
// systems emulate flock with per-process locks. The file holds "<pid> <host>" for the message.
// Torch-free.
#pragma once

#include <string>

namespace gwb {

class RunLock {
 public:
  /// Takes the lock of `run_dir`, or throws InputError naming the holder.
  explicit RunLock(const std::string& run_dir);
  ~RunLock();
  RunLock(const RunLock&) = delete;
  RunLock& operator=(const RunLock&) = delete;

  /// Whether some trainer holds the lock of `run_dir` now; `holder` receives its "<pid> <host>".
  static bool isHeld(const std::string& run_dir, std::string* holder = nullptr);

 private:
  std::string key_;
  int fd_ = -1;
};

}  // namespace gwb
