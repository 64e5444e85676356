// The tokenizer interface both exact tokenizers implement (GPT-2 byte-level BPE, BERT WordPiece),
// and the factory that loads one from a vocabulary folder. Tokenizers are immutable after loading
// except for an internal word cache guarded by a mutex, so one instance may be shared by threads.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace gwb {

/// Bumped whenever a change could alter the ids a tokenizer produces: part of every cache key.
constexpr int kTokenizerVersion = 1;

enum class TokenizerKind { Gpt2, Bert };

/// "gpt2" / "bert".
const char* tokenizerName(TokenizerKind kind);
/// Parses "gpt2" / "bert"; throws InputError (key `what`) otherwise.
TokenizerKind parseTokenizerKind(const std::string& name, const std::string& what = "tokenizer");

class Tokenizer {
 public:
  virtual ~Tokenizer() = default;

  virtual TokenizerKind kind() const = 0;
  const char* name() const { return tokenizerName(kind()); }
  virtual std::int32_t vocabSize() const = 0;

  /// Appends the ids of `text` (no special tokens) to `out`. `text` must be valid UTF-8.
  virtual void encodeAppend(std::string_view text, std::vector<std::int32_t>& out) const = 0;
  std::vector<std::int32_t> encode(std::string_view text) const {
    std::vector<std::int32_t> ids;
    encodeAppend(text, ids);
    return ids;
  }

  /// A sentence pair as the tasks feed it: BERT `[CLS] a [SEP] b [SEP]`; GPT-2 `a <|endoftext|> b`.
  std::vector<std::int32_t> encodePair(std::string_view a, std::string_view b) const {
    return joinPair(encode(a), encode(b));
  }
  /// The pair layout above, applied to already encoded sentences.
  virtual std::vector<std::int32_t> joinPair(const std::vector<std::int32_t>& a,
                                             const std::vector<std::int32_t>& b) const = 0;
  /// Number of ids joinPair adds around the two sentences (BERT 3, GPT-2 1).
  virtual int pairOverhead() const = 0;
  /// One sentence as the separate pair encoding feeds it: BERT `[CLS] s [SEP]`; GPT-2 `s`.
  virtual std::vector<std::int32_t> wrapSingle(const std::vector<std::int32_t>& s) const = 0;
  /// Number of ids wrapSingle adds (BERT 2, GPT-2 0).
  virtual int singleOverhead() const = 0;
  /// The id batches are padded with (BERT [PAD] 0, GPT-2 <|endoftext|> 50256); never attended.
  virtual std::int32_t paddingId() const = 0;

  /// Text of `ids`: exact bytes for GPT-2; for BERT the normalised words joined by single spaces
  /// (`##` pieces glued on), special tokens left out.
  virtual std::string decode(const std::vector<std::int32_t>& ids) const = 0;

  /// The token string of `id` as the vocabulary spells it (throws std::out_of_range).
  virtual const std::string& tokenString(std::int32_t id) const = 0;

  /// SHA-256 over the vocabulary files, the kind and kTokenizerVersion: identifies the exact
  /// tokenization, for cache keys and provenance.
  const std::string& fingerprint() const { return fingerprint_; }
  /// The vocabulary files it was loaded from.
  const std::vector<std::string>& vocabFiles() const { return vocab_files_; }

 protected:
  std::string fingerprint_;
  std::vector<std::string> vocab_files_;
};

/// Loads the tokenizer of `kind` from `vocab_dir` (empty: the embedded vocabulary). GPT-2 reads
/// `encoder.json` + `vocab.bpe`, or `vocab.json` + `merges.txt`; BERT reads `vocab.txt`.
/// Throws InputError on missing or malformed files.
std::unique_ptr<Tokenizer> loadTokenizer(TokenizerKind kind, const std::string& vocab_dir = "");

}  // namespace gwb
