// Minimal UTF-8 stepping for text already checked by checkUtf8 (engine/util/file_io.h):
// decode one code point, append one. Character classes come from PCRE2 and utf8proc, not here.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace gwb::utf8 {

/// Decodes the code point at `text[i]` and advances `i`; `text` must be valid UTF-8.
inline std::uint32_t next(std::string_view text, std::size_t& i) {
  const auto c = static_cast<unsigned char>(text[i]);
  if (c < 0x80) {
    ++i;
    return c;
  }
  const int len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
  std::uint32_t cp = c & (0x7f >> len);
  for (int k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3f);
  i += len;
  return cp;
}

/// Appends the UTF-8 encoding of `cp` to `out`.
inline void append(std::uint32_t cp, std::string& out) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xc0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xe0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  }
}

/// Number of code points in valid UTF-8 `text`.
inline std::size_t length(std::string_view text) {
  std::size_t n = 0;
  for (char c : text) n += (static_cast<unsigned char>(c) & 0xc0) != 0x80;
  return n;
}

}  // namespace gwb::utf8
