// downloadFile over libcurl's easy interface: one transfer per attempt, the body appended to the
// partial file by our own write callback (which also enforces the pinned size and restarts from
// zero when a server answers a Range request with the whole file), then size and SHA-256.
#include <curl/curl.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <thread>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/catalog/verify.h"
#include "engine/fetch/download.h"
#include "engine/util/error.h"
#include "engine/util/file_io.h"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace gwb {
namespace {

/// What one attempt on one URL came to.
enum class Outcome {
  Complete,    ///< the transfer ended normally: check size and digest
  Retry,       ///< transient (dropped, stalled, 5xx): again after a pause, resuming
  NextMirror,  ///< this URL will not give the file (4xx, wrong size announced, ...)
  Cancelled,
};

struct Attempt {
  Outcome outcome = Outcome::Retry;
  std::string reason;         ///< for people, without the URL
  std::int64_t progress = 0;  ///< bytes written by this attempt
};

/// State shared with the callbacks of one transfer.
struct Transfer {
  CURL* curl = nullptr;
  const DownloadOptions* options = nullptr;
  const CatalogFile* file = nullptr;
  std::string url;
  int fd = -1;
  std::int64_t offset = 0;   ///< bytes in the file before this response's body
  std::int64_t written = 0;  ///< bytes of this response's body written
  bool body_started = false;
  // The current response's headers (reset at each status line: redirects have their own).
  long status = 0;
  std::string reason_phrase;
  std::int64_t content_length = -1;
  std::int64_t range_start = -1, range_total = -1;
  // Why the write callback stopped the transfer.
  std::string fatal;        ///< this URL will not do
  std::string local_error;  ///< writing to disk failed: no mirror will help
  // Progress.
  Clock::time_point started = Clock::now();
  Clock::time_point last_report{};
  std::int64_t attempt_bytes = 0;

  std::int64_t onDisk() const { return offset + written; }
};

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  const auto e = s.find_last_not_of(" \t\r\n");
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

std::size_t onHeader(char* data, std::size_t size, std::size_t count, void* user) {
  auto& t = *static_cast<Transfer*>(user);
  const std::string line(data, size * count);
  if (line.rfind("HTTP/", 0) == 0) {
    t.status = 0;
    t.reason_phrase.clear();
    t.content_length = t.range_start = t.range_total = -1;
    const auto sp = line.find(' ');
    if (sp != std::string::npos) {
      t.status = std::strtol(line.c_str() + sp + 1, nullptr, 10);
      const auto sp2 = line.find(' ', sp + 1);
      if (sp2 != std::string::npos) t.reason_phrase = trim(line.substr(sp2 + 1));
    }
    return size * count;
  }
  const auto colon = line.find(':');
  if (colon == std::string::npos) return size * count;
  const std::string name = lower(trim(line.substr(0, colon)));
  const std::string value = trim(line.substr(colon + 1));
  if (name == "content-length") {
    t.content_length = std::strtoll(value.c_str(), nullptr, 10);
  } else if (name == "content-range") {
    // "bytes START-END/TOTAL" (TOTAL may be "*").
    long long start = -1, end = -1;
    char total[32] = {};
    if (std::sscanf(value.c_str(), "bytes %lld-%lld/%31s", &start, &end, total) == 3) {
      t.range_start = start;
      t.range_total = std::strcmp(total, "*") == 0 ? -1 : std::strtoll(total, nullptr, 10);
    }
  }
  return size * count;
}

/// Checks the response once its body begins: the Range answer and the announced size.
bool startBody(Transfer& t) {
  t.body_started = true;
  long code = 0;
  curl_easy_getinfo(t.curl, CURLINFO_RESPONSE_CODE, &code);
  const std::int64_t expected = t.file->bytes;
  if (code == 206) {
    if (t.range_start != t.offset) {
      t.fatal = "asked for bytes from " + std::to_string(t.offset) + ", the server sent from " +
                std::to_string(t.range_start);
      return false;
    }
    if (t.range_total >= 0 && t.range_total != expected) {
      t.fatal = "expected " + std::to_string(expected) + " bytes, the server announced " +
                std::to_string(t.range_total) + " (Content-Range)";
      return false;
    }
    return true;
  }
  if (code != 200) {
    t.fatal = "expected HTTP 200 or 206, got HTTP " + std::to_string(code);
    return false;
  }
  if (t.offset > 0) {
    // The server ignored "Range: bytes=N-" and sends the whole file: start again from zero.
    if (::ftruncate(t.fd, 0) != 0 || ::lseek(t.fd, 0, SEEK_SET) != 0) {
      t.local_error = std::strerror(errno);
      return false;
    }
    if (t.options->log) {
      t.options->log(t.file->fileName() + ": " + t.url +
                     " ignored the Range request (HTTP 200): starting again from zero");
    }
    t.offset = 0;
  }
  if (t.content_length >= 0 && t.content_length != expected) {
    t.fatal = "expected " + std::to_string(expected) + " bytes, the server announced " +
              std::to_string(t.content_length) + " (Content-Length)";
    return false;
  }
  return true;
}

std::size_t onBody(char* data, std::size_t size, std::size_t count, void* user) {
  auto& t = *static_cast<Transfer*>(user);
  const std::size_t n = size * count;
  if (!t.body_started && !startBody(t)) return 0;
  if (t.onDisk() + static_cast<std::int64_t>(n) > t.file->bytes) {
    t.fatal = "expected " + std::to_string(t.file->bytes) + " bytes, the server sent more";
    return 0;
  }
  std::size_t done = 0;
  while (done < n) {
    const ssize_t w = ::write(t.fd, data + done, n - done);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) {
      t.local_error = std::strerror(errno);
      return 0;
    }
    done += static_cast<std::size_t>(w);
  }
  t.written += static_cast<std::int64_t>(n);
  t.attempt_bytes += static_cast<std::int64_t>(n);
  return n;
}

