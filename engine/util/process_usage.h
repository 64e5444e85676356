// This process's CPU time and resident memory, as `top` shows them: from /proc/self/stat (utime +
// stime) and /proc/self/statm (resident pages) on Linux, getrusage elsewhere (CPU time and peak
// memory). The window samples it beside the runs' throughput. Torch-free, Qt-free.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace gwb {

struct ProcessSample {
  double cpu_seconds = 0;      ///< user + system time of every thread so far
  std::int64_t rss_bytes = 0;  ///< resident set size now (peak where only that is known)
};

/// utime + stime of a /proc/<pid>/stat line in seconds (fields 14 and 15 in clock ticks, counted
/// after the command's closing parenthesis, which may itself hold spaces and parentheses).
std::optional<double> parseProcStatCpuSeconds(const std::string& stat, long ticks_per_second);
/// Resident bytes of a /proc/<pid>/statm line (its second field, in pages).
std::optional<std::int64_t> parseProcStatmRssBytes(const std::string& statm, long page_size);

/// This process now.
ProcessSample sampleThisProcess();

/// CPU use between samples: 100 % is one core busy for the whole interval.
class ProcessUsage {
 public:
  /// Takes a sample at `now_s` (a steady clock's seconds); true when a rate is known (from the
  /// second sample on).
  bool sample(double now_s);
  bool sample(double now_s, const ProcessSample& s);
  double cpuPercent() const { return cpu_percent_; }
  std::int64_t rssBytes() const { return rss_bytes_; }

 private:
  bool has_last_ = false;
  double last_time_ = 0, last_cpu_ = 0;
  double cpu_percent_ = 0;
  std::int64_t rss_bytes_ = 0;
};

}  // namespace gwb
