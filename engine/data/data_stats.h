// The per-split counts of `gwb data stats` (CONTRACTS.md), computed once here for both front ends:
// gwb prints them as JSON, the workbench's data page shows them in a table and a chart.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "engine/config/tasks.h"

namespace gwb {

/// What to count. An empty `dir` means the copy a run would use (an installed one, else the
/// embedded data: resolveTaskData); an empty `vocab_dir` the embedded vocabulary.
struct DataStatsRequest {
  std::string task = "wikitext2";  ///< "wikitext2" (alias "wikitext") or "snli"
  std::string tokenizer = "gpt2";  ///< "gpt2" or "bert"
  std::string dir;                 ///< data folder
  std::string format = "auto";     ///< see findWikitextFile / findSnliFile
  std::string vocab_dir;           ///< vocabulary folder
  std::int64_t seq_len = 256;      ///< chunk length for Wikitext-2's chunk count
  std::string targets = "shift";   ///< data.targets: next counts chunks of seq_len + 1
  std::string gpt2_rows = "file";  ///< data.gpt2_rows (GPT-2 streams)
};

struct SplitStats {
  std::string split;        ///< train / valid / test, or train / dev / test
  std::string file;         ///< absolute path of the file read
  std::int64_t tokens = 0;  ///< stream length (Wikitext) or sum of pair encodings (SNLI)
  bool from_cache = false;
  // Wikitext-2
  std::int64_t lines = 0, nonempty_lines = 0;
  std::int64_t chunks = 0;  ///< floor(tokens / L), or floor(tokens / (L + 1)) for targets next
  // SNLI
  std::int64_t pairs = 0, dropped = 0, kept = 0;
  std::array<std::int64_t, 3> labels{};  ///< entailment, neutral, contradiction
};

struct DataStats {
  std::string task;        ///< canonical: "wikitext2" or "snli"
  std::string tokenizer;   ///< "gpt2" or "bert"
  std::string dir;         ///< absolute data folder
  std::string source;      ///< "configured", "installed" or "embedded" (dataSourceName)
  std::string provenance;  ///< which copy, in words (DataResolution::provenance)
  std::string note;        ///< one line for people (DataResolution::note)
  std::int64_t seq_len = 0;
  std::string targets = "shift";  ///< how chunks were counted (Wikitext-2)
  std::vector<SplitStats> splits;
};

/// Loads every split through the standard token cache and counts it. `on_split` (optional) sees
/// each split as it completes and may return false to stop early (the result then holds the
/// splits done so far). `warn` receives cache warnings. Throws InputError on bad input.
DataStats computeDataStats(const DataStatsRequest& request,
                           const std::function<bool(const SplitStats&)>& on_split = {},
                           const std::function<void(const std::string&)>& warn = {});

}  // namespace gwb
