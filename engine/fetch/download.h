// The downloader of the data manager: one catalogue file from its mirrors, in order, into a
// partial file that survives interruptions (HTTP Range resumes it; a server that ignores Range
// makes it start again from zero), then checked: the size first, then SHA-256. A file that fails
// either is deleted. Connect and low-speed timeouts, retries with back-off, proxies from the usual
// environment variables (libcurl reads http_proxy, https_proxy, ALL_PROXY, NO_PROXY), a
// User-Agent of the workbench's own. libcurl where the build has it (GWB_HAVE_CURL); otherwise
// downloadFile says what is missing. Torch-free, Qt-free.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

#include "engine/catalog/catalog.h"

namespace gwb {

/// Where a download stands, for progress bars and lines.
struct DownloadProgress {
  std::string file;           ///< CatalogFile::fileName()
  std::string url;            ///< the URL being read
  std::int64_t received = 0;  ///< bytes of the file on disk so far (resumed bytes included)
  std::int64_t total = 0;     ///< the file's pinned size
  double bytes_per_s = 0;     ///< rate of the current transfer (0: not known yet)
  double eta_s = -1;          ///< seconds left at that rate (-1: not known)
};

struct DownloadOptions {
  long connect_timeout_s = 30;  ///< to set up a connection
  long stall_timeout_s = 60;    ///< abort a transfer below kLowSpeedBytesPerS for this long
  int retries = 3;              ///< further attempts on one URL after a transient failure
  long backoff_ms = 1000;       ///< wait before the first retry; doubled after each
  std::string user_agent;       ///< "" = defaultUserAgent()
  const std::atomic<bool>* cancel = nullptr;  ///< set: stop soon, keeping the partial file
  std::function<void(const DownloadProgress&)> progress;  ///< a few times a second at most
  std::function<void(const std::string&)> log;            ///< lines for people
};

/// A transfer slower than this (bytes per second) for stall_timeout_s is abandoned.
constexpr long kLowSpeedBytesPerS = 1024;

/// The defaults, with test and user overrides from the environment: GWB_FETCH_CONNECT_TIMEOUT_S,
/// GWB_FETCH_STALL_TIMEOUT_S, GWB_FETCH_RETRIES, GWB_FETCH_BACKOFF_MS (non-negative integers;
/// anything else is an InputError naming the variable).
DownloadOptions downloadOptionsFromEnvironment();

/// "grassmann-workbench/<version> (data manager)": some mirrors refuse libraries' default agents.
std::string defaultUserAgent();

/// True if this build has libcurl.
bool downloadsAvailable();

struct DownloadResult {
  std::string path;  ///< `done_path`
  std::string url;   ///< the catalogue URL that gave it (before any redirect)
};

/// Downloads `file` into `part_path`, resuming what is there, trying its URLs in order (each a few
/// times for transient failures: dropped connections, stalls, 5xx), and on success renames it to
/// `done_path` (which, if it already holds the verified file, is returned at once). Throws
/// InputError (exit 2) naming every URL tried and what it gave, with the expected and received
/// size and SHA-256 where a download was complete but wrong (it is deleted); Cancelled when
/// `options.cancel` was set (the partial file stays for the next attempt).
DownloadResult downloadFile(const CatalogFile& file, const std::string& part_path,
                            const std::string& done_path, const DownloadOptions& options);

}  // namespace gwb
