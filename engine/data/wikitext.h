// Wikitext-2 as language-model data (SPEC §3): the token stream of a split, from the v1
// `.tokens` or the `.raw` files (plain or .gz), and its cut into non-overlapping chunks of L
// tokens. GPT-2 encodes the whole file as one text, newlines included; BERT encodes the lines that
// are non-empty after stripping, joined with "\n", with one [CLS] first and one [SEP] last.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace gwb {

class Tokenizer;
class TokenCache;

/// The splits, in order: "train", "valid", "test".
const std::vector<std::string>& wikitextSplits();

/// The file of `split` in `dir` (empty: the embedded copy). `format` is "auto" (the `.tokens`
/// file, else the `.raw` one), "tokens" or "raw"; each may be plain or `.gz` (plain first).
/// Throws InputError naming the expected file if there is none.
std::string findWikitextFile(const std::string& dir, const std::string& split,
                             const std::string& format = "auto");

/// A split as one token stream, with the line counts of `gwb data stats`.
struct TokenStream {
  std::string file;                 ///< the file read
  std::string source_sha256;        ///< SHA-256 of the file as stored
  std::int64_t lines = 0;           ///< newline characters (wc -l)
  std::int64_t nonempty_lines = 0;  ///< lines with something besides whitespace
  std::vector<std::int32_t> ids;
  bool from_cache = false;

  /// Number of full chunks of `seq_len` tokens (the remainder is dropped).
  std::int64_t numChunks(std::int64_t seq_len) const {
    return seq_len > 0 ? static_cast<std::int64_t>(ids.size()) / seq_len : 0;
  }
  /// Pointer to the first id of chunk `index` (seq_len ids follow).
  const std::int32_t* chunk(std::int64_t index, std::int64_t seq_len) const {
    return ids.data() + index * seq_len;
  }
};

/// The token stream of a text (the SPEC §3 rule of the tokenizer's kind). `gpt2_rows`
/// (data.gpt2_rows, GPT-2 only): "file" encodes the whole text; "nonempty" the lines that are
/// non-empty after stripping, each with its own newline, joined by "\n" (Arledge's
/// "\n".join(t for t in rows if t.strip()) over the dataset's rows).
std::vector<std::int32_t> wikitextTokenStream(const std::string& text, const Tokenizer& tokenizer,
                                              const std::string& gpt2_rows = "file");

/// Loads `split` of the Wikitext-2 folder `dir` (empty: embedded), from `cache` when it holds the
/// same (file checksum, tokenizer, rows rule) and else by tokenising and storing. InputError on bad
/// input.
TokenStream loadWikitextSplit(const std::string& dir, const std::string& split,
                              const std::string& format, const Tokenizer& tokenizer,
                              const TokenCache& cache, const std::string& gpt2_rows = "file");

/// Chunks of a stream for data.targets: "shift" cuts chunks of L ids, "next" of L + 1.
inline std::int64_t chunkLength(std::int64_t seq_len, const std::string& targets) {
  return targets == "next" ? seq_len + 1 : seq_len;
}

}  // namespace gwb
