// The cache of encoded words that both tokenizers keep: a bounded map from a word (GPT-2
// pre-tokenisation piece, BERT word) to its ids. Not thread-safe: the owner holds its own lock.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace gwb {

class WordCache {
 public:
  /// Holds at most `max_entries` words; when full it starts again from empty.
  explicit WordCache(std::size_t max_entries) : max_entries_(max_entries) {}

  /// Appends the ids of `word` to `out`: cached ones, or those `encode(word, out)` appends
  /// (which are then cached).
  template <typename Encode>
  void append(std::string_view word, std::vector<std::int32_t>& out, Encode&& encode) {
    key_.assign(word.data(), word.size());
    const auto hit = map_.find(key_);
    if (hit != map_.end()) {
      out.insert(out.end(), hit->second.begin(), hit->second.end());
      return;
    }
    const std::size_t start = out.size();
    encode(key_, out);
    if (map_.size() >= max_entries_) map_.clear();
    map_.emplace(key_, std::vector<std::int32_t>(out.begin() + start, out.end()));
  }

 private:
  std::size_t max_entries_;
  std::string key_;  // reused to avoid an allocation per lookup
  std::unordered_map<std::string, std::vector<std::int32_t>> map_;
};

}  // namespace gwb
