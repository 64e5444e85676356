// computeDataStats: one loop over the splits of either task.
#include "engine/data/data_stats.h"

#include "engine/catalog/installed.h"
#include "engine/data/data_source.h"
#include "engine/data/snli.h"
#include "engine/data/token_cache.h"
#include "engine/data/wikitext.h"
#include "engine/tokenizers/tokenizer.h"
#include "engine/util/error.h"
#include "engine/util/paths.h"

namespace gwb {

DataStats computeDataStats(const DataStatsRequest& request,
                           const std::function<bool(const SplitStats&)>& on_split,
                           const std::function<void(const std::string&)>& warn) {
  DataStats stats;
  stats.task = canonicalTask(request.task, "task");
  const bool snli = stats.task == "snli";
  if (!snli && request.seq_len < 2) {
    throw InputError({"", 0, "seq_len"},
                     expectedGot("an integer >= 2", std::to_string(request.seq_len)));
  }
  const auto tokenizer = loadTokenizer(parseTokenizerKind(request.tokenizer), request.vocab_dir);
  TokenCache cache = TokenCache::standard();
  if (warn) cache.setWarningHandler(warn);
  stats.tokenizer = tokenizer->name();
  const DataResolution copy = resolveTaskData(stats.task, request.dir, request.format);
  stats.dir = copy.dir.empty() ? absolutePath(embeddedDir(snli ? "snli" : "wikitext-2")) : copy.dir;
  stats.source = dataSourceName(copy.source);
  stats.provenance = copy.provenance;
  stats.note = copy.note;
  stats.seq_len = snli ? 0 : request.seq_len;
  stats.targets = request.targets;
  for (const std::string& split : snli ? snliSplits() : wikitextSplits()) {
    SplitStats s;
    s.split = split;
    if (snli) {
      const SnliSplit data = loadSnliSplit(stats.dir, split, request.format, *tokenizer, cache);
      s.file = data.file;
      s.pairs = data.pairs;
      s.dropped = data.dropped;
      s.kept = data.kept();
      s.labels = data.label_counts;
      s.tokens = data.pairTokens(*tokenizer);
      s.from_cache = data.from_cache;
    } else {
      const TokenStream stream =
          loadWikitextSplit(stats.dir, split, request.format, *tokenizer, cache, request.gpt2_rows);
      s.file = stream.file;
      s.lines = stream.lines;
      s.nonempty_lines = stream.nonempty_lines;
      s.tokens = static_cast<std::int64_t>(stream.ids.size());
      s.chunks = stream.numChunks(chunkLength(request.seq_len, request.targets));
      s.from_cache = stream.from_cache;
    }
    stats.splits.push_back(s);
    if (on_split && !on_split(s)) break;
  }
  return stats;
}

}  // namespace gwb
