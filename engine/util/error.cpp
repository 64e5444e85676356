// Formatting of InputError messages.
#include "engine/util/error.h"

#include <cstdio>

namespace gwb {
namespace {

std::string formatLocation(const InputLocation& where) {
  std::string out = where.file;
  if (where.line > 0) out += ":" + std::to_string(where.line);
  if (!where.key.empty()) out += (out.empty() ? "" : ": ") + where.key;
  return out;
}

}  // namespace

InputError::InputError(InputLocation where, const std::string& detail)
    : std::runtime_error(formatLocation(where).empty() ? detail
                                                       : formatLocation(where) + ": " + detail),
      where_(std::move(where)),
      detail_(detail) {}

std::string countOf(long long n, const std::string& noun, const std::string& plural) {
  return std::to_string(n) + " " + (n == 1 ? noun : plural.empty() ? noun + "s" : plural);
}

std::string expectedGot(const std::string& expected, const std::string& got) {
  return "expected " + expected + ", got " + got;
}

std::string quoteForMessage(const std::string& text, std::size_t max_chars) {
  std::string out = "\"";
  for (std::size_t i = 0; i < text.size() && i < max_chars; ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  out += '"';
  if (text.size() > max_chars) out += "...";
  return out;
}

}  // namespace gwb