int onProgress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto& t = *static_cast<Transfer*>(user);
  if (t.options->cancel && t.options->cancel->load()) return 1;
  const auto now = Clock::now();
  if (t.options->progress && now - t.last_report >= std::chrono::milliseconds(250)) {
    t.last_report = now;
    DownloadProgress p;
    p.file = t.file->fileName();
    p.url = t.url;
    p.received = t.onDisk();
    p.total = t.file->bytes;
    const double seconds = std::chrono::duration<double>(now - t.started).count();
    if (seconds > 0.2 && t.attempt_bytes > 0) {
      p.bytes_per_s = static_cast<double>(t.attempt_bytes) / seconds;
      p.eta_s = static_cast<double>(p.total - p.received) / p.bytes_per_s;
    }
    t.options->progress(p);
  }
  return 0;
}

std::int64_t fileSize(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? static_cast<std::int64_t>(st.st_size) : -1;
}

void truncateFile(const std::string& path) {
  if (::truncate(path.c_str(), 0) != 0) {
    throw InputError({path}, expectedGot("a file that can be emptied", std::strerror(errno)));
  }
}

std::string httpReason(long code, const std::string& phrase) {
  return "HTTP " + std::to_string(code) + (phrase.empty() ? "" : " " + phrase);
}

Attempt attempt(const CatalogFile& file, const std::string& url, const std::string& part,
                const DownloadOptions& options) {
  Attempt a;
  std::int64_t offset = std::max<std::int64_t>(fileSize(part), 0);
  if (offset > file.bytes) {
    truncateFile(part);
    offset = 0;
  }
  if (offset == file.bytes) {
    a.outcome = Outcome::Complete;  // complete from an earlier run: only the checks are left
    return a;
  }
  Transfer t;
  t.options = &options;
  t.file = &file;
  t.url = url;
  t.offset = offset;
  t.fd = ::open(part.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (t.fd < 0) {
    throw InputError({part}, expectedGot("a writable download file", std::strerror(errno)));
  }
  std::unique_ptr<CURL, void (*)(CURL*)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) {
    ::close(t.fd);
    throw std::runtime_error("curl_easy_init failed");
  }
  t.curl = curl.get();
  char error_buffer[CURL_ERROR_SIZE] = {};
  const std::string range = std::to_string(offset) + "-";
  const std::string agent = options.user_agent.empty() ? defaultUserAgent() : options.user_agent;
  CURL* h = curl.get();
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(h, CURLOPT_MAXREDIRS, 10L);
#if LIBCURL_VERSION_NUM >= 0x075500
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#else
  curl_easy_setopt(h, CURLOPT_PROTOCOLS, static_cast<long>(CURLPROTO_HTTP | CURLPROTO_HTTPS));
  curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS, static_cast<long>(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
  curl_easy_setopt(h, CURLOPT_USERAGENT, agent.c_str());
  curl_easy_setopt(h, CURLOPT_FAILONERROR, 1L);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, options.connect_timeout_s);
  curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, kLowSpeedBytesPerS);
  curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, options.stall_timeout_s);
  curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
  if (offset > 0) curl_easy_setopt(h, CURLOPT_RANGE, range.c_str());
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, onHeader);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &t);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, onBody);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, onProgress);
  curl_easy_setopt(h, CURLOPT_XFERINFODATA, &t);
  curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
  if (offset > 0 && options.log) {
    options.log(file.fileName() + ": resuming at byte " + std::to_string(offset) + " of " +
                std::to_string(file.bytes) + " from " + url);
  }
  const CURLcode rc = curl_easy_perform(h);
  const bool synced = ::fsync(t.fd) == 0;
  ::close(t.fd);
  a.progress = t.attempt_bytes;
  if (!t.local_error.empty()) {
    throw InputError({part}, expectedGot("a successful write", t.local_error));
  }
  if (!synced && rc == CURLE_OK) {
    throw InputError({part}, expectedGot("a successful flush", std::strerror(errno)));
  }
  if (!t.fatal.empty()) {
    a.outcome = Outcome::NextMirror;
    a.reason = t.fatal;
    return a;
  }
  const std::string detail = error_buffer[0] ? error_buffer : curl_easy_strerror(rc);
  switch (rc) {
    case CURLE_OK:
      a.outcome = Outcome::Complete;
      return a;
    case CURLE_ABORTED_BY_CALLBACK:
      a.outcome = Outcome::Cancelled;
      return a;
    case CURLE_HTTP_RETURNED_ERROR: {
      long code = 0;
      curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
      a.reason = httpReason(code, t.reason_phrase);
      if (code == 416) {
        // Our partial file is longer than the server's copy: start again from zero once more.
        truncateFile(part);
        a.outcome = Outcome::Retry;
      } else if (code >= 500 || code == 408 || code == 425 || code == 429) {
        a.outcome = Outcome::Retry;
      } else {
        a.outcome = Outcome::NextMirror;
      }
      return a;
    }
    case CURLE_OPERATION_TIMEDOUT:
      a.reason = "stalled: less than " + std::to_string(kLowSpeedBytesPerS) + " bytes/s for " +
                 std::to_string(options.stall_timeout_s) + " s (" + detail + ")";
      a.outcome = Outcome::Retry;
      return a;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
    case CURLE_TOO_MANY_REDIRECTS:
    case CURLE_PEER_FAILED_VERIFICATION:
      a.reason = detail;
      a.outcome = Outcome::NextMirror;
      return a;
    default:
      // Dropped connections (CURLE_PARTIAL_FILE, CURLE_RECV_ERROR, CURLE_GOT_NOTHING), refused
      // or timed-out connects, TLS hiccups: worth another try, resuming what arrived.
      a.reason = detail;
      a.outcome = Outcome::Retry;
      return a;
  }
}

