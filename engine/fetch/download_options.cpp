// The downloader's settings from the environment, and its User-Agent: built with or without
// libcurl.
#include <cstdlib>

#include "engine/fetch/download.h"
#include "engine/util/build_info.h"
#include "engine/util/error.h"

namespace gwb {
namespace {

template <typename T>
void fromEnv(const char* name, T& value) {
  const char* text = std::getenv(name);
  if (!text || !*text) return;
  char* end = nullptr;
  const long long v = std::strtoll(text, &end, 10);
  if (*end != '\0' || v < 0 || v > 1000000) {
    throw InputError({"", 0, name},
                     expectedGot("an integer in [0, 1000000]", quoteForMessage(text)));
  }
  value = static_cast<T>(v);
}

}  // namespace

DownloadOptions downloadOptionsFromEnvironment() {
  DownloadOptions o;
  fromEnv("GWB_FETCH_CONNECT_TIMEOUT_S", o.connect_timeout_s);
  fromEnv("GWB_FETCH_STALL_TIMEOUT_S", o.stall_timeout_s);
  fromEnv("GWB_FETCH_RETRIES", o.retries);
  fromEnv("GWB_FETCH_BACKOFF_MS", o.backoff_ms);
  if (o.connect_timeout_s == 0) o.connect_timeout_s = 1;
  if (o.stall_timeout_s == 0) o.stall_timeout_s = 1;
  return o;
}

std::string defaultUserAgent() {
  return std::string("grassmann-workbench/") + projectVersion() + " (data manager)";
}

}  // namespace gwb
