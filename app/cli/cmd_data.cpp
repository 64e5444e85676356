// `gwb data stats --task wikitext2|snli --tokenizer gpt2|bert [--dir DIR] [--seq-len L]`: loads
// every split through the token cache and prints the counts of CONTRACTS.md.
#include <memory>

#include "app/cli/cli_common.h"
#include "engine/data/data_stats.h"
#include "engine/data/snli.h"
#include "engine/tokenizers/tokenizer.h"
#include "engine/util/error.h"

namespace gwb::cli {
namespace {

nlohmann::ordered_json toJson(const DataStats& stats) {
  nlohmann::ordered_json out;
  out["task"] = stats.task;
  out["tokenizer"] = stats.tokenizer;
  out["dir"] = stats.dir;
  if (stats.task == "wikitext2") out["seq_len"] = stats.seq_len;
  out["splits"] = nlohmann::ordered_json::object();
  for (const SplitStats& s : stats.splits) {
    nlohmann::ordered_json split;
    split["file"] = s.file;
    if (stats.task == "wikitext2") {
      split["lines"] = s.lines;
      split["nonempty_lines"] = s.nonempty_lines;
      split["tokens"] = s.tokens;
      split["chunks"] = s.chunks;
    } else {
      split["pairs"] = s.pairs;
      split["dropped"] = s.dropped;
      split["kept"] = s.kept;
      for (int k = 0; k < kSnliClasses; ++k) split["labels"][snliLabelName(k)] = s.labels[k];
      split["tokens"] = s.tokens;
    }
    out["splits"][s.split] = split;
  }
  return out;
}

int run(const DataStatsRequest& request) {
  // Validate here first so that errors name the command-line flags.
  canonicalTask(request.task, "--task");
  parseTokenizerKind(request.tokenizer, "--tokenizer");
  if (request.seq_len < 2) {
    throw InputError({"", 0, "--seq-len"},
                     expectedGot("an integer >= 2", std::to_string(request.seq_len)));
  }
  const DataStats stats = computeDataStats(
      request,
      [&](const SplitStats& s) {
        progress(canonicalTask(request.task) + " " + s.split + ": " + std::to_string(s.tokens) +
                 " tokens" + (s.from_cache ? " (cached)" : ""));
        return true;
      },
      progress);
  printJson(toJson(stats));
  return kExitOk;
}

}  // namespace

void addDataCommand(CLI::App& app, Action& action) {
  CLI::App* data = app.add_subcommand("data", "Inspect data sets");
  data->require_subcommand(1);
  auto request = std::make_shared<DataStatsRequest>();
  CLI::App* stats = data->add_subcommand("stats", "Line, token and chunk counts of every split");
  stats->add_option("--task", request->task, "wikitext2 (alias wikitext) or snli")->required();
  stats->add_option("--tokenizer", request->tokenizer, "gpt2 or bert")->required();
  stats->add_option("--dir", request->dir, "Data folder (default: the embedded copy)");
  stats->add_option("--seq-len", request->seq_len, "Chunk length L for the chunk count (256)");
  stats->add_option("--format", request->format,
                    "auto, tokens, raw (wikitext2) or jsonl, txt, tsv (snli)");
  stats->add_option("--vocab-dir", request->vocab_dir, "Vocabulary folder (default: embedded)");
  stats->callback([request, &action] { action = [request] { return run(*request); }; });
}

}  // namespace gwb::cli
