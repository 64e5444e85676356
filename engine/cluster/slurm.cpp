// SLURM tools: parsing and invocation.
#include "engine/cluster/slurm.h"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "engine/util/child_process.h"
#include "engine/util/error.h"

namespace gwb::cluster {
namespace {

std::string trim(const std::string& s) {
  const auto begin = s.find_first_not_of(" \t\r\n");
  if (begin == std::string::npos) return {};
  return s.substr(begin, s.find_last_not_of(" \t\r\n") - begin + 1);
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> parts;
  std::string part;
  std::istringstream in(s);
  while (std::getline(in, part, sep)) parts.push_back(part);
  if (!s.empty() && s.back() == sep) parts.emplace_back();
  return parts;
}

bool parseInt(const std::string& text, std::int64_t& value) {
  if (text.empty() || text.size() > 18) return false;
  for (const char c : text) {
    if (c < '0' || c > '9') return false;
  }
  value = std::stoll(text);
  return true;
}

std::string commandLine(const std::vector<std::string>& argv) {
  std::string out;
  for (const std::string& a : argv) out += (out.empty() ? "" : " ") + a;
  return out;
}

// The tool's stderr (else stdout) as one line for a message.
std::string said(const ChildResult& r) {
  std::string text = trim(r.err.empty() ? r.out : r.err);
  std::replace(text.begin(), text.end(), '\n', ' ');
  if (text.size() > 600) text = text.substr(0, 600) + "...";
  return text.empty() ? "nothing on stderr" : text;
}

// InputError unless `tool` is an executable on $PATH.
void requireTool(const std::string& tool) {
  if (!findOnPath(tool).empty()) return;
  const char* path = std::getenv("PATH");
  throw InputError(
      {tool}, expectedGot("the SLURM command " + tool + " on PATH (Debian package slurm-client)",
                          "none on PATH=" + std::string(path ? path : "")));
}

// Runs a SLURM tool; InputError if it is missing or does not answer in time. Non-zero exits are
// the caller's to judge.
ChildResult runTool(const std::vector<std::string>& argv, const ClientOptions& options) {
  ChildWatch watch;
  if (options.probe_after_s > 0) {
    watch.after_s = options.probe_after_s;
    watch.check = [] { return probeController(); };
  }
  const ChildResult r = runChild(argv, options.timeout_s, watch);
  if (r.not_found) requireTool(argv.front());
  if (!r.aborted.empty()) {
    const char* conf = std::getenv("SLURM_CONF");
    throw InputError({conf && *conf ? conf : "/etc/slurm/slurm.conf", 0, "SlurmctldHost"},
                     expectedGot("a slurmctld accepting connections",
                                 r.aborted + " (is the controller down?); " + argv.front() +
                                     " was waiting for it"));
  }
  if (r.timed_out) {
    char seconds[32];
    std::snprintf(seconds, sizeof seconds, "%.0f", options.timeout_s);
    throw InputError({commandLine(argv)},
                     expectedGot(std::string("an answer within ") + seconds + " s",
                                 "none, so it was killed (is slurmctld up and reachable?); it "
                                 "said: " +
                                     said(r)));
  }
  return r;
}

void failed(const std::vector<std::string>& argv, const ChildResult& r) {
  throw InputError(
      {commandLine(argv)},
      expectedGot("exit status 0", "exit status " + std::to_string(r.exit_code) + ": " + said(r)));
}

bool unknownJob(const ChildResult& r) { return r.err.find("Invalid job id") != std::string::npos; }

// Connects to host:port within timeout_s; "" on success, else what went wrong.
std::string tryConnect(const std::string& host, const std::string& port, double timeout_s) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (const int rc = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &found); rc != 0) {
    return host + ":" + port + ": " + ::gai_strerror(rc);
  }
  std::string problem = host + ":" + port + ": no address";
  for (addrinfo* a = found; a; a = a->ai_next) {
    const int fd =
        ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol);
    if (fd < 0) continue;
    int err = 0;
    if (::connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
      err = errno;
      if (err == EINPROGRESS) {
        pollfd p{fd, POLLOUT, 0};
        if (::poll(&p, 1, static_cast<int>(timeout_s * 1000)) == 1) {
          socklen_t len = sizeof err;
          ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
        } else {
          err = ETIMEDOUT;
        }
      }
    }
    ::close(fd);
    if (err == 0) {
      ::freeaddrinfo(found);
      return {};
    }
    problem = host + ":" + port + " " +
              (err == ECONNREFUSED ? std::string("refused the connection") : std::strerror(err));
  }
  ::freeaddrinfo(found);
  return problem;
}

}  // namespace

