// FileLock over flock(2).
#include "engine/catalog/file_lock.h"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <thread>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include "engine/catalog/verify.h"
#include "engine/util/error.h"

namespace gwb {

FileLock::FileLock(std::string path) : path_(std::move(path)) {
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path_).parent_path(), ec);
  fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    throw InputError({path_}, expectedGot("a lock file that can be created", std::strerror(errno)));
  }
}

FileLock::~FileLock() {
  unlock();
  if (fd_ >= 0) ::close(fd_);
}

bool FileLock::tryLock() {
  if (locked_) return true;
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK || errno == EINTR) return false;
    throw InputError({path_}, expectedGot("a lock", std::strerror(errno)));
  }
  locked_ = true;
  const std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd_, 0) == 0) {
    [[maybe_unused]] const ssize_t n = ::pwrite(fd_, pid.data(), pid.size(), 0);
  }
  return true;
}

void FileLock::lock(const std::function<void(const std::string&)>& on_wait,
                    const std::atomic<bool>* cancel) {
  if (tryLock()) return;
  if (on_wait) {
    char buf[32] = {};
    const ssize_t n = ::pread(fd_, buf, sizeof buf - 1, 0);
    std::string holder(buf, n > 0 ? static_cast<std::size_t>(n) : 0);
    while (!holder.empty() && (holder.back() == '\n' || holder.back() == ' ')) holder.pop_back();
    on_wait(holder);
  }
  while (!tryLock()) {
    if (cancel && cancel->load()) throw Cancelled("cancelled while waiting for " + path_);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

void FileLock::unlock() {
  if (!locked_) return;
  ::flock(fd_, LOCK_UN);
  locked_ = false;
}

}  // namespace gwb
