// SNLI pairs as a classifier reads them (SPEC §7.1): the joint encoding (one sequence, BERT
// `[CLS] premise [SEP] hypothesis [SEP]`, GPT-2 premise <|endoftext|> hypothesis, seq_len bounding
// the whole) or the separate one (each sentence alone, BERT `[CLS] s [SEP]`, GPT-2 s, seq_len
// bounding each), truncated as Hugging Face's `longest_first`, with the truncated pairs counted.
// Torch-free.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace gwb {

class Tokenizer;
struct SnliSplit;

/// Cuts one token at a time from the end of the longer of `a` and `b` (from `a`, the premise, on
/// a tie) until a.size() + b.size() <= budget. Returns true if anything was cut.
bool truncateLongestFirst(std::vector<std::int32_t>& a, std::vector<std::int32_t>& b,
                          std::size_t budget);

/// The pairs of a split, encoded.
struct EncodedPairs {
  std::vector<std::vector<std::int32_t>> a;  ///< joint sequences, or the premises
  std::vector<std::vector<std::int32_t>> b;  ///< the hypotheses (separate encoding), else empty
  std::vector<std::int32_t> labels;          ///< 0 entailment, 1 neutral, 2 contradiction
  std::int64_t truncated = 0;                ///< pairs that were cut to fit
  std::int64_t tokens = 0;                   ///< ids over all pairs (both sentences)

  std::int64_t size() const { return static_cast<std::int64_t>(labels.size()); }
  /// Tokens of pair `i`.
  std::int64_t pairTokens(std::int64_t i) const;
};

/// Encodes every kept pair of `split`. `separate`: the separate encoding; `seq_len` >= the
/// special tokens plus 1 (the caller validates). An empty sentence of the separate GPT-2 encoding
/// becomes one <|endoftext|> so that every sequence has a token.
EncodedPairs encodePairs(const SnliSplit& split, const Tokenizer& tokenizer, bool separate,
                         std::int64_t seq_len);

}  // namespace gwb
