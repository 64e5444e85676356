// The tokenizer factory: finds the vocabulary files of a folder and loads the right tokenizer.
#include "engine/tokenizers/tokenizer.h"

#include <filesystem>

#include "engine/tokenizers/bert_wordpiece.h"
#include "engine/tokenizers/gpt2_bpe.h"
#include "engine/util/error.h"
#include "engine/util/paths.h"

namespace fs = std::filesystem;

namespace gwb {

const char* tokenizerName(TokenizerKind kind) {
  return kind == TokenizerKind::Gpt2 ? "gpt2" : "bert";
}

TokenizerKind parseTokenizerKind(const std::string& name, const std::string& what) {
  if (name == "gpt2") return TokenizerKind::Gpt2;
  if (name == "bert") return TokenizerKind::Bert;
  throw InputError({"", 0, what}, expectedGot("gpt2 or bert", "\"" + name + "\""));
}

std::unique_ptr<Tokenizer> loadTokenizer(TokenizerKind kind, const std::string& vocab_dir) {
  const fs::path dir =
      vocab_dir.empty() ? fs::path(embeddedDir(tokenizerName(kind))) : fs::path(vocab_dir);
  std::error_code ec;
  const auto exists = [&](const char* name) { return fs::is_regular_file(dir / name, ec); };
  if (kind == TokenizerKind::Bert) {
    if (!exists("vocab.txt")) {
      throw InputError({(dir / "vocab.txt").string()},
                       expectedGot("a BERT WordPiece vocabulary", "no such file"));
    }
    return std::make_unique<BertTokenizer>((dir / "vocab.txt").string());
  }
  if (exists("encoder.json") && exists("vocab.bpe")) {
    return std::make_unique<Gpt2Tokenizer>((dir / "encoder.json").string(),
                                           (dir / "vocab.bpe").string());
  }
  if (exists("vocab.json") && exists("merges.txt")) {
    return std::make_unique<Gpt2Tokenizer>((dir / "vocab.json").string(),
                                           (dir / "merges.txt").string());
  }
  throw InputError(
      {dir.string()},
      expectedGot("encoder.json + vocab.bpe or vocab.json + merges.txt", "neither pair"));
}

}  // namespace gwb
