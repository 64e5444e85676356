// The on-disk cache of tokenised splits (CONTRACTS.md: $GWB_CACHE_DIR, else
// $XDG_CACHE_HOME/grassmann-workbench, else ~/.cache/grassmann-workbench). One binary file per
// (source checksum, tokenizer fingerprint, cache format): a header, a few integer statistics and
// int32 ids with a CRC-32. A file that fails any check is reported and rebuilt, never trusted.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace gwb {

/// Bumped whenever the layout of a cache file or of what it stores changes.
constexpr std::uint32_t kTokenCacheFormat = 1;

class TokenCache {
 public:
  /// What a cache file holds besides the ids: named integer statistics (line counts, ...).
  struct Entry {
    std::map<std::string, std::int64_t> stats;
    std::vector<std::int32_t> ids;
  };

  /// A cache in `dir`; an empty `dir` disables caching (load misses, store does nothing).
  explicit TokenCache(std::string dir);
  /// The cache at the folder of CONTRACTS.md (gwb::cacheDir()).
  static TokenCache standard();

  /// The key of a cached object: a readable `name` (e.g. "wikitext2-train-gpt2") and the inputs
  /// that determine it (source checksum, tokenizer fingerprint, anything else).
  struct Key {
    std::string name;
    std::vector<std::string> inputs;
    std::string digest() const;  // SHA-256 of the inputs and kTokenCacheFormat
  };

  /// The entry for `key`, or nullopt if absent. A present but corrupt, truncated or stale file is
  /// reported through the warning handler (with the reason) and treated as absent.
  std::optional<Entry> load(const Key& key) const;
  /// Writes the entry atomically. A failure to write is a warning, not an error.
  void store(const Key& key, const Entry& entry) const;

  /// The file that holds `key`.
  std::string pathFor(const Key& key) const;
  const std::string& dir() const { return dir_; }

  /// Receives warnings (corrupt files, unwritable folder). Default: none are shown.
  void setWarningHandler(std::function<void(const std::string&)> handler) {
    warn_ = std::move(handler);
  }

 private:
  std::string dir_;
  std::function<void(const std::string&)> warn_;
};

}  // namespace gwb
