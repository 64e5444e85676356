// BERT WordPiece. Normalisation runs in one pass over the text with an ASCII fast path; maximal
// runs of non-ASCII characters go through utf8proc (NFD with canonical reordering, categories,
// lowercase). WordPiece results are cached per word.
#include "engine/tokenizers/bert_wordpiece.h"

#include <utf8proc.h>

#include <sstream>

#include "engine/tokenizers/utf8.h"
#include "engine/util/error.h"
#include "engine/util/file_io.h"

namespace gwb {
namespace {

// Hugging Face's is_control: "other" categories (Cc, Cf, Cs, Co, Cn) except \t \n \r.
bool isControl(std::uint32_t cp, utf8proc_category_t category) {
  if (cp == '\t' || cp == '\n' || cp == '\r') return false;
  return category == UTF8PROC_CATEGORY_CC || category == UTF8PROC_CATEGORY_CF ||
         category == UTF8PROC_CATEGORY_CS || category == UTF8PROC_CATEGORY_CO ||
         category == UTF8PROC_CATEGORY_CN;
}

// Rust's char::is_whitespace (the Unicode White_Space property): Zs, Zl, Zp, \t..\r and U+0085.
bool isWhitespace(std::uint32_t cp, utf8proc_category_t category) {
  return (cp >= 0x09 && cp <= 0x0d) || cp == 0x85 || category == UTF8PROC_CATEGORY_ZS ||
         category == UTF8PROC_CATEGORY_ZL || category == UTF8PROC_CATEGORY_ZP;
}

// BERT's definition of a CJK ideograph (the CJK Unified Ideographs blocks, not all of CJK).
bool isCjk(std::uint32_t cp) {
  return (cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0x3400 && cp <= 0x4dbf) ||
         (cp >= 0x20000 && cp <= 0x2a6df) || (cp >= 0x2a700 && cp <= 0x2b73f) ||
         (cp >= 0x2b740 && cp <= 0x2b81f) || (cp >= 0x2b820 && cp <= 0x2ceaf) ||
         (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0x2f800 && cp <= 0x2fa1f);
}

bool isAsciiPunctuation(std::uint32_t cp) {
  return (cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) ||
         (cp >= 123 && cp <= 126);
}

// BERT's punctuation: ASCII punctuation (which includes $ + < = > ^ ` | ~) or any P* category.
bool isPunctuation(std::uint32_t cp) {
  if (cp < 0x80) return isAsciiPunctuation(cp);
  switch (utf8proc_category(static_cast<utf8proc_int32_t>(cp))) {
    case UTF8PROC_CATEGORY_PC:
    case UTF8PROC_CATEGORY_PD:
    case UTF8PROC_CATEGORY_PS:
    case UTF8PROC_CATEGORY_PE:
    case UTF8PROC_CATEGORY_PI:
    case UTF8PROC_CATEGORY_PF:
    case UTF8PROC_CATEGORY_PO:
      return true;
    default:
      return false;
  }
}

// NFD of a run of non-ASCII code points (already cleaned), non-spacing marks dropped, lowercased,
// appended to `out` as UTF-8. ASCII characters are NFD starters without decomposition, so
// normalising the runs between them separately gives the same result as the whole text.
void decomposeStripLower(const std::string& run, std::string& out) {
  if (run.empty()) return;
  std::vector<utf8proc_int32_t> buffer(run.size() * 4 + 8);
  const auto options = static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_DECOMPOSE);
  utf8proc_ssize_t n = utf8proc_decompose(reinterpret_cast<const utf8proc_uint8_t*>(run.data()),
                                          static_cast<utf8proc_ssize_t>(run.size()), buffer.data(),
                                          static_cast<utf8proc_ssize_t>(buffer.size()), options);
  if (n > static_cast<utf8proc_ssize_t>(buffer.size())) {
    buffer.resize(static_cast<std::size_t>(n));
    n = utf8proc_decompose(reinterpret_cast<const utf8proc_uint8_t*>(run.data()),
                           static_cast<utf8proc_ssize_t>(run.size()), buffer.data(), n, options);
  }
  if (n < 0) throw std::runtime_error(utf8proc_errmsg(n));
  for (utf8proc_ssize_t i = 0; i < n; ++i) {
    const utf8proc_int32_t cp = buffer[i];
    if (utf8proc_category(cp) == UTF8PROC_CATEGORY_MN) continue;
    utf8::append(static_cast<std::uint32_t>(utf8proc_tolower(cp)), out);
  }
}

}  // namespace

BertTokenizer::BertTokenizer(const std::string& vocab_txt) : cache_(kMaxCachedWords) {
  const DataFile file = readDataFile(vocab_txt);
  const std::string text = file.content();
  checkUtf8(text, vocab_txt);
  std::istringstream lines(text);
  std::string line;
  long number = 0;
  while (std::getline(lines, line)) {
    ++number;
    // Trailing whitespace (a CR, spaces) is not part of the token, as in Hugging Face's reader.
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) {
      line.pop_back();
    }
    if (line.empty()) {
      throw InputError({vocab_txt, number}, expectedGot("a token", "an empty line"));
    }
    const auto id = static_cast<std::int32_t>(tokens_.size());
    const auto [it, inserted] = ids_.emplace(line, id);
    if (!inserted) {
      throw InputError({vocab_txt, number, quoteForMessage(line)},
                       expectedGot("each token once (id = line - 1)",
                                   "it again after line " + std::to_string(it->second + 1)));
    }
    tokens_.push_back(line);
  }
  const auto special = [&](const char* token, bool required) {
    const auto it = ids_.find(token);
    if (it == ids_.end() && required) {
      throw InputError({vocab_txt, 0, token}, expectedGot("this special token", "none"));
    }
    return it == ids_.end() ? -1 : it->second;
  };
  unk_ = special("[UNK]", true);
  cls_ = special("[CLS]", true);
  sep_ = special("[SEP]", true);
  pad_ = special("[PAD]", false);
  fingerprint_ =
      sha256Hex("bert\n" + std::to_string(kTokenizerVersion) + "\n" + file.stored_sha256);
  vocab_files_ = {vocab_txt};
}

