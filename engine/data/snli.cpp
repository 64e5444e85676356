// SNLI reading (JSONL and header-driven tab-separated files), label handling, tokenisation and
// caching. The cache stores each kept pair as: label, premise length, premise ids, hypothesis
// length, hypothesis ids.
#include "engine/data/snli.h"

#include <filesystem>
#include <nlohmann/json.hpp>

#include "engine/data/token_cache.h"
#include "engine/tokenizers/tokenizer.h"
#include "engine/util/error.h"
#include "engine/util/file_io.h"
#include "engine/util/paths.h"

namespace fs = std::filesystem;

namespace gwb {
namespace {

bool endsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Splits `text` into lines without their '\n' (and a trailing '\r'); a final newline ends the
// last line rather than starting an empty one.
std::vector<std::string_view> splitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    start = end + 1;
  }
  return lines;
}

std::vector<std::string_view> splitTabs(std::string_view line) {
  std::vector<std::string_view> fields;
  std::size_t start = 0;
  for (;;) {
    const std::size_t tab = line.find('\t', start);
    fields.push_back(line.substr(start, tab == std::string_view::npos ? tab : tab - start));
    if (tab == std::string_view::npos) break;
    start = tab + 1;
  }
  return fields;
}

constexpr const char* kColumns[] = {"gold_label", "sentence1", "sentence2"};

std::vector<SnliRecord> readJsonl(const std::string& path, const std::string& text) {
  std::vector<SnliRecord> records;
  long number = 0;
  for (std::string_view line : splitLines(text)) {
    ++number;
    nlohmann::json row;
    try {
      row = nlohmann::json::parse(line);
    } catch (const nlohmann::json::exception& e) {  // also a number that overflows
      throw InputError({path, number},
                       expectedGot("a JSON object", line.empty() ? "an empty line" : e.what()));
    }
    if (!row.is_object()) {
      throw InputError({path, number}, expectedGot("a JSON object", row.type_name()));
    }
    std::string values[3];
    for (int k = 0; k < 3; ++k) {
      const auto it = row.find(kColumns[k]);
      if (it == row.end() || !it->is_string()) {
        throw InputError(
            {path, number, kColumns[k]},
            expectedGot("a string", it == row.end() ? "no such field" : it->type_name()));
      }
      values[k] = it->get<std::string>();
    }
    records.push_back({number, std::move(values[0]), std::move(values[1]), std::move(values[2])});
  }
  return records;
}

std::vector<SnliRecord> readTabular(const std::string& path, const std::string& text) {
  const std::vector<std::string_view> lines = splitLines(text);
  if (lines.empty()) throw InputError({path, 1}, expectedGot("a header line", "an empty file"));
  const std::vector<std::string_view> header = splitTabs(lines[0]);
  std::size_t column[3];
  for (int k = 0; k < 3; ++k) {
    std::size_t c = 0;
    while (c < header.size() && header[c] != kColumns[k]) ++c;
    if (c == header.size()) {
      throw InputError({path, 1, kColumns[k]}, expectedGot("a header column", "none"));
    }
    column[k] = c;
  }
  std::vector<SnliRecord> records;
  records.reserve(lines.size());
  for (std::size_t i = 1; i < lines.size(); ++i) {
    const long number = static_cast<long>(i + 1);
    const std::vector<std::string_view> fields = splitTabs(lines[i]);
    for (int k = 0; k < 3; ++k) {
      if (column[k] >= fields.size()) {
        throw InputError({path, number, kColumns[k]},
                         expectedGot("a field in column " + std::to_string(column[k] + 1),
                                     "a row of " + std::to_string(fields.size()) + " fields"));
      }
    }
    records.push_back({number, std::string(fields[column[0]]), std::string(fields[column[1]]),
                       std::string(fields[column[2]])});
  }
  return records;
}

int labelIndex(const SnliRecord& record, const std::string& path) {
  for (int k = 0; k < kSnliClasses; ++k) {
    if (record.gold_label == snliClassName(k)) return k;
  }
  if (record.gold_label == "-") return -1;
  throw InputError(
      {path, record.line, "gold_label"},
      expectedGot("entailment, neutral, contradiction or -", quoteForMessage(record.gold_label)));
}

}  // namespace

const std::vector<std::string>& snliSplits() {
  static const std::vector<std::string> splits = {"train", "dev", "test"};
  return splits;
}

