// Tokenizer benchmark: wall time of tokenising a whole Wikitext-2 split (default train, 10.8 MB)
// with GPT-2 BPE and BERT WordPiece on one thread, cold (fresh tokenizer, no token cache) and as a
// cached load (TokenCache hit), best of N repetitions. Prints one JSON document. Not a test.
//   gwb-tokenizer-bench [--split train] [--repeat 3] [--out-text FILE]
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "engine/data/token_cache.h"
#include "engine/data/wikitext.h"
#include "engine/tokenizers/tokenizer.h"
#include "engine/util/file_io.h"
#include "engine/util/paths.h"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

static double secondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

int main(int argc, char** argv) {
  std::string split = "train", out_text;
  int repeat = 3;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--split") split = argv[i + 1];
    if (flag == "--repeat") repeat = std::stoi(argv[i + 1]);
    if (flag == "--out-text") out_text = argv[i + 1];
  }
  try {
    const std::string file = gwb::findWikitextFile("", split);
    const std::string text = gwb::readDataFile(file).content();
    if (!out_text.empty()) gwb::writeFileAtomic(out_text, text);  // for an external tokenizer
    nlohmann::ordered_json out;
    out["file"] = file;
    out["bytes"] = text.size();
    const fs::path cache_dir = fs::temp_directory_path() / "gwb-tokenizer-bench-cache";
    fs::remove_all(cache_dir);
    for (const auto kind : {gwb::TokenizerKind::Gpt2, gwb::TokenizerKind::Bert}) {
      double load_s = 1e9, cold_s = 1e9, cached_s = 1e9;
      std::size_t tokens = 0;
      for (int r = 0; r < repeat; ++r) {
        auto start = Clock::now();
        const auto tokenizer = gwb::loadTokenizer(kind);
        load_s = std::min(load_s, secondsSince(start));
        start = Clock::now();
        tokens = gwb::wikitextTokenStream(text, *tokenizer).size();
        cold_s = std::min(cold_s, secondsSince(start));
      }
      const auto tokenizer = gwb::loadTokenizer(kind);
      const gwb::TokenCache cache(cache_dir.string());
      gwb::loadWikitextSplit("", split, "auto", *tokenizer, cache);  // fill the cache
      for (int r = 0; r < repeat; ++r) {
        const auto start = Clock::now();
        const auto stream = gwb::loadWikitextSplit("", split, "auto", *tokenizer, cache);
        cached_s = std::min(cached_s, secondsSince(start));
        if (!stream.from_cache) throw std::runtime_error("expected a cache hit");
      }
      nlohmann::ordered_json row;
      row["tokens"] = tokens;
      row["vocab_load_s"] = load_s;
      row["tokenize_s"] = cold_s;
      row["mb_per_s"] = text.size() / cold_s / 1e6;
      row["cached_load_s"] = cached_s;
      out[gwb::tokenizerName(kind)] = row;
    }
    fs::remove_all(cache_dir);
    std::cout << out.dump(2) << std::endl;
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "gwb-tokenizer-bench: error: " << e.what() << "\n";
    return 1;
  }
}