std::string BertTokenizer::normalize(std::string_view text) const {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  std::string run;  // pending non-ASCII characters for NFD
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      decomposeStripLower(run, out);
      run.clear();
      ++i;
      if (c == '\t' || c == '\n' || c == '\r' || c == ' ') {
        out += ' ';
      } else if (c < 0x20 || c == 0x7f) {
        // control characters (NUL, \v and \f included) are removed
      } else {
        out += static_cast<char>(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
      }
      continue;
    }
    const std::size_t start = i;
    const std::uint32_t cp = utf8::next(text, i);
    const auto category = utf8proc_category(static_cast<utf8proc_int32_t>(cp));
    if (cp == 0xfffd || isControl(cp, category)) continue;
    if (isWhitespace(cp, category) || isCjk(cp)) {
      decomposeStripLower(run, out);
      run.clear();
      if (isCjk(cp)) {
        out += ' ';
        decomposeStripLower(std::string(text.substr(start, i - start)), out);
      }
      out += ' ';
      continue;
    }
    run.append(text.substr(start, i - start));
  }
  decomposeStripLower(run, out);
  return out;
}

template <typename Visit>
void BertTokenizer::forEachWord(const std::string& normalized, Visit&& visit) const {
  // After normalize() the only whitespace left is ' '.
  std::size_t word_start = 0;
  std::size_t i = 0;
  const auto flush = [&](std::size_t end) {
    if (end > word_start) visit(std::string_view(normalized).substr(word_start, end - word_start));
  };
  while (i < normalized.size()) {
    const std::size_t start = i;
    const std::uint32_t cp = utf8::next(normalized, i);
    if (cp == ' ') {
      flush(start);
      word_start = i;
    } else if (isPunctuation(cp)) {
      flush(start);
      visit(std::string_view(normalized).substr(start, i - start));
      word_start = i;
    }
  }
  flush(normalized.size());
}

std::vector<std::string> BertTokenizer::words(std::string_view text) const {
  std::vector<std::string> out;
  forEachWord(normalize(text), [&](std::string_view word) { out.emplace_back(word); });
  return out;
}

void BertTokenizer::wordPiece(const std::string& word, std::vector<std::int32_t>& out) const {
  if (utf8::length(word) > kMaxWordChars) {
    out.push_back(unk_);
    return;
  }
  const std::size_t first = out.size();
  std::string candidate;
  std::size_t start = 0;
  while (start < word.size()) {
    std::size_t end = word.size();
    std::int32_t found = -1;
    while (end > start) {
      candidate.assign(start > 0 ? "##" : "");
      candidate.append(word, start, end - start);
      const auto it = ids_.find(candidate);
      if (it != ids_.end()) {
        found = it->second;
        break;
      }
      do {  // step back one character
        --end;
      } while (end > start && (static_cast<unsigned char>(word[end]) & 0xc0) == 0x80);
    }
    if (found < 0) {
      out.resize(first);
      out.push_back(unk_);
      return;
    }
    out.push_back(found);
    start = end;
  }
}

void BertTokenizer::encodeAppend(std::string_view text, std::vector<std::int32_t>& out) const {
  const std::string normalized = normalize(text);
  std::lock_guard<std::mutex> lock(cache_mutex_);
  forEachWord(normalized, [&](std::string_view word) {
    cache_.append(word, out, [this](const std::string& w, auto& ids) { wordPiece(w, ids); });
  });
}

std::vector<std::int32_t> BertTokenizer::joinPair(const std::vector<std::int32_t>& a,
                                                  const std::vector<std::int32_t>& b) const {
  std::vector<std::int32_t> ids;
  ids.reserve(a.size() + b.size() + 3);
  ids.push_back(cls_);
  ids.insert(ids.end(), a.begin(), a.end());
  ids.push_back(sep_);
  ids.insert(ids.end(), b.begin(), b.end());
  ids.push_back(sep_);
  return ids;
}

std::vector<std::int32_t> BertTokenizer::wrapSingle(const std::vector<std::int32_t>& s) const {
  std::vector<std::int32_t> ids;
  ids.reserve(s.size() + 2);
  ids.push_back(cls_);
  ids.insert(ids.end(), s.begin(), s.end());
  ids.push_back(sep_);
  return ids;
}

std::vector<std::int32_t> BertTokenizer::pairTypeIds(std::size_t len_a, std::size_t len_b) const {
  std::vector<std::int32_t> types(len_a + 2, 0);
  types.resize(len_a + len_b + 3, 1);
  return types;
}

std::string BertTokenizer::decode(const std::vector<std::int32_t>& ids) const {
  std::string text;
  for (std::int32_t id : ids) {
    if (id == cls_ || id == sep_ || id == pad_) continue;
    const std::string& token = tokens_.at(id);
    if (token.size() > 2 && token[0] == '#' && token[1] == '#' && !text.empty()) {
      text.append(token, 2, std::string::npos);
    } else {
      if (!text.empty()) text += ' ';
      text += token;
    }
  }
  return text;
}

}  // namespace gwb