std::string parseSbatchParsable(const std::string& out) {
  const std::string line = trim(out.substr(0, out.find('\n')));
  const std::string id = line.substr(0, line.find(';'));
  std::int64_t value = 0;
  if (!parseInt(id, value)) {
    throw InputError({"sbatch --parsable"},
                     expectedGot("a job id", "\"" + quoteForMessage(out) + "\""));
  }
  return id;
}

std::vector<JobState> parseSqueue(const std::string& out) {
  std::vector<JobState> jobs;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);) {
    const std::vector<std::string> f = split(trim(line), '|');
    if (f.size() < 4) continue;
    JobState j;
    j.array_job_id = f[0];
    std::int64_t task = -1;
    j.task = parseInt(f[1], task) ? task : -1;
    j.job_id = f[2];
    j.state = f[3];
    if (f.size() > 4 && f[4] != "None") j.reason = f[4];
    if (f.size() > 5) j.node = f[5];
    if (j.array_job_id.empty()) continue;
    jobs.push_back(j);
  }
  return jobs;
}

std::vector<JobState> parseScontrolJobs(const std::string& out) {
  std::vector<JobState> jobs;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);) {
    // KEY=VALUE words; a word without '=' continues the previous value (values with spaces).
    std::map<std::string, std::string> kv;
    std::string last;
    std::istringstream words(line);
    for (std::string w; words >> w;) {
      const auto eq = w.find('=');
      if (eq == std::string::npos || eq == 0) {
        if (!last.empty()) kv[last] += " " + w;
        continue;
      }
      last = w.substr(0, eq);
      kv[last] = w.substr(eq + 1);
    }
    if (!kv.count("JobId") || !kv.count("JobState")) continue;
    JobState j;
    j.state = kv["JobState"];
    j.reason = kv.count("Reason") && kv["Reason"] != "None" ? kv["Reason"] : "";
    std::int64_t n = 0;
    if (kv.count("Restarts") && parseInt(kv["Restarts"], n)) j.restarts = n;
    if (kv.count("NodeList") && kv["NodeList"] != "(null)") j.node = kv["NodeList"];
    if (kv.count("ExitCode")) {
      const std::vector<std::string> code = split(kv["ExitCode"], ':');
      std::int64_t status = 0, sig = 0;
      if (!code.empty() && parseInt(code[0], status)) j.exit_code = static_cast<int>(status);
      if (code.size() > 1 && parseInt(code[1], sig)) j.exit_signal = static_cast<int>(sig);
    }
    const auto array = kv.find("ArrayJobId");
    if (array == kv.end() || !kv.count("ArrayTaskId")) {
      j.array_job_id = j.job_id = kv["JobId"];
      jobs.push_back(j);
      continue;
    }
    j.array_job_id = array->second;
    std::vector<std::int64_t> indices;
    try {
      indices = parseIndexList(kv["ArrayTaskId"], "ArrayTaskId");
    } catch (const InputError&) {
      continue;
    }
    for (const std::int64_t index : indices) {
      j.task = index;
      j.job_id = j.array_job_id + "_" + std::to_string(index);
      jobs.push_back(j);
    }
  }
  return jobs;
}

std::vector<std::int64_t> parseIndexList(const std::string& text, const std::string& what) {
  const std::string list = text.substr(0, text.find('%'));
  std::set<std::int64_t> indices;
  const auto bad = [&] {
    return InputError({"", 0, what}, expectedGot("indices such as 0-3,5", "\"" + text + "\""));
  };
  if (trim(list).empty()) throw bad();
  for (const std::string& part : split(list, ',')) {
    const auto dash = part.find('-');
    std::int64_t a = 0, b = 0;
    if (dash == std::string::npos) {
      if (!parseInt(trim(part), a)) throw bad();
      b = a;
    } else if (!parseInt(trim(part.substr(0, dash)), a) ||
               !parseInt(trim(part.substr(dash + 1)), b) || b < a || b - a > 1000000) {
      throw bad();
    }
    for (std::int64_t i = a; i <= b; ++i) indices.insert(i);
  }
  return {indices.begin(), indices.end()};
}

std::string formatIndexList(std::vector<std::int64_t> indices) {
  std::sort(indices.begin(), indices.end());
  indices.erase(std::unique(indices.begin(), indices.end()), indices.end());
  std::string out;
  for (std::size_t i = 0; i < indices.size();) {
    std::size_t j = i;
    while (j + 1 < indices.size() && indices[j + 1] == indices[j] + 1) ++j;
    out += (out.empty() ? "" : ",") + std::to_string(indices[i]);
    if (j > i) out += "-" + std::to_string(indices[j]);
    i = j + 1;
  }
  return out;
}

