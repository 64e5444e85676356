// BERT WordPiece for bert-base-uncased, exactly as Hugging Face's BertNormalizer +
// BertPreTokenizer + WordPiece: clean text, pad CJK ideographs, NFD and drop non-spacing marks,
// lowercase; split on whitespace and punctuation; greedy longest match with "##" continuations,
// [UNK] for a word without a match or over 100 characters. Unicode classes come from utf8proc.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/tokenizers/tokenizer.h"
#include "engine/tokenizers/word_cache.h"

namespace gwb {

class BertTokenizer final : public Tokenizer {
 public:
  /// Words longer than this many characters become [UNK] (BERT's max_input_chars_per_word).
  static constexpr std::size_t kMaxWordChars = 100;

  /// Loads `vocab_txt`: one token per line, id = 0-based line number. Every token must be unique
  /// and non-empty, and [UNK], [CLS] and [SEP] present; violations are InputErrors naming the line.
  explicit BertTokenizer(const std::string& vocab_txt);

  TokenizerKind kind() const override { return TokenizerKind::Bert; }
  std::int32_t vocabSize() const override { return static_cast<std::int32_t>(tokens_.size()); }
  void encodeAppend(std::string_view text, std::vector<std::int32_t>& out) const override;
  std::vector<std::int32_t> joinPair(const std::vector<std::int32_t>& a,
                                     const std::vector<std::int32_t>& b) const override;
  int pairOverhead() const override { return 3; }
  std::vector<std::int32_t> wrapSingle(const std::vector<std::int32_t>& s) const override;
  int singleOverhead() const override { return 2; }
  std::int32_t paddingId() const override { return pad_ >= 0 ? pad_ : 0; }
  std::string decode(const std::vector<std::int32_t>& ids) const override;
  const std::string& tokenString(std::int32_t id) const override { return tokens_.at(id); }

  /// Token type ids of joinPair's layout: 0 for `[CLS] a [SEP]`, 1 for `b [SEP]`.
  std::vector<std::int32_t> pairTypeIds(std::size_t len_a, std::size_t len_b) const;

  /// The normaliser alone (clean, CJK, NFD + strip accents, lowercase).
  std::string normalize(std::string_view text) const;
  /// Normaliser + pre-tokeniser: the words WordPiece sees.
  std::vector<std::string> words(std::string_view text) const;

  std::int32_t unkId() const { return unk_; }
  std::int32_t clsId() const { return cls_; }
  std::int32_t sepId() const { return sep_; }
  std::int32_t padId() const { return pad_; }

 private:
  void wordPiece(const std::string& word, std::vector<std::int32_t>& out) const;
  template <typename Visit>
  void forEachWord(const std::string& normalized, Visit&& visit) const;

  std::vector<std::string> tokens_;
  std::unordered_map<std::string, std::int32_t> ids_;
  std::int32_t unk_ = -1, cls_ = -1, sep_ = -1, pad_ = -1;

  static constexpr std::size_t kMaxCachedWords = 1 << 20;
  mutable std::mutex cache_mutex_;
  mutable WordCache cache_;  // guarded by cache_mutex_
};

}  // namespace gwb
