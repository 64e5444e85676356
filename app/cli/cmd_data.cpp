// `gwb data stats --task wikitext2|snli --tokenizer gpt2|bert [--dir DIR] [--seq-len L]`: loads
// every split through the token cache and prints the counts of CONTRACTS.md.
#include <memory>

#include "app/cli/cli_common.h"
#include "engine/data/snli.h"
#include "engine/data/token_cache.h"
#include "engine/data/wikitext.h"
#include "engine/tokenizers/tokenizer.h"
#include "engine/util/error.h"
#include "engine/util/paths.h"

namespace gwb::cli {
namespace {

struct StatsOptions {
  std::string task;
  std::string tokenizer;
  std::string dir;
  std::string format = "auto";
  std::string vocab_dir;
  long seq_len = 256;
};

std::string canonicalTask(const std::string& task) {
  if (task == "wikitext2" || task == "wikitext") return "wikitext2";
  if (task == "snli") return "snli";
  throw InputError({"", 0, "--task"}, expectedGot("wikitext2 or snli", "\"" + task + "\""));
}

int run(const StatsOptions& options) {
  const std::string task = canonicalTask(options.task);
  const TokenizerKind kind = parseTokenizerKind(options.tokenizer, "--tokenizer");
  if (options.seq_len < 2) {
    throw InputError({"", 0, "--seq-len"},
                     expectedGot("an integer >= 2", std::to_string(options.seq_len)));
  }
  const std::unique_ptr<Tokenizer> tokenizer = loadTokenizer(kind, options.vocab_dir);
  TokenCache cache = TokenCache::standard();
  cache.setWarningHandler(progress);

  nlohmann::ordered_json out;
  out["task"] = task;
  out["tokenizer"] = tokenizer->name();
  const std::string dir = absolutePath(
      options.dir.empty() ? embeddedDir(task == "snli" ? "snli" : "wikitext-2") : options.dir);
  out["dir"] = dir;
  if (task == "wikitext2") {
    out["seq_len"] = options.seq_len;
    for (const std::string& split : wikitextSplits()) {
      const TokenStream stream = loadWikitextSplit(dir, split, options.format, *tokenizer, cache);
      nlohmann::ordered_json s;
      s["file"] = stream.file;
      s["lines"] = stream.lines;
      s["nonempty_lines"] = stream.nonempty_lines;
      s["tokens"] = stream.ids.size();
      s["chunks"] = stream.numChunks(options.seq_len);
      out["splits"][split] = s;
      progress("wikitext2 " + split + ": " + std::to_string(stream.ids.size()) + " tokens" +
               (stream.from_cache ? " (cached)" : ""));
    }
  } else {
    for (const std::string& split : snliSplits()) {
      const SnliSplit data = loadSnliSplit(dir, split, options.format, *tokenizer, cache);
      nlohmann::ordered_json s;
      s["file"] = data.file;
      s["pairs"] = data.pairs;
      s["dropped"] = data.dropped;
      s["kept"] = data.kept();
      for (int k = 0; k < kSnliClasses; ++k) s["labels"][snliLabelName(k)] = data.label_counts[k];
      s["tokens"] = data.pairTokens(*tokenizer);
      out["splits"][split] = s;
      progress("snli " + split + ": " + std::to_string(data.kept()) + " pairs" +
               (data.from_cache ? " (cached)" : ""));
    }
  }
  printJson(out);
  return kExitOk;
}

}  // namespace

void addDataCommand(CLI::App& app, Action& action) {
  CLI::App* data = app.add_subcommand("data", "Inspect data sets");
  data->require_subcommand(1);
  auto options = std::make_shared<StatsOptions>();
  CLI::App* stats = data->add_subcommand("stats", "Line, token and chunk counts of every split");
  stats->add_option("--task", options->task, "wikitext2 (alias wikitext) or snli")->required();
  stats->add_option("--tokenizer", options->tokenizer, "gpt2 or bert")->required();
  stats->add_option("--dir", options->dir, "Data folder (default: the embedded copy)");
  stats->add_option("--seq-len", options->seq_len, "Chunk length L for the chunk count (256)");
  stats->add_option("--format", options->format,
                    "auto, tokens, raw (wikitext2) or jsonl, txt, tsv (snli)");
  stats->add_option("--vocab-dir", options->vocab_dir, "Vocabulary folder (default: embedded)");
  stats->callback([options, &action] { action = [options] { return run(*options); }; });
}

}  // namespace gwb::cli