bool isFinalState(const std::string& state) {
  static const std::set<std::string> kFinal = {
      "BOOT_FAIL",     "CANCELLED", "COMPLETED", "DEADLINE",     "FAILED", "NODE_FAIL",
      "OUT_OF_MEMORY", "PREEMPTED", "REVOKED",   "SPECIAL_EXIT", "TIMEOUT"};
  // scontrol may add a flag ("CANCELLED by 0").
  return kFinal.count(state.substr(0, state.find(' '))) > 0;
}

std::string submitBatch(const std::string& script, const std::vector<std::string>& extra_args,
                        const ClientOptions& options) {
  std::vector<std::string> argv = {"sbatch", "--parsable"};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  argv.push_back(script);
  requireTool("sbatch");
  const ChildResult r = runTool(argv, options);
  if (r.exit_code != 0) failed(argv, r);
  return parseSbatchParsable(r.out);
}

std::vector<JobState> queryJobs(const std::vector<std::string>& job_ids,
                                const ClientOptions& options) {
  if (job_ids.empty()) return {};
  std::string list;
  for (const std::string& id : job_ids) list += (list.empty() ? "" : ",") + id;
  requireTool("squeue");
  const std::vector<std::string> squeue = {"squeue",           "-h", "-r", "-j", list, "-o",
                                           "%F|%K|%i|%T|%r|%N"};
  const ChildResult q = runTool(squeue, options);
  if (q.exit_code != 0 && !unknownJob(q)) failed(squeue, q);
  std::vector<JobState> jobs = q.exit_code == 0 ? parseSqueue(q.out) : std::vector<JobState>{};
  std::set<std::string> seen;
  for (const JobState& j : jobs) seen.insert(j.job_id);
  for (const std::string& id : job_ids) {
    const std::vector<std::string> scontrol = {"scontrol", "show", "job", "-o", id};
    const ChildResult s = runTool(scontrol, options);
    if (s.exit_code != 0) {
      if (unknownJob(s)) continue;
      failed(scontrol, s);
    }
    for (const JobState& j : parseScontrolJobs(s.out)) {
      if (seen.insert(j.job_id).second) {
        jobs.push_back(j);
      } else {  // squeue's state, scontrol's exit code and restarts
        for (JobState& k : jobs) {
          if (k.job_id != j.job_id) continue;
          k.exit_code = j.exit_code;
          k.exit_signal = j.exit_signal;
          k.restarts = j.restarts;
        }
      }
    }
  }
  return jobs;
}

void cancelJobs(const std::vector<std::string>& ids, const ClientOptions& options) {
  if (ids.empty()) return;
  std::vector<std::string> argv = {"scancel"};
  argv.insert(argv.end(), ids.begin(), ids.end());
  requireTool("scancel");
  const ChildResult r = runTool(argv, options);
  // A job that ended meanwhile is not an error.
  if (r.exit_code != 0 && !unknownJob(r) &&
      r.err.find("already completing or completed") == std::string::npos) {
    failed(argv, r);
  }
}

std::string probeController(double timeout_s) {
  const char* env = std::getenv("SLURM_CONF");
  std::ifstream in(env && *env ? env : "/etc/slurm/slurm.conf");
  if (!in) return {};
  std::vector<std::string> hosts;
  std::string port = "6817", control_addr;
  for (std::string line; std::getline(in, line);) {
    line = trim(line.substr(0, line.find('#')));
    const auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string key = trim(line.substr(0, eq));
    std::transform(key.begin(), key.end(), key.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    const std::string value = trim(line.substr(eq + 1));
    if (key == "slurmctldhost" || key == "controlmachine") {
      // name or name(address)
      const auto open = value.find('(');
      hosts.push_back(open == std::string::npos
                          ? value
                          : value.substr(open + 1, value.find(')', open) - open - 1));
    } else if (key == "controladdr") {
      control_addr = value;
    } else if (key == "slurmctldport") {
      port = value.substr(0, value.find('-'));
    }
  }
  if (!control_addr.empty()) hosts = {control_addr};
  if (hosts.empty()) return {};  // configless, or includes we do not follow: let the tools judge
  std::string problems;
  for (const std::string& host : hosts) {
    const std::string problem = tryConnect(host, port, timeout_s);
    if (problem.empty()) return {};
    problems += (problems.empty() ? "" : "; ") + problem;
  }
  return problems;
}

}  // namespace gwb::cluster
