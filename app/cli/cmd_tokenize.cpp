// `gwb tokenize --tokenizer gpt2|bert [--pairs] [--vocab-dir DIR] FILE`: a JSON array of texts (or
// of [premise, hypothesis] pairs, BERT only) in, one JSON array of id arrays out, in input order.
#include <iostream>
#include <iterator>
#include <memory>

#include "app/cli/cli_common.h"
#include "engine/tokenizers/bert_wordpiece.h"
#include "engine/tokenizers/tokenizer.h"
#include "engine/util/error.h"
#include "engine/util/file_io.h"

namespace gwb::cli {
namespace {

struct TokenizeOptions {
  std::string tokenizer;
  std::string vocab_dir;
  bool pairs = false;
  std::string file;
};

nlohmann::json readInput(const std::string& file) {
  std::string text;
  const std::string name = file == "-" ? "<stdin>" : file;
  if (file == "-") {
    text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  } else {
    text = readFileBytes(file);
  }
  checkUtf8(text, name);
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    const long line =
        countNewlines(std::string_view(text).substr(0, std::min(e.byte, text.size())));
    throw InputError({name, line + 1}, expectedGot("a JSON array", e.what()));
  } catch (const nlohmann::json::exception& e) {  // out_of_range: a number that overflows
    throw InputError({name}, expectedGot("a JSON array", e.what()));
  }
}

const std::string& textAt(const nlohmann::json& value, const std::string& file,
                          const std::string& where) {
  if (!value.is_string()) {
    throw InputError({file, 0, where}, expectedGot("a string", value.type_name()));
  }
  return value.get_ref<const std::string&>();
}

void appendIds(const std::vector<std::int32_t>& ids, std::string& out) {
  out += '[';
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (i) out += ',';
    out += std::to_string(ids[i]);
  }
  out += ']';
}

int run(const TokenizeOptions& options) {
  const TokenizerKind kind = parseTokenizerKind(options.tokenizer, "--tokenizer");
  if (options.pairs && kind != TokenizerKind::Bert) {
    throw InputError({"", 0, "--pairs"}, expectedGot("--tokenizer bert", "--tokenizer gpt2"));
  }
  const std::string name = options.file == "-" ? "<stdin>" : options.file;
  const nlohmann::json input = readInput(options.file);
  if (!input.is_array()) {
    throw InputError({name}, expectedGot(options.pairs ? "a JSON array of [premise, hypothesis]"
                                                       : "a JSON array of strings",
                                         input.type_name()));
  }
  const std::unique_ptr<Tokenizer> tokenizer = loadTokenizer(kind, options.vocab_dir);
  std::string out = "[";
  for (std::size_t i = 0; i < input.size(); ++i) {
    const std::string where = "[" + std::to_string(i) + "]";
    if (i) out += ',';
    if (!options.pairs) {
      appendIds(tokenizer->encode(textAt(input[i], name, where)), out);
      continue;
    }
    const nlohmann::json& pair = input[i];
    if (!pair.is_array() || pair.size() != 2) {
      throw InputError({name, 0, where},
                       expectedGot("[premise, hypothesis]",
                                   pair.is_array() ? "an array of " + std::to_string(pair.size())
                                                   : std::string(pair.type_name())));
    }
    appendIds(tokenizer->encodePair(textAt(pair[0], name, where + "[0]"),
                                    textAt(pair[1], name, where + "[1]")),
              out);
  }
  out += "]\n";
  std::cout << out << std::flush;
  return kExitOk;
}

}  // namespace

void addTokenizeCommand(CLI::App& app, Action& action) {
  auto options = std::make_shared<TokenizeOptions>();
  CLI::App* cmd = app.add_subcommand("tokenize", "Tokenise a JSON array of texts into ids");
  cmd->add_option("--tokenizer", options->tokenizer, "gpt2 or bert")->required();
  cmd->add_flag("--pairs", options->pairs, "Input is [premise, hypothesis] pairs (BERT only)");
  cmd->add_option("--vocab-dir", options->vocab_dir,
                  "Folder with encoder.json+vocab.bpe / vocab.json+merges.txt / vocab.txt "
                  "(default: the embedded vocabulary)");
  cmd->add_option("FILE", options->file, "JSON file, or - for stdin")->required();
  cmd->callback([options, &action] { action = [options] { return run(*options); }; });
}

}  // namespace gwb::cli
