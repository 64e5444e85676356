// Engine-internal: how report tables write numbers (both the Wikitext-2 and the SNLI tables).
#pragma once

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "engine/report/report.h"

namespace gwb {
struct SnliReportRow;
}

namespace gwb::report_format {

// A number; "" for a missing one (NaN). 0 is a number: 0.00, never a blank.
inline std::string fmt(double v, int decimals = 2) {
  if (!std::isfinite(v)) return "";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

inline std::string meanStd(const Stat& s, int decimals = 2, const char* pm = " ± ") {
  if (s.n == 0) return "";
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

/// A CSV table as cells (unquoted): the two tasks' tables merge by column name.
struct CsvTable {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
};

inline std::string csvText(const CsvTable& t) {
  std::string out;
  for (std::size_t i = 0; i < t.header.size(); ++i) out += (i ? "," : "") + csvField(t.header[i]);
  out += "\n";
  for (const auto& row : t.rows) {
    for (std::size_t i = 0; i < row.size(); ++i) out += (i ? "," : "") + csvField(row[i]);
    out += "\n";
  }
  return out;
}

/// The tasks' CSV tables (report.cpp, snli_report.cpp).
CsvTable reportCsvTable(const std::vector<ReportRow>& rows);
CsvTable snliCsvTable(const std::vector<SnliReportRow>& rows);

inline std::string latexEscape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '%' || c == '_' || c == '&' || c == '#') out += '\\';
    out += c;
  }
  return out;
}

}  // namespace gwb::report_format
