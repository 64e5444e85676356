// Running another program and reading what it printed: argv looked up on $PATH, stdin from
// /dev/null, stdout and stderr collected separately, a deadline after which its whole process
// group is killed. POSIX only (posix_spawn, poll); safe to call from any thread. No Qt, no torch.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace gwb {

/// What a child process gave back.
struct ChildResult {
  int exit_code = -1;      ///< its exit status; -1 if it did not exit normally (or never ran)
  int signal = 0;          ///< the signal that ended it, if one did
  bool not_found = false;  ///< argv[0] is not an executable on $PATH: nothing ran
  bool timed_out = false;  ///< killed at the deadline
  std::string aborted;     ///< killed because the watch said why (see ChildWatch)
  std::string out, err;    ///< everything it wrote to stdout and stderr
  double seconds = 0;      ///< wall time until it ended

  bool ok() const { return exit_code == 0 && !timed_out && aborted.empty(); }
};

/// A second opinion on a child that takes long: asked once, if it still runs after `after_s`
/// seconds; a non-empty answer (why waiting is pointless) kills it like the deadline does.
struct ChildWatch {
  double after_s = 0;
  std::function<std::string()> check;
};

/// Runs `argv` and waits up to `timeout_s` seconds for it. The child leads a process group of its
/// own; at the deadline (or when `watch` says so) the group gets SIGTERM, then SIGKILL a second
/// later. Throws
/// std::runtime_error only if the system refuses to start processes (pipes, fork).
ChildResult runChild(const std::vector<std::string>& argv, double timeout_s,
                     const ChildWatch& watch = {});

/// The executable `program` resolves to: itself if it contains a '/', else the first match on
/// $PATH; "" if there is none.
std::string findOnPath(const std::string& program);

}  // namespace gwb
