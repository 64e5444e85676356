// An exclusive lock on a file (flock on an open descriptor), so that two fetches of one item, from
// two terminals or from the GUI and gwb, never interleave. The lock dies with its process; the
// file itself is left in place (removing it would let a third process lock a different inode).
#pragma once

#include <atomic>
#include <functional>
#include <string>

namespace gwb {

class FileLock {
 public:
  /// Opens (creating it and its folder) `path`; does not lock yet. InputError if it cannot.
  explicit FileLock(std::string path);
  ~FileLock();
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

  /// Takes the lock if it is free; writes this process's id into the file.
  bool tryLock();
  /// Takes the lock, waiting as long as another holder has it: `on_wait` (optional) is called
  /// once with the holder's process id (as written in the file, "" if unknown) before waiting;
  /// `cancel` (optional) stops the wait by throwing Cancelled.
  void lock(const std::function<void(const std::string&)>& on_wait = {},
            const std::atomic<bool>* cancel = nullptr);
  void unlock();
  bool locked() const { return locked_; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  int fd_ = -1;
  bool locked_ = false;
};

}  // namespace gwb
