// flock on <run>/run.lock plus an in-process registry.
#include "engine/runs/run_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <set>

#include "engine/util/error.h"

namespace gwb {
namespace {

constexpr const char* kLockFile = "/run.lock";

std::mutex& registryMutex() {
  static std::mutex m;
  return m;
}
std::set<std::string>& registry() {
  static std::set<std::string> held;
  return held;
}

std::string keyOf(const std::string& run_dir) {
  std::error_code ec;
  const auto canonical = std::filesystem::weakly_canonical(run_dir, ec);
  return ec ? run_dir : canonical.string();
}

std::string readHolder(int fd) {
  char text[256] = {};
  const ssize_t n = ::pread(fd, text, sizeof text - 1, 0);
  std::string holder = n > 0 ? std::string(text, static_cast<std::size_t>(n)) : "";
  while (!holder.empty() && (holder.back() == '\n' || holder.back() == ' ')) holder.pop_back();
  return holder.empty() ? "another process" : "pid " + holder;
}

}  // namespace

RunLock::RunLock(const std::string& run_dir) : key_(keyOf(run_dir)) {
  {
    const std::lock_guard<std::mutex> lock(registryMutex());
    if (!registry().insert(key_).second) {
      throw InputError({run_dir}, expectedGot("a run directory no other trainer is training",
                                              "one trained by this process already"));
    }
  }
  const std::string path = run_dir + kLockFile;
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  const auto release = [&](const std::string& got) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    const std::lock_guard<std::mutex> lock(registryMutex());
    registry().erase(key_);
    throw InputError({run_dir}, expectedGot("a run directory no other trainer is training", got));
  };
  if (fd_ < 0) release(std::string("no lock file (") + std::strerror(errno) + ")");
  // isHeld() probes with a shared lock for a moment: retry briefly before calling it taken.
  int rc = -1;
  for (int attempt = 0; attempt < 10; ++attempt) {
    rc = ::flock(fd_, LOCK_EX | LOCK_NB);
    if (rc == 0 || errno != EWOULDBLOCK) break;
    ::usleep(20000);
  }
  if (rc != 0) {
    release(errno == EWOULDBLOCK ? "one held by " + readHolder(fd_)
                                 : std::string("no lock (") + std::strerror(errno) + ")");
  }
  char host[128] = {};
  ::gethostname(host, sizeof host - 1);
  const std::string holder = std::to_string(::getpid()) + " " + host + "\n";
  if (::ftruncate(fd_, 0) == 0) {
    [[maybe_unused]] const ssize_t n = ::pwrite(fd_, holder.data(), holder.size(), 0);
  }
}

RunLock::~RunLock() {
  if (fd_ >= 0) {
    [[maybe_unused]] const int rc = ::ftruncate(fd_, 0);
    ::close(fd_);  // releases the flock
  }
  const std::lock_guard<std::mutex> lock(registryMutex());
  registry().erase(key_);
}

bool RunLock::isHeld(const std::string& run_dir, std::string* holder) {
  {
    const std::lock_guard<std::mutex> lock(registryMutex());
    if (registry().count(keyOf(run_dir))) {
      if (holder) *holder = "pid " + std::to_string(::getpid()) + " (this process)";
      return true;
    }
  }
  const std::string path = run_dir + kLockFile;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool held = ::flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
  if (held && holder) *holder = readHolder(fd);
  ::close(fd);
  return held;
}

}  // namespace gwb
