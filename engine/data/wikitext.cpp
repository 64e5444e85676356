// Wikitext-2 loading: file lookup, the two token-stream rules, and the token cache.
#include "engine/data/wikitext.h"

#include <filesystem>

#include "engine/data/token_cache.h"
#include "engine/tokenizers/bert_wordpiece.h"
#include "engine/tokenizers/utf8.h"
#include "engine/util/error.h"
#include "engine/util/file_io.h"
#include "engine/util/paths.h"

namespace fs = std::filesystem;

namespace gwb {
namespace {

// Python's str.isspace() for the characters a strip() removes (White_Space and \x1c..\x1f).
bool isStripSpace(std::uint32_t cp) {
  return (cp >= 0x09 && cp <= 0x0d) || (cp >= 0x1c && cp <= 0x20) || cp == 0x85 || cp == 0xa0 ||
         cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200a) || cp == 0x2028 || cp == 0x2029 ||
         cp == 0x202f || cp == 0x205f || cp == 0x3000;
}

bool isBlank(std::string_view line) {
  for (std::size_t i = 0; i < line.size();) {
    if (!isStripSpace(utf8::next(line, i))) return false;
  }
  return true;
}

template <typename Visit>
void forEachLine(std::string_view text, Visit&& visit) {
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    visit(text.substr(start, end - start));
    start = end + 1;
  }
}

}  // namespace

const std::vector<std::string>& wikitextSplits() {
  static const std::vector<std::string> splits = {"train", "valid", "test"};
  return splits;
}

std::string findWikitextFile(const std::string& dir, const std::string& split,
                             const std::string& format) {
  const fs::path root = dir.empty() ? fs::path(embeddedDir("wikitext-2")) : fs::path(dir);
  if (split != "train" && split != "valid" && split != "test") {
    throw InputError({"", 0, "split"}, expectedGot("train, valid or test", "\"" + split + "\""));
  }
  std::vector<std::string> kinds;
  if (format == "auto" || format == "tokens") kinds.push_back("tokens");
  if (format == "auto" || format == "raw") kinds.push_back("raw");
  if (kinds.empty()) {
    throw InputError({"", 0, "data.format"},
                     expectedGot("auto, tokens or raw for wikitext2", "\"" + format + "\""));
  }
  std::string tried;
  for (const std::string& kind : kinds) {
    for (const char* suffix : {"", ".gz"}) {
      const fs::path candidate = root / ("wiki." + split + "." + kind + suffix);
      std::error_code ec;
      if (fs::is_regular_file(candidate, ec)) return candidate.string();
      tried += (tried.empty() ? "" : ", ") + candidate.filename().string();
    }
  }
  throw InputError({(root / ("wiki." + split + "." + kinds.front())).string()},
                   expectedGot("a Wikitext-2 " + split + " file (" + tried + ")", "none"));
}

std::vector<std::int32_t> wikitextTokenStream(const std::string& text, const Tokenizer& tokenizer,
                                              const std::string& gpt2_rows) {
  std::vector<std::int32_t> ids;
  ids.reserve(text.size() / 4);
  if (tokenizer.kind() == TokenizerKind::Gpt2) {
    if (gpt2_rows != "nonempty") {
      tokenizer.encodeAppend(text, ids);
      return ids;
    }
    std::string joined;  // row1 "\n" "\n" row2 "\n" ...: each row keeps its newline
    joined.reserve(text.size());
    forEachLine(text, [&](std::string_view line) {
      if (isBlank(line)) return;
      if (!joined.empty()) joined += '\n';
      joined.append(line);
      joined += '\n';
    });
    tokenizer.encodeAppend(joined, ids);
    return ids;
  }
  std::string joined;
  joined.reserve(text.size());
  forEachLine(text, [&](std::string_view line) {
    if (isBlank(line)) return;
    if (!joined.empty()) joined += '\n';
    joined.append(line);  // stripping changes no BERT id: whitespace only separates words
  });
  const auto& bert = dynamic_cast<const BertTokenizer&>(tokenizer);
  ids.push_back(bert.clsId());
  bert.encodeAppend(joined, ids);
  ids.push_back(bert.sepId());
  return ids;
}

TokenStream loadWikitextSplit(const std::string& dir, const std::string& split,
                              const std::string& format, const Tokenizer& tokenizer,
                              const TokenCache& cache, const std::string& gpt2_rows) {
  TokenStream stream;
  const bool nonempty = gpt2_rows == "nonempty" && tokenizer.kind() == TokenizerKind::Gpt2;
  stream.file = absolutePath(findWikitextFile(dir, split, format));
  const DataFile file = readDataFile(stream.file);
  stream.source_sha256 = file.stored_sha256;
  const TokenCache::Key key{
      "wikitext2-" + split + "-" + tokenizer.name(),
      {file.stored_sha256, tokenizer.fingerprint(), nonempty ? "stream-v1-nonempty" : "stream-v1"}};
  if (auto entry = cache.load(key)) {
    stream.ids = std::move(entry->ids);
    stream.lines = entry->stats["lines"];
    stream.nonempty_lines = entry->stats["nonempty_lines"];
    stream.from_cache = true;
    return stream;
  }
  const std::string text = file.content();
  checkUtf8(text, stream.file);
  stream.lines = countNewlines(text);
  forEachLine(text, [&](std::string_view line) { stream.nonempty_lines += !isBlank(line); });
  stream.ids = wikitextTokenStream(text, tokenizer, nonempty ? "nonempty" : "file");
  cache.store(key,
              {{{"lines", stream.lines}, {"nonempty_lines", stream.nonempty_lines}}, stream.ids});
  return stream;
}

}  // namespace gwb
