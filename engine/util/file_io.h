// Reading and writing the project's files: whole files (plain or gzip, via zlib), atomic writes
// (temporary name + rename, so a crash never leaves half a file), SHA-256 (OpenSSL's libcrypto),
// UTF-8 validation with line/column errors, and checks against SHA256SUMS lists.
// Every failure is an InputError naming the file. No torch, no Qt.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace gwb {

/// The bytes of a file as stored. Throws InputError if it cannot be read.
std::string readFileBytes(const std::string& path);

/// Decompresses a complete gzip stream (several members allowed). `path` names the source in
/// errors; a truncated or corrupt stream is an InputError, never a short result.
std::string gunzip(std::string_view compressed, const std::string& path);

/// True if `bytes` starts with the gzip magic number.
bool isGzip(std::string_view bytes);

/// A data file as the loaders see it: its bytes as stored and their SHA-256 (the cache key and
/// the value that SHA256SUMS lists).
struct DataFile {
  std::string path;           ///< as given
  std::string stored;         ///< the bytes on disk (gzip-compressed for .gz files)
  std::string stored_sha256;  ///< hex SHA-256 of `stored`

  /// The text: `stored` decompressed if it is a gzip stream, else `stored` itself.
  std::string content() const;
};

/// Reads `path`, hashes it and checks it against a SHA256SUMS file that lists it (in its folder
/// or the folder above, as in the embedded data). A checksum mismatch is an InputError.
DataFile readDataFile(const std::string& path);

/// If a SHA256SUMS in the folder of `path` or the folder above lists it, checks `sha256_hex`
/// against that entry (throws InputError on mismatch). Returns true if an entry was found.
bool verifyListedChecksum(const std::string& path, const std::string& sha256_hex);

/// Writes `bytes` to `path` through a temporary file in the same folder (`<path>.tmp-XXXXXX`),
/// fsynced, renamed over `path`, and the folder fsynced: a crash leaves the old or the new file,
/// never a mix. Creates missing parent folders. Throws InputError on failure (a full disk
/// included), leaving `path` as it was. Durable writes (see durable.h).
void writeFileAtomic(const std::string& path, std::string_view bytes);

/// Lower-case hex SHA-256 of `bytes`.
std::string sha256Hex(std::string_view bytes);
/// `n` bytes as lower-case hex (a digest's text).
std::string lowerHex(const unsigned char* bytes, std::size_t n);

/// Throws InputError naming `path`, the 1-based line and column (in bytes) of the first byte
/// that is not well-formed UTF-8 (overlongs, surrogates and values above U+10FFFF included).
void checkUtf8(std::string_view text, const std::string& path);

/// Number of '\n' characters (what `wc -l` prints).
long countNewlines(std::string_view text);

}  // namespace gwb
