// UTC time as text.
#include "engine/util/utc_time.h"

#include <ctime>

namespace gwb {

std::string utcText(std::int64_t seconds, const char* format) {
  const std::time_t t = static_cast<std::time_t>(seconds);
  std::tm utc{};
  gmtime_r(&t, &utc);
  char text[64];
  std::strftime(text, sizeof text, format, &utc);
  return text;
}

std::string utcNow(const char* format) { return utcText(std::time(nullptr), format); }

}  // namespace gwb
