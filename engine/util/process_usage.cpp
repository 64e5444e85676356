// ProcessUsage.
#include "engine/util/process_usage.h"

#include <sys/resource.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

namespace gwb {
namespace {

std::string readSmallFile(const char* path) {
  std::ifstream in(path);
  if (!in) return {};
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

std::optional<double> parseProcStatCpuSeconds(const std::string& stat, long ticks_per_second) {
  const std::size_t close = stat.rfind(')');
  if (close == std::string::npos || ticks_per_second <= 0) return std::nullopt;
  // After ")": state (field 3), then fields 4..; utime and stime are fields 14 and 15.
  std::istringstream rest(stat.substr(close + 1));
  std::string field;
  double utime = -1, stime = -1;
  for (int index = 3; rest >> field && index <= 15; ++index) {
    try {
      if (index == 14) utime = std::stod(field);
      if (index == 15) stime = std::stod(field);
    } catch (const std::exception&) {
      return std::nullopt;
    }
  }
  if (utime < 0 || stime < 0) return std::nullopt;
  return (utime + stime) / static_cast<double>(ticks_per_second);
}

std::optional<std::int64_t> parseProcStatmRssBytes(const std::string& statm, long page_size) {
  std::istringstream in(statm);
  long long size = -1, resident = -1;
  if (!(in >> size >> resident) || resident < 0 || page_size <= 0) return std::nullopt;
  return static_cast<std::int64_t>(resident) * page_size;
}

ProcessSample sampleThisProcess() {
  ProcessSample s;
  const auto cpu = parseProcStatCpuSeconds(readSmallFile("/proc/self/stat"), sysconf(_SC_CLK_TCK));
  const auto rss = parseProcStatmRssBytes(readSmallFile("/proc/self/statm"), sysconf(_SC_PAGESIZE));
  rusage usage{};
  const bool has_usage = getrusage(RUSAGE_SELF, &usage) == 0;
  if (cpu) {
    s.cpu_seconds = *cpu;
  } else if (has_usage) {
    s.cpu_seconds = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                    1e-6 * static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec);
  }
  if (rss) {
    s.rss_bytes = *rss;
  } else if (has_usage) {
    s.rss_bytes = static_cast<std::int64_t>(usage.ru_maxrss) * 1024;  // kilobytes on Linux
  }
  return s;
}

bool ProcessUsage::sample(double now_s) { return sample(now_s, sampleThisProcess()); }

bool ProcessUsage::sample(double now_s, const ProcessSample& s) {
  rss_bytes_ = s.rss_bytes;
  const bool rate = has_last_ && now_s > last_time_;
  if (rate) cpu_percent_ = 100 * (s.cpu_seconds - last_cpu_) / (now_s - last_time_);
  has_last_ = true;
  last_time_ = now_s;
  last_cpu_ = s.cpu_seconds;
  return rate;
}

}  // namespace gwb
