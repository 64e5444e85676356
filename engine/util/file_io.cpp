// zlib, OpenSSL and POSIX glue behind file_io.h.
#include "engine/util/file_io.h"

#include <openssl/evp.h>
#include <zlib.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/util/durable.h"
#include "engine/util/error.h"

namespace fs = std::filesystem;

namespace gwb {

std::string readFileBytes(const std::string& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) throw InputError({path}, expectedGot("a file", "a directory"));
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError({path}, expectedGot("a readable file", std::strerror(errno)));
  std::string bytes;
  in.seekg(0, std::ios::end);
  const auto size = in.tellg();
  if (size > 0) {
    bytes.resize(static_cast<std::size_t>(size));
    in.seekg(0, std::ios::beg);
    in.read(bytes.data(), size);
  }
  if (!in && !in.eof()) throw InputError({path}, expectedGot("a readable file", "a read error"));
  return bytes;
}

bool isGzip(std::string_view bytes) {
  return bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0x1f &&
         static_cast<unsigned char>(bytes[1]) == 0x8b;
}

std::string gunzip(std::string_view compressed, const std::string& path) {
  z_stream zs{};
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) {
    throw InputError({path}, expectedGot("a gzip stream", "a zlib initialisation failure"));
  }
  std::unique_ptr<z_stream, int (*)(z_stream*)> guard(&zs, inflateEnd);
  std::string out;
  out.resize(std::max<std::size_t>(compressed.size() * 3, 1 << 16));
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  zs.avail_in = static_cast<uInt>(compressed.size());
  std::size_t produced = 0;
  for (;;) {
    if (produced == out.size()) out.resize(out.size() * 2);
    zs.next_out = reinterpret_cast<Bytef*>(out.data() + produced);
    zs.avail_out = static_cast<uInt>(out.size() - produced);
    const int rc = inflate(&zs, Z_NO_FLUSH);
    produced = out.size() - zs.avail_out;
    if (rc == Z_STREAM_END) {
      if (zs.avail_in == 0) break;
      // Another gzip member follows (as `cat a.gz b.gz` makes).
      if (inflateReset(&zs) != Z_OK) break;
      continue;
    }
    if (rc == Z_OK) continue;
    if (rc == Z_BUF_ERROR && zs.avail_in == 0) {
      throw InputError({path},
                       expectedGot("a complete gzip stream", "a stream truncated after " +
                                                                 std::to_string(compressed.size()) +
                                                                 " compressed bytes"));
    }
    if (rc == Z_BUF_ERROR) continue;  // needs more output space
    throw InputError({path},
                     expectedGot("a valid gzip stream",
                                 std::string("corrupt data (zlib: ") +
                                     (zs.msg ? zs.msg : "error " + std::to_string(rc)) + ")"));
  }
  out.resize(produced);
  return out;
}

std::string sha256Hex(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest, &len, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("OpenSSL SHA-256 failed");
  }
  return lowerHex(digest, len);
}

std::string lowerHex(const unsigned char* bytes, std::size_t n) {
  static const char* hex = "0123456789abcdef";
  std::string out(2 * n, '0');
  for (std::size_t i = 0; i < n; ++i) {
    out[2 * i] = hex[bytes[i] >> 4];
    out[2 * i + 1] = hex[bytes[i] & 15];
  }
  return out;
}

