// SNLI 1.0 as (premise, hypothesis, label) triples (SPEC §3), from the official `.jsonl` or
// 14-column `.txt`, or a 4-column `.tsv`, each plain or .gz; tabular files are read by their
// header. Pairs whose gold label is "-" are dropped and counted; anything else malformed is an
// InputError naming the file and line.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/config/tasks.h"

namespace gwb {

class Tokenizer;
class TokenCache;

enum class SnliLabel : std::int32_t { Entailment = 0, Neutral = 1, Contradiction = 2 };

/// The splits, in order: "train", "dev", "test".
const std::vector<std::string>& snliSplits();

/// The file of `split` in `dir` (empty: the embedded copy): `snli_1.0_<split>` (for train, else
/// the 1% sample `snli_1.0_train_0.01`) with extension .jsonl, .txt or .tsv (`format` "auto"
/// tries them in that order), plain before .gz. Throws InputError if there is none.
std::string findSnliFile(const std::string& dir, const std::string& split,
                         const std::string& format = "auto");

/// One row of an SNLI file as written.
struct SnliRecord {
  long line = 0;           ///< 1-based line in the file
  std::string gold_label;  ///< "entailment", "neutral", "contradiction" or "-"
  std::string premise;     ///< sentence1
  std::string hypothesis;  ///< sentence2
};

/// Reads every record of `path` (format from its name). InputError on a malformed line.
std::vector<SnliRecord> readSnliRecords(const std::string& path);
/// The same for text already read (and decompressed); `path` names it and gives the format.
std::vector<SnliRecord> parseSnliRecords(const std::string& text, const std::string& path);

struct SnliExample {
  std::int32_t label = 0;                         ///< SnliLabel
  std::vector<std::int32_t> premise, hypothesis;  ///< ids without special tokens
};

struct SnliSplit {
  std::string file;
  std::string source_sha256;
  std::int64_t pairs = 0;    ///< records in the file
  std::int64_t dropped = 0;  ///< records with gold label "-"
  std::array<std::int64_t, kSnliClasses> label_counts{};
  std::vector<SnliExample> examples;  ///< the kept pairs, in file order
  bool from_cache = false;

  std::int64_t kept() const { return pairs - dropped; }
  /// Sum over kept pairs of the length of the tokenizer's pair encoding.
  std::int64_t pairTokens(const Tokenizer& tokenizer) const;
};

/// Loads and tokenises `split` of the SNLI folder `dir` (empty: embedded), through `cache`.
SnliSplit loadSnliSplit(const std::string& dir, const std::string& split, const std::string& format,
                        const Tokenizer& tokenizer, const TokenCache& cache);

}  // namespace gwb
