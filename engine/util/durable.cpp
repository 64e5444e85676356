// Write scopes, synced writes and the write-fault hook.
#include "engine/util/durable.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <mutex>

#include "engine/util/error.h"

namespace gwb {
namespace {

std::atomic<int> g_open_scopes{0};
std::atomic<int> g_exit_code{-1};

std::atomic<long> g_fault_countdown{0};  // > 0: fail when it reaches 0
std::atomic<long> g_writes{0};
std::atomic<int> g_fault_errno{ENOSPC};
std::once_flag g_fault_env;

void arm(long nth, int error) {
  g_fault_errno.store(error);
  g_fault_countdown.store(nth > 0 ? nth : 0);
}

void readFaultEnvironment() {
  if (const char* n = std::getenv("GWB_FAULT_WRITE")) {
    const long nth = std::strtol(n, nullptr, 10);
    int error = ENOSPC;
    if (const char* e = std::getenv("GWB_FAULT_WRITE_ERRNO")) error = std::atoi(e);
    if (nth > 0) arm(nth, error);
  }
}

[[noreturn]] void fail(const std::string& path, const std::string& what, int error) {
  throw InputError({path}, expectedGot(what, std::strerror(error)));
}

}  // namespace

WriteScope::WriteScope() noexcept { g_open_scopes.fetch_add(1); }

WriteScope::~WriteScope() {
  if (g_open_scopes.fetch_sub(1) == 1) {
    const int code = g_exit_code.load();
    if (code >= 0) _exit(code);
  }
}

void exitWhenWritesDone(int code) noexcept {
  g_exit_code.store(code);
  if (g_open_scopes.load() == 0) _exit(code);
}

long durableWriteCount() noexcept { return g_writes.load(); }

int injectedWriteError() noexcept {
  std::call_once(g_fault_env, readFaultEnvironment);
  g_writes.fetch_add(1);
  long left = g_fault_countdown.load();
  while (left > 0) {
    if (g_fault_countdown.compare_exchange_weak(left, left - 1)) {
      return left == 1 ? g_fault_errno.load() : 0;
    }
  }
  return 0;
}

void setWriteFault(long nth, int error) {
  std::call_once(g_fault_env, [] {});  // an explicit setting wins over the environment
  arm(nth, error);
}

void writeAll(int fd, std::string_view bytes, const std::string& path) {
  if (const int injected = injectedWriteError()) fail(path, "a successful write", injected);
  std::size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail(path, "a successful write", errno);
    }
    written += static_cast<std::size_t>(n);
  }
}

void writeFileSynced(const std::string& path, std::string_view bytes) {
  const WriteScope scope;
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) fail(path, "a new file", errno);
  try {
    writeAll(fd, bytes, path);
  } catch (...) {
    ::close(fd);
    throw;
  }
  if (::fsync(fd) != 0) {
    const int error = errno;
    ::close(fd);
    fail(path, "a successful flush", error);
  }
  if (::close(fd) != 0) fail(path, "a successful close", errno);
}

void syncDirectory(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) fail(dir, "a folder to sync", errno);
  const int rc = ::fsync(fd);
  const int error = errno;
  ::close(fd);
  // Some file systems (tmpfs on old kernels, some FUSE) refuse fsync on folders: nothing to lose.
  if (rc != 0 && error != EINVAL && error != ENOTSUP) fail(dir, "a synced folder", error);
}

}  // namespace gwb