void pause(long ms, const std::atomic<bool>* cancel) {
  const auto until = Clock::now() + std::chrono::milliseconds(ms);
  while (Clock::now() < until) {
    if (cancel && cancel->load()) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(std::min<long>(ms, 50)));
  }
}

std::string sizeAndDigest(std::int64_t bytes, const std::string& sha256) {
  return std::to_string(bytes) + " bytes with sha256 " + sha256;
}

/// Null if `path` holds exactly the pinned file, else what it holds instead.
std::string checkDownload(const CatalogFile& file, const std::string& path,
                          const DownloadOptions& options) {
  const std::int64_t size = fileSize(path);
  if (size == file.bytes && options.log) options.log(file.fileName() + ": checking sha256");
  const std::string digest = sha256File(path, {}, options.cancel);
  if (size == file.bytes && digest == file.sha256) return {};
  return sizeAndDigest(size, digest);
}

}  // namespace

bool downloadsAvailable() { return true; }

DownloadResult downloadFile(const CatalogFile& file, const std::string& part_path,
                            const std::string& done_path, const DownloadOptions& options) {
  static std::once_flag init;
  std::call_once(init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  std::error_code ec;
  fs::create_directories(fs::path(part_path).parent_path(), ec);
  const std::string url_note = done_path + ".url";
  if (fileSize(done_path) == file.bytes && checkDownload(file, done_path, options).empty()) {
    std::string url = file.urls.front();
    try {
      url = trim(readFileBytes(url_note));
    } catch (const InputError&) {
    }
    return {done_path, url};
  }
  fs::remove(done_path, ec);
  const std::string expected = sizeAndDigest(file.bytes, file.sha256);
  std::string failures;
  for (const std::string& url : file.urls) {
    int failed = 0;
    long backoff = options.backoff_ms;
    std::string reason;
    for (int attempts = 0;; ++attempts) {
      if (options.cancel && options.cancel->load()) throw Cancelled(file.fileName());
      const Attempt a = attempt(file, url, part_path, options);
      if (a.outcome == Outcome::Cancelled) throw Cancelled(file.fileName());
      if (a.outcome == Outcome::Complete) {
        const std::string got = checkDownload(file, part_path, options);
        if (got.empty()) {
          if (options.progress) {
            options.progress({file.fileName(), url, file.bytes, file.bytes, 0, 0});
          }
          if (std::rename(part_path.c_str(), done_path.c_str()) != 0) {
            throw InputError({done_path}, expectedGot("a successful rename", std::strerror(errno)));
          }
          try {
            writeFileAtomic(url_note, url + "\n");
          } catch (const InputError&) {
          }
          return {done_path, url};
        }
        fs::remove(part_path, ec);
        reason = "expected " + expected + ", got " + got + " (the download was deleted)";
        break;
      }
      reason = a.reason;
      if (a.outcome == Outcome::NextMirror) break;
      // A transient failure. One that made progress starts the count again, so a connection
      // that keeps dropping still finishes, within a bound.
      failed = a.progress > 0 ? 1 : failed + 1;
      if (a.progress > 0) backoff = options.backoff_ms;
      if (failed > options.retries || attempts >= 100) break;
      if (options.log) {
        options.log(file.fileName() + ": " + url + ": " + reason + "; trying again in " +
                    std::to_string(backoff) + " ms");
      }
      pause(backoff, options.cancel);
      backoff *= 2;
    }
    if (options.log) options.log(file.fileName() + ": " + url + ": " + reason);
    failures += (failures.empty() ? "" : "; ") + url + ": " + reason;
  }
  if (fileSize(part_path) == 0) fs::remove(part_path, ec);  // nothing worth resuming
  // The reason first (a host that does not resolve is what a user needs to read), what was
  // wanted after it.
  const std::string from = file.urls.size() == 1
                               ? std::string("its URL")
                               : "any of its " + std::to_string(file.urls.size()) + " URLs";
  throw InputError({file.fileName()}, "could not download it: " + failures + " (wanted " +
                                          expected + " from " + from + ")");
}

}  // namespace gwb