std::string findSnliFile(const std::string& dir, const std::string& split,
                         const std::string& format) {
  const fs::path root = dir.empty() ? fs::path(embeddedDir("snli")) : fs::path(dir);
  if (split != "train" && split != "dev" && split != "test") {
    throw InputError({"", 0, "split"}, expectedGot("train, dev or test", "\"" + split + "\""));
  }
  std::vector<std::string> extensions;
  for (const char* ext : {"jsonl", "txt", "tsv"}) {
    if (format == "auto" || format == ext) extensions.push_back(ext);
  }
  if (extensions.empty()) {
    throw InputError({"", 0, "data.format"},
                     expectedGot("auto, jsonl, txt or tsv for snli", "\"" + format + "\""));
  }
  std::vector<std::string> stems = {"snli_1.0_" + split};
  if (split == "train") stems.push_back("snli_1.0_train_0.01");
  for (const std::string& stem : stems) {
    for (const std::string& ext : extensions) {
      for (const char* gz : {"", ".gz"}) {
        const fs::path candidate = root / (stem + "." + ext + gz);
        std::error_code ec;
        if (fs::is_regular_file(candidate, ec)) return candidate.string();
      }
    }
  }
  std::string expected = "an SNLI " + split + " file (" + stems.front() + ".{";
  for (std::size_t i = 0; i < extensions.size(); ++i) expected += (i ? "," : "") + extensions[i];
  expected += "}[.gz]" + std::string(split == "train" ? " or the 1% sample" : "") + ")";
  throw InputError({(root / (stems.front() + "." + extensions.front())).string()},
                   expectedGot(expected, "none"));
}

std::vector<SnliRecord> readSnliRecords(const std::string& path) {
  const DataFile file = readDataFile(path);
  return parseSnliRecords(file.content(), path);
}

std::vector<SnliRecord> parseSnliRecords(const std::string& text, const std::string& path) {
  checkUtf8(text, path);
  std::string name = fs::path(path).filename().string();
  if (endsWith(name, ".gz")) name.resize(name.size() - 3);
  if (endsWith(name, ".jsonl")) return readJsonl(path, text);
  if (endsWith(name, ".txt") || endsWith(name, ".tsv")) return readTabular(path, text);
  throw InputError({path},
                   expectedGot("a .jsonl, .txt or .tsv file (plain or .gz)", "\"" + name + "\""));
}

std::int64_t SnliSplit::pairTokens(const Tokenizer& tokenizer) const {
  std::int64_t total = 0;
  for (const SnliExample& example : examples) {
    total += static_cast<std::int64_t>(example.premise.size() + example.hypothesis.size()) +
             tokenizer.pairOverhead();
  }
  return total;
}

SnliSplit loadSnliSplit(const std::string& dir, const std::string& split, const std::string& format,
                        const Tokenizer& tokenizer, const TokenCache& cache) {
  SnliSplit out;
  out.file = absolutePath(findSnliFile(dir, split, format));
  out.source_sha256 = readDataFile(out.file).stored_sha256;
  const TokenCache::Key key{"snli-" + split + "-" + tokenizer.name(),
                            {out.source_sha256, tokenizer.fingerprint(), "pairs-v1"}};
  if (auto entry = cache.load(key)) {
    out.pairs = entry->stats["pairs"];
    out.dropped = entry->stats["dropped"];
    const std::vector<std::int32_t>& flat = entry->ids;
    bool ok = true;
    for (std::size_t pos = 0; ok && pos < flat.size();) {
      SnliExample example;
      example.label = flat[pos++];
      for (auto* sentence : {&example.premise, &example.hypothesis}) {
        ok = ok && pos < flat.size() && flat[pos] >= 0 &&
             static_cast<std::size_t>(flat[pos]) <= flat.size() - pos - 1;
        if (!ok) break;
        const std::size_t len = static_cast<std::size_t>(flat[pos++]);
        sentence->assign(flat.begin() + pos, flat.begin() + pos + len);
        pos += len;
      }
      ok = ok && example.label >= 0 && example.label < kSnliClasses;
      if (ok) {
        ++out.label_counts[example.label];
        out.examples.push_back(std::move(example));
      }
    }
    if (ok && static_cast<std::int64_t>(out.examples.size()) == out.kept()) {
      out.from_cache = true;
      return out;
    }
    SnliSplit fresh;  // an entry inconsistent with its own counts: rebuild below
    fresh.file = out.file;
    fresh.source_sha256 = out.source_sha256;
    out = std::move(fresh);
  }
  const std::vector<SnliRecord> records = readSnliRecords(out.file);
  std::vector<std::int32_t> flat;
  for (const SnliRecord& record : records) {
    ++out.pairs;
    const int label = labelIndex(record, out.file);
    if (label < 0) {
      ++out.dropped;
      continue;
    }
    ++out.label_counts[label];
    SnliExample example;
    example.label = label;
    example.premise = tokenizer.encode(record.premise);
    example.hypothesis = tokenizer.encode(record.hypothesis);
    flat.push_back(label);
    for (const auto* sentence : {&example.premise, &example.hypothesis}) {
      flat.push_back(static_cast<std::int32_t>(sentence->size()));
      flat.insert(flat.end(), sentence->begin(), sentence->end());
    }
    out.examples.push_back(std::move(example));
  }
  cache.store(key, {{{"pairs", out.pairs}, {"dropped", out.dropped}}, std::move(flat)});
  return out;
}

}  // namespace gwb
