// Engine-internal: how report tables write numbers (both the Wikitext-2 and the SNLI tables).
#pragma once

#include <cmath>
#include <cstdio>
#include <string>

#include "engine/report/report.h"

namespace gwb::report_format {

inline std::string fmt(double v, int decimals = 2) {
  if (!std::isfinite(v) || v == 0) return "";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

inline std::string meanStd(const Stat& s, int decimals = 2, const char* pm = " ± ") {
  if (s.n == 0 || s.mean == 0) return "";
  return s.n > 1 ? fmt(s.mean, decimals) + pm + fmt(s.std, decimals) : fmt(s.mean, decimals);
}

inline std::string gap(double percent) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%+.1f%%", percent);
  return buf;
}

inline std::string csvField(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

inline std::string latexEscape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '%' || c == '_' || c == '&' || c == '#') out += '\\';
    out += c;
  }
  return out;
}

}  // namespace gwb::report_format
