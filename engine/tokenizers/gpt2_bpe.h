// GPT-2 byte-level BPE, exactly as OpenAI's encoder.py / tiktoken / Hugging Face tokenizers:
// the GPT-2 pre-tokenisation pattern (PCRE2, JIT), the byte-to-unicode table, merges by rank, and
// a cache of encoded words. `<|endoftext|>` inside text is ordinary text, never the special id.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/tokenizers/tokenizer.h"
#include "engine/tokenizers/word_cache.h"

namespace gwb {

class Gpt2Tokenizer final : public Tokenizer {
 public:
  /// Loads `vocab_json` (encoder.json / vocab.json: token -> id, ids 0..n-1 each once) and
  /// `merges_file` (vocab.bpe / merges.txt: optional "#version" line, then "left right" per line
  /// in rank order). Throws InputError naming the file, line and token on any defect.
  Gpt2Tokenizer(const std::string& vocab_json, const std::string& merges_file);
  ~Gpt2Tokenizer() override;

  TokenizerKind kind() const override { return TokenizerKind::Gpt2; }
  std::int32_t vocabSize() const override { return static_cast<std::int32_t>(tokens_.size()); }
  void encodeAppend(std::string_view text, std::vector<std::int32_t>& out) const override;
  std::vector<std::int32_t> joinPair(const std::vector<std::int32_t>& a,
                                     const std::vector<std::int32_t>& b) const override;
  int pairOverhead() const override { return 1; }
  std::vector<std::int32_t> wrapSingle(const std::vector<std::int32_t>& s) const override {
    return s;
  }
  int singleOverhead() const override { return 0; }
  std::int32_t paddingId() const override { return end_of_text_ >= 0 ? end_of_text_ : 0; }
  std::string decode(const std::vector<std::int32_t>& ids) const override;
  const std::string& tokenString(std::int32_t id) const override { return tokens_.at(id); }

  /// The id of `<|endoftext|>` (50256 in GPT-2's vocabulary), -1 if the vocabulary lacks it.
  std::int32_t endOfTextId() const { return end_of_text_; }

  /// The pre-tokenisation pieces of `text` (for tests and inspection).
  std::vector<std::string> preTokenize(std::string_view text) const;

 private:
  struct Merge {
    std::int32_t rank;
    std::int32_t id;  // id of the merged token
  };
  void bpe(std::string_view piece, std::vector<std::int32_t>& out) const;
  template <typename Visit>
  void forEachPiece(std::string_view text, Visit&& visit) const;

  std::vector<std::string> tokens_;       // id -> token string (byte-level alphabet)
  std::vector<std::string> token_bytes_;  // id -> the raw bytes it stands for
  std::array<std::int32_t, 256> byte_ids_{};
  std::unordered_map<std::uint64_t, Merge> merges_;  // (left id << 32 | right id) -> merge
  std::int32_t end_of_text_ = -1;

  struct Pattern;
  std::unique_ptr<Pattern> pattern_;

  // Caps the piece cache; a corpus of normal text has far fewer distinct pieces.
  static constexpr std::size_t kMaxCachedPieces = 1 << 20;
  mutable std::mutex cache_mutex_;
  mutable WordCache cache_;  // guarded by cache_mutex_
};

/// The GPT-2 byte-to-unicode table: byte b is written as the code point byteToUnicode()[b].
const std::array<std::uint32_t, 256>& gpt2ByteToUnicode();

}  // namespace gwb
