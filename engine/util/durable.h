// What keeps a run's files whole when the process is stopped, killed or the disk fills up: write
// scopes that a deliberate exit (a second Ctrl-C) waits for, fsync of files and folders, and the
// fault-injection hook that the crash tests use (GWB_FAULT_WRITE=N fails the N-th durable write
// with ENOSPC, as a full disk would). Torch-free, Qt-free; every function is thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace gwb {

/// Marks a write that must not be cut by a deliberate exit. While any scope is open,
/// exitWhenWritesDone() waits; the last scope to close performs the exit.
class WriteScope {
 public:
  WriteScope() noexcept;
  ~WriteScope();
  WriteScope(const WriteScope&) = delete;
  WriteScope& operator=(const WriteScope&) = delete;
};

/// Async-signal-safe: `_exit(code)` now if no WriteScope is open, else as soon as the last one
/// closes. What a second SIGINT/SIGTERM calls.
void exitWhenWritesDone(int code) noexcept;

/// Writes all of `bytes` to the open descriptor `fd` (EINTR retried). Throws InputError naming
/// `path` with the system's reason (e.g. "No space left on device").
void writeAll(int fd, std::string_view bytes, const std::string& path);

/// Writes `bytes` to a new file `path` (it must not exist) and fsyncs it; for files inside a
/// folder that becomes current as a whole (a checkpoint). Throws InputError.
void writeFileSynced(const std::string& path, std::string_view bytes);

/// fsync of a folder: makes the creations, renames and removals in it durable. Throws InputError.
void syncDirectory(const std::string& dir);

/// Fault injection for tests: the error number the next durable write must fail with (0: none).
/// Counts every call; GWB_FAULT_WRITE=N (environment) or setWriteFault(N) make the N-th call from
/// then on return ENOSPC (GWB_FAULT_WRITE_ERRNO chooses another).
int injectedWriteError() noexcept;
/// Arms the hook: the `nth` durable write from now fails with `error` (nth 0 disarms it).
void setWriteFault(long nth, int error);
/// Durable writes so far in this process (what a fault-injection test enumerates).
long durableWriteCount() noexcept;

}  // namespace gwb
