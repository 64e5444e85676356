// Child processes with pipes and a deadline.
#include "engine/util/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

extern char** environ;

namespace gwb {
namespace {

using Clock = std::chrono::steady_clock;

bool isExecutable(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

// Reads what is available on `fd` into `into`; false once the pipe is closed.
bool drain(int fd, std::string& into) {
  char buffer[8192];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n > 0) {
      into.append(buffer, static_cast<std::size_t>(n));
      continue;
    }
    if (n == 0) return false;
    if (errno == EINTR) continue;
    return errno == EAGAIN || errno == EWOULDBLOCK;
  }
}

// Waits up to `seconds` for `pid`; true once it has been reaped into `status`.
bool reap(pid_t pid, int& status, double seconds) {
  const auto until = Clock::now() + std::chrono::duration<double>(seconds);
  for (;;) {
    const pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid || (r < 0 && errno != EINTR)) return true;
    if (Clock::now() >= until) return false;
    ::usleep(10000);
  }
}

}  // namespace

std::string findOnPath(const std::string& program) {
  if (program.empty()) return {};
  if (program.find('/') != std::string::npos) return isExecutable(program) ? program : "";
  const char* path = std::getenv("PATH");
  const std::string dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
  std::size_t start = 0;
  for (;;) {
    const std::size_t end = dirs.find(':', start);
    std::string dir =
        dirs.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (dir.empty()) dir = ".";
    const std::string candidate = dir + "/" + program;
    if (isExecutable(candidate)) return candidate;
    if (end == std::string::npos) return {};
    start = end + 1;
  }
}

ChildResult runChild(const std::vector<std::string>& argv, double timeout_s,
                     const ChildWatch& watch) {
  ChildResult result;
  const auto start = Clock::now();
  const std::string program = argv.empty() ? std::string() : findOnPath(argv.front());
  if (program.empty()) {
    result.not_found = true;
    return result;
  }
  int out_pipe[2], err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0)
    throw std::runtime_error("pipe: " + std::string(std::strerror(errno)));
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) {
    ::close(out_pipe[0]);
    ::close(out_pipe[1]);
    throw std::runtime_error("pipe: " + std::string(std::strerror(errno)));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  sigaddset(&defaults, SIGINT);
  sigaddset(&defaults, SIGTERM);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  const int spawned = ::posix_spawn(&pid, program.c_str(), &actions, &attr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  if (spawned != 0) {
    ::close(out_pipe[0]);
    ::close(err_pipe[0]);
    result.not_found = spawned == ENOENT || spawned == EACCES || spawned == ENOEXEC;
    if (!result.not_found)
      throw std::runtime_error("cannot start " + program + ": " + std::strerror(spawned));
    return result;
  }
  for (int fd : {out_pipe[0], err_pipe[0]}) ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);

  const auto deadline = start + std::chrono::duration<double>(timeout_s);
  bool out_open = true, err_open = true, watched = !watch.check;
  while (out_open || err_open) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) {
      result.timed_out = true;
      break;
    }
    if (!watched && std::chrono::duration<double>(Clock::now() - start).count() >= watch.after_s) {
      watched = true;
      result.aborted = watch.check();
      if (!result.aborted.empty()) break;
    }
    pollfd fds[2];
    nfds_t n = 0;
    if (out_open) fds[n++] = {out_pipe[0], POLLIN, 0};
    if (err_open) fds[n++] = {err_pipe[0], POLLIN, 0};
    const int ready = ::poll(fds, n, static_cast<int>(std::min<long long>(left, 200)));
    if (ready < 0 && errno != EINTR) break;
    for (nfds_t i = 0; i < n; ++i) {
      if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      const bool is_out = fds[i].fd == out_pipe[0];
      if (!drain(fds[i].fd, is_out ? result.out : result.err))
        (is_out ? out_open : err_open) = false;
    }
  }
  int status = 0;
  if (result.timed_out || !result.aborted.empty()) {
    ::kill(-pid, SIGTERM);
    if (!reap(pid, status, 1.0)) {
      ::kill(-pid, SIGKILL);
      reap(pid, status, 5.0);
    }
    drain(out_pipe[0], result.out);
    drain(err_pipe[0], result.err);
  } else {
    const double left_s = timeout_s - std::chrono::duration<double>(Clock::now() - start).count();
    if (!reap(pid, status, std::max(0.5, left_s))) {  // closed its output, did not exit in time
      result.timed_out = true;
      ::kill(-pid, SIGKILL);
      reap(pid, status, 5.0);
    }
  }
  ::close(out_pipe[0]);
  ::close(err_pipe[0]);
  if (!result.timed_out && result.aborted.empty() && WIFEXITED(status))
    result.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
  result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return result;
}

}  // namespace gwb