bool verifyListedChecksum(const std::string& path, const std::string& sha256_hex) {
  const fs::path file = fs::absolute(path).lexically_normal();
  // The entry may be in the file's own folder ("name") or the one above ("folder/name").
  const fs::path candidates[] = {file.parent_path(), file.parent_path().parent_path()};
  for (const fs::path& dir : candidates) {
    const fs::path sums = dir / "SHA256SUMS";
    std::error_code ec;
    if (!fs::is_regular_file(sums, ec)) continue;
    const std::string relative = file.lexically_relative(dir).generic_string();
    std::istringstream lines(readFileBytes(sums.string()));
    std::string line;
    long number = 0;
    while (std::getline(lines, line)) {
      ++number;
      if (line.empty()) continue;
      // sha256sum's format: 64 hex digits, a space, ' ' (text) or '*' (binary), the path.
      if (line.size() < 67 || line.find(' ') != 64 || (line[65] != ' ' && line[65] != '*')) {
        throw InputError({sums.string(), number},
                         expectedGot("'<64 hex digits>  <path>'", quoteForMessage(line)));
      }
      if (line.substr(66) != relative) continue;
      const std::string listed = line.substr(0, 64);
      if (listed != sha256_hex) {
        throw InputError({path}, expectedGot("sha256 " + listed + " (as " + sums.string() + ":" +
                                                 std::to_string(number) + " lists)",
                                             sha256_hex));
      }
      return true;
    }
  }
  return false;
}

DataFile readDataFile(const std::string& path) {
  DataFile file;
  file.path = path;
  file.stored = readFileBytes(path);
  file.stored_sha256 = sha256Hex(file.stored);
  verifyListedChecksum(path, file.stored_sha256);
  return file;
}

std::string DataFile::content() const { return isGzip(stored) ? gunzip(stored, path) : stored; }

void writeFileAtomic(const std::string& path, std::string_view bytes) {
  const WriteScope scope;  // a deliberate exit waits for the rename
  const fs::path target(path);
  std::error_code ec;
  if (target.has_parent_path()) fs::create_directories(target.parent_path(), ec);
  std::string tmp = path + ".tmp-XXXXXX";
  const int fd = mkstemp(tmp.data());
  if (fd < 0) throw InputError({path}, expectedGot("a writable folder", std::strerror(errno)));
  try {
    writeAll(fd, bytes, path);
  } catch (...) {
    ::close(fd);
    ::unlink(tmp.c_str());
    throw;
  }
  ::fchmod(fd, 0644);
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    const std::string reason = std::strerror(errno);
    ::unlink(tmp.c_str());
    throw InputError({path}, expectedGot("a successful flush", reason));
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string reason = std::strerror(errno);
    ::unlink(tmp.c_str());
    throw InputError({path}, expectedGot("a successful rename", reason));
  }
  syncDirectory(target.has_parent_path() ? target.parent_path().string() : ".");
}

long countNewlines(std::string_view text) {
  long n = 0;
  for (const char *p = text.data(), *end = p + text.size();
       (p = static_cast<const char*>(std::memchr(p, '\n', end - p))) != nullptr; ++p) {
    ++n;
  }
  return n;
}

void checkUtf8(std::string_view text, const std::string& path) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  std::size_t i = 0;
  while (i < n) {
    // Fast path: eight ASCII bytes at a time.
    if (i + 8 <= n) {
      std::uint64_t word;
      std::memcpy(&word, s + i, 8);
      if ((word & 0x8080808080808080ull) == 0) {
        i += 8;
        continue;
      }
    }
    const unsigned char c = s[i];
    std::size_t len = 0;
    std::uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if (c >= 0xc2 && c <= 0xdf) {
      len = 2, cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
      len = 3, cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      len = 4, cp = c & 0x07;
    }
    bool ok = len > 0 && i + len <= n;
    for (std::size_t k = 1; ok && k < len; ++k) {
      ok = (s[i + k] & 0xc0) == 0x80;
      cp = (cp << 6) | (s[i + k] & 0x3f);
    }
    if (ok) {
      ok = !(len == 3 && cp < 0x800) && !(len == 4 && (cp < 0x10000 || cp > 0x10ffff)) &&
           !(cp >= 0xd800 && cp <= 0xdfff);
    }
    if (!ok) {
      const std::string_view before = text.substr(0, i);
      const long line = countNewlines(before) + 1;
      const std::size_t line_start =
          before.rfind('\n') == std::string_view::npos ? 0 : before.rfind('\n') + 1;
      char got[64];
      std::snprintf(got, sizeof got, "byte 0x%02x at column %zu", c, i - line_start + 1);
      throw InputError({path, line}, expectedGot("valid UTF-8", got));
    }
    i += len;
  }
}

}  // namespace gwb
