// The on-disk cache of a frozen backbone's outputs (SPEC §7.3): the token features (paper heads)
// or pooled vectors (reference heads) of one split, computed once and kept beside the token cache
// (gwb::cacheDir()), so that every epoch of a head after the first reads them instead of running
// the backbone, and runs with the same encoding share them. One file per (backbone sha256, data
// sha256, tokenizer, split, kind, encoding, seq_len, precision, pairs): a JSON header, the rows
// (only the tokens' rows, no padding) in the backbone's precision, a CRC-32 and an end mark;
// written to a temporary name and renamed, read through mmap. A file that fails any check is
// reported and rebuilt, never trusted. Torch-free: `gwb data stats --feature-caches` lists them.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace gwb {

/// Bumped whenever the layout of a feature cache file or of what it stores changes.
constexpr std::uint32_t kFeatureCacheFormat = 1;

/// What determines a cache's contents.
struct FeatureCacheKey {
  std::string backbone_sha256;  ///< of the backbone's model.safetensors
  std::string data_sha256;      ///< of the split's data file
  std::string tokenizer;        ///< the tokenizer's fingerprint (the ids)
  std::string split;            ///< "train", "valid", "test"
  std::string kind;             ///< "tokens" (one row per token) or "pooled" (one row per pair)
  std::string encoding;         ///< data.pair_encoding
  std::int64_t seq_len = 0;     ///< data.seq_len
  std::string precision;        ///< "fp32" or "bf16": the backbone's
  std::int64_t pairs = 0;       ///< the first `pairs` pairs of the split
  std::int64_t rows = 0;        ///< tokens (kind tokens) or pairs (kind pooled)
  std::int64_t dim = 0;         ///< the backbone's width

  /// SHA-256 of every field and kFeatureCacheFormat.
  std::string digest() const;
  /// "snli-<split>-<kind>-<encoding><seq_len>-<precision>-<digest 16>.feat".
  std::string fileName() const;
  /// Bytes of one element (4 for fp32, 2 for bf16).
  std::int64_t elementBytes() const { return precision == "bf16" ? 2 : 4; }
  /// Bytes of the rows alone.
  std::int64_t dataBytes() const { return rows * dim * elementBytes(); }
};

/// Writes a cache file: rows appended in order, then commit() (CRC, fsync, rename). Destroying it
/// uncommitted removes the temporary file.
class FeatureCacheWriter {
 public:
  /// Starts `dir`/key.fileName(). InputError if the folder cannot be written.
  FeatureCacheWriter(const std::string& dir, const FeatureCacheKey& key);
  ~FeatureCacheWriter();
  FeatureCacheWriter(const FeatureCacheWriter&) = delete;
  FeatureCacheWriter& operator=(const FeatureCacheWriter&) = delete;

  /// Appends `bytes` bytes of rows. InputError on a write failure (a full disk).
  void append(const void* data, std::size_t bytes);
  /// Checks that exactly key.dataBytes() were appended and makes the file current.
  void commit();
  const std::string& path() const { return path_; }

 private:
  std::string path_, temp_;
  FeatureCacheKey key_;
  int fd_ = -1;
  std::uint32_t crc_ = 0;
  std::int64_t written_ = 0;
};

/// A cache file mapped read-only; the rows stay valid while it lives.
class MappedFeatureCache {
 public:
  /// The cache of `key` in `dir`, checked (header, size, CRC-32): nullptr if there is none; a
  /// corrupt, truncated or stale one is reported through `warn` (with the reason) and nullptr.
  static std::shared_ptr<MappedFeatureCache> open(
      const std::string& dir, const FeatureCacheKey& key,
      const std::function<void(const std::string&)>& warn = {});
  ~MappedFeatureCache();
  MappedFeatureCache(const MappedFeatureCache&) = delete;
  MappedFeatureCache& operator=(const MappedFeatureCache&) = delete;

  const void* data() const { return data_; }
  std::int64_t bytes() const { return bytes_; }
  const std::string& path() const { return path_; }

 private:
  MappedFeatureCache() = default;
  std::string path_;
  void* map_ = nullptr;
  std::size_t map_bytes_ = 0;
  const void* data_ = nullptr;
  std::int64_t bytes_ = 0;
};

/// One file of `dir` as listed by gwb data stats --feature-caches.
struct FeatureCacheInfo {
  std::string file;  ///< the file name (what --remove-feature-cache takes)
  std::string path;
  std::int64_t bytes = 0;  ///< on disk
  bool readable = false;   ///< the header parsed (the data is not checked here)
  FeatureCacheKey key;     ///< from the header when readable
  std::string created_at;  ///< UTC, ISO 8601
};
/// The feature caches (*.feat) of `dir`, by file name; none if the folder does not exist.
std::vector<FeatureCacheInfo> listFeatureCaches(const std::string& dir);
/// Removes the caches named (file names as listed, or "all"): their paths. InputError naming the
/// first name that is no feature cache of `dir` (nothing is removed then).
std::vector<std::string> removeFeatureCaches(const std::string& dir,
                                             const std::vector<std::string>& names);

}  // namespace gwb
