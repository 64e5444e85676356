// GPT-2 byte-level BPE. Pre-tokenisation is PCRE2 with JIT over the whole text; each piece's bytes
// are mapped to single-byte token ids, then merged pairwise by rank on integer ids (a hash map of
// id pairs), and the result cached per distinct piece.
#define PCRE2_CODE_UNIT_WIDTH 8
#include "engine/tokenizers/gpt2_bpe.h"

#include <pcre2.h>

#include <climits>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>

#include "engine/tokenizers/utf8.h"
#include "engine/util/error.h"
#include "engine/util/file_io.h"

namespace gwb {
namespace {

// The pre-tokenisation pattern of GPT-2's encoder.py (and tiktoken's "gpt2" encoding).
constexpr const char* kGpt2Pattern =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";
constexpr const char* kEndOfText = "<|endoftext|>";

std::uint64_t pairKey(std::int32_t a, std::int32_t b) {
  return (static_cast<std::uint64_t>(static_cast<std::uint32_t>(a)) << 32) |
         static_cast<std::uint32_t>(b);
}

long lineOfOffset(const std::string& text, std::size_t offset) {
  return countNewlines(std::string_view(text).substr(0, std::min(offset, text.size()))) + 1;
}

}  // namespace

const std::array<std::uint32_t, 256>& gpt2ByteToUnicode() {
  static const std::array<std::uint32_t, 256> table = [] {
    std::array<std::uint32_t, 256> t{};
    std::uint32_t next_free = 256;
    for (std::uint32_t b = 0; b < 256; ++b) {
      const bool printable = (b >= '!' && b <= '~') || (b >= 0xa1 && b <= 0xac) || (b >= 0xae);
      t[b] = printable ? b : next_free++;
    }
    return t;
  }();
  return table;
}

struct Gpt2Tokenizer::Pattern {
  pcre2_code* code = nullptr;
  bool jit = false;
  ~Pattern() { pcre2_code_free(code); }
};

Gpt2Tokenizer::~Gpt2Tokenizer() = default;

Gpt2Tokenizer::Gpt2Tokenizer(const std::string& vocab_json, const std::string& merges_file)
    : pattern_(std::make_unique<Pattern>()), cache_(kMaxCachedPieces) {
  // --- vocabulary: token -> id, ids 0..n-1 each exactly once, no key twice.
  const DataFile vocab = readDataFile(vocab_json);
  const std::string vocab_text = vocab.content();
  checkUtf8(vocab_text, vocab_json);
  nlohmann::json object;
  std::unordered_map<std::string, int> seen_keys;
  try {
    object = nlohmann::json::parse(
        vocab_text, [&](int depth, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
          if (depth == 1 && event == nlohmann::json::parse_event_t::key) {
            const std::string key = parsed.get<std::string>();
            if (!seen_keys.emplace(key, 1).second) {
              throw InputError({vocab_json, 0, quoteForMessage(key)},
                               expectedGot("each token once", "it twice"));
            }
          }
          return true;
        });
  } catch (const nlohmann::json::parse_error& e) {
    throw InputError({vocab_json, lineOfOffset(vocab_text, e.byte)},
                     expectedGot("a JSON object of token ids", e.what()));
  } catch (const nlohmann::json::exception& e) {  // out_of_range: a number that overflows
    throw InputError({vocab_json}, expectedGot("a JSON object of token ids", e.what()));
  }
  if (!object.is_object() || object.empty()) {
    throw InputError({vocab_json},
                     expectedGot("a JSON object mapping tokens to ids", object.type_name()));
  }
  // Ids must be 0..n-1, each used once: unique integers, none missing.
  std::unordered_map<std::int64_t, std::string> token_of_id;
  for (const auto& [token, value] : object.items()) {
    if (!value.is_number_integer() || value.get<std::int64_t>() < 0) {
      throw InputError({vocab_json, 0, quoteForMessage(token)},
                       expectedGot("a non-negative integer id", value.dump()));
    }
    const auto id = value.get<std::int64_t>();
    const auto [it, inserted] = token_of_id.emplace(id, token);
    if (!inserted) {
      throw InputError({vocab_json, 0, quoteForMessage(token)},
                       expectedGot("a unique id", std::to_string(id) + ", also the id of " +
                                                      quoteForMessage(it->second)));
    }
  }
  tokens_.resize(object.size());
  std::unordered_map<std::string, std::int32_t> ids;
  ids.reserve(object.size());
  for (std::size_t id = 0; id < tokens_.size(); ++id) {
    const auto it = token_of_id.find(static_cast<std::int64_t>(id));
    if (it == token_of_id.end()) {
      throw InputError({vocab_json}, expectedGot("ids 0.." + std::to_string(tokens_.size() - 1) +
                                                     " each used once",
                                                 "no token with id " + std::to_string(id)));
    }
    tokens_[id] = it->second;
    ids.emplace(it->second, static_cast<std::int32_t>(id));
  }

  // --- byte tokens and the reverse byte map for decoding.
  const auto& byte_to_unicode = gpt2ByteToUnicode();
  std::unordered_map<std::uint32_t, unsigned char> unicode_to_byte;
  for (int b = 0; b < 256; ++b) {
    unicode_to_byte[byte_to_unicode[b]] = static_cast<unsigned char>(b);
    std::string symbol;
    utf8::append(byte_to_unicode[b], symbol);
    const auto it = ids.find(symbol);
    if (it == ids.end()) {
      throw InputError({vocab_json, 0, quoteForMessage(symbol)},
                       expectedGot("a token for every byte", "none for byte " + std::to_string(b)));
    }
    byte_ids_[b] = it->second;
  }
  token_bytes_.resize(tokens_.size());
  for (std::size_t id = 0; id < tokens_.size(); ++id) {
    const std::string& token = tokens_[id];
    std::string& bytes = token_bytes_[id];
    for (std::size_t i = 0; i < token.size();) {
      const std::uint32_t cp = utf8::next(token, i);
      const auto it = unicode_to_byte.find(cp);
      if (it == unicode_to_byte.end()) {  // an added token spelled in plain text
        bytes = token;
        break;
      }
      bytes += static_cast<char>(it->second);
    }
  }
  if (const auto it = ids.find(kEndOfText); it != ids.end()) end_of_text_ = it->second;

  // --- merges, in rank order. A repeated pair keeps its last rank, as encoder.py's dict does.
  const DataFile merges = readDataFile(merges_file);
  const std::string merges_text = merges.content();
  checkUtf8(merges_text, merges_file);
  std::istringstream lines(merges_text);
  std::string line;
  long number = 0;
  std::int32_t rank = 0;
  while (std::getline(lines, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (number == 1 && line.rfind("#version", 0) == 0) continue;
    if (line.empty() && lines.peek() == std::char_traits<char>::eof()) break;
    const auto space = line.find(' ');
    if (space == std::string::npos || space == 0 || space + 1 == line.size() ||
        line.find(' ', space + 1) != std::string::npos) {
      throw InputError({merges_file, number},
                       expectedGot("two tokens separated by one space", quoteForMessage(line)));
    }
    const std::string left = line.substr(0, space);
    const std::string right = line.substr(space + 1);
    const auto idOf = [&](const std::string& token) {
      const auto it = ids.find(token);
      if (it == ids.end()) {
        throw InputError({merges_file, number, quoteForMessage(token)},
                         expectedGot("a token of " + vocab_json, "none"));
      }
      return it->second;
    };
    const std::int32_t l = idOf(left), r = idOf(right), merged = idOf(left + right);
    merges_[pairKey(l, r)] = Merge{rank++, merged};
  }

  // --- the pre-tokenisation pattern.
  int error_code = 0;
  PCRE2_SIZE error_offset = 0;
  pattern_->code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(kGpt2Pattern), PCRE2_ZERO_TERMINATED,
                                 PCRE2_UTF | PCRE2_UCP, &error_code, &error_offset, nullptr);
  if (!pattern_->code) throw std::runtime_error("PCRE2 could not compile the GPT-2 pattern");
  pattern_->jit = pcre2_jit_compile(pattern_->code, PCRE2_JIT_COMPLETE) == 0;

  fingerprint_ = sha256Hex("gpt2\n" + std::to_string(kTokenizerVersion) + "\n" +
                           vocab.stored_sha256 + "\n" + merges.stored_sha256);
  vocab_files_ = {vocab_json, merges_file};
}

template <typename Visit>
void Gpt2Tokenizer::forEachPiece(std::string_view text, Visit&& visit) const {
  pcre2_match_data* match = pcre2_match_data_create_from_pattern(pattern_->code, nullptr);
  std::unique_ptr<pcre2_match_data, void (*)(pcre2_match_data*)> guard(match,
                                                                       pcre2_match_data_free);
  const auto* subject = reinterpret_cast<PCRE2_SPTR>(text.data());
  PCRE2_SIZE offset = 0;
  while (offset < text.size()) {
    const int rc = pattern_->jit ? pcre2_jit_match(pattern_->code, subject, text.size(), offset,
                                                   PCRE2_NO_UTF_CHECK, match, nullptr)
                                 : pcre2_match(pattern_->code, subject, text.size(), offset,
                                               PCRE2_NO_UTF_CHECK, match, nullptr);
    if (rc < 0) break;  // cannot happen: the last alternatives cover every character
    const PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(match);
    visit(text.substr(ovector[0], ovector[1] - ovector[0]));
    offset = ovector[1];
  }
}

void Gpt2Tokenizer::bpe(std::string_view piece, std::vector<std::int32_t>& out) const {
  std::vector<std::int32_t> symbols;
  symbols.reserve(piece.size());
  for (char c : piece) symbols.push_back(byte_ids_[static_cast<unsigned char>(c)]);
  while (symbols.size() > 1) {
    std::int32_t best_rank = std::numeric_limits<std::int32_t>::max();
    std::uint64_t best_pair = 0;
    std::int32_t best_id = -1;
    for (std::size_t i = 0; i + 1 < symbols.size(); ++i) {
      const auto it = merges_.find(pairKey(symbols[i], symbols[i + 1]));
      if (it != merges_.end() && it->second.rank < best_rank) {
        best_rank = it->second.rank;
        best_pair = it->first;
        best_id = it->second.id;
      }
    }
    if (best_id < 0) break;
    // Merge every occurrence of the best pair, left to right.
    std::size_t write = 0;
    for (std::size_t read = 0; read < symbols.size(); ++write) {
      if (read + 1 < symbols.size() && pairKey(symbols[read], symbols[read + 1]) == best_pair) {
        symbols[write] = best_id;
        read += 2;
      } else {
        symbols[write] = symbols[read++];
      }
    }
    symbols.resize(write);
  }
  out.insert(out.end(), symbols.begin(), symbols.end());
}

void Gpt2Tokenizer::encodeAppend(std::string_view text, std::vector<std::int32_t>& out) const {
  std::lock_guard<std::mutex> lock(cache_mutex_);
  forEachPiece(text, [&](std::string_view piece) {
    if (piece.size() == 1) {
      out.push_back(byte_ids_[static_cast<unsigned char>(piece[0])]);
      return;
    }
    cache_.append(piece, out, [this](const std::string& p, auto& ids) { bpe(p, ids); });
  });
}

std::vector<std::string> Gpt2Tokenizer::preTokenize(std::string_view text) const {
  std::vector<std::string> pieces;
  forEachPiece(text, [&](std::string_view piece) { pieces.emplace_back(piece); });
  return pieces;
}

std::vector<std::int32_t> Gpt2Tokenizer::joinPair(const std::vector<std::int32_t>& a,
                                                  const std::vector<std::int32_t>& b) const {
  if (end_of_text_ < 0) {
    throw InputError({vocab_files_.at(0), 0, kEndOfText},
                     expectedGot("a token to join sentence pairs", "none"));
  }
  std::vector<std::int32_t> ids;
  ids.reserve(a.size() + b.size() + 1);
  ids.insert(ids.end(), a.begin(), a.end());
  ids.push_back(end_of_text_);
  ids.insert(ids.end(), b.begin(), b.end());
  return ids;
}

std::string Gpt2Tokenizer::decode(const std::vector<std::int32_t>& ids) const {
  std::string text;
  for (std::int32_t id : ids) text += token_bytes_.at(id);
  return text;
}

}  // namespace gwb
