// longest_first truncation and the two pair encodings.
#include "engine/data/snli_pairs.h"

#include <algorithm>

#include "engine/data/snli.h"
#include "engine/tokenizers/tokenizer.h"

namespace gwb {

bool truncateLongestFirst(std::vector<std::int32_t>& a, std::vector<std::int32_t>& b,
                          std::size_t budget) {
  bool cut = false;
  while (a.size() + b.size() > budget) {
    std::vector<std::int32_t>& longer = b.size() > a.size() ? b : a;  // the premise on a tie
    longer.pop_back();
    cut = true;
  }
  return cut;
}

std::int64_t EncodedPairs::pairTokens(std::int64_t i) const {
  const auto k = static_cast<std::size_t>(i);
  return static_cast<std::int64_t>(a[k].size() + (b.empty() ? 0 : b[k].size()));
}

EncodedPairs encodePairs(const SnliSplit& split, const Tokenizer& tokenizer, bool separate,
                         std::int64_t seq_len) {
  EncodedPairs out;
  out.a.reserve(split.examples.size());
  if (separate) out.b.reserve(split.examples.size());
  out.labels.reserve(split.examples.size());
  const auto L = static_cast<std::size_t>(std::max<std::int64_t>(seq_len, 0));
  for (const SnliExample& example : split.examples) {
    std::vector<std::int32_t> premise = example.premise, hypothesis = example.hypothesis;
    bool cut = false;
    if (separate) {
      const std::size_t room = L - std::min<std::size_t>(L, tokenizer.singleOverhead());
      for (auto* s : {&premise, &hypothesis}) {
        if (s->size() > room) {
          s->resize(room);
          cut = true;
        }
        if (s->empty() && tokenizer.singleOverhead() == 0) s->push_back(tokenizer.paddingId());
      }
      out.a.push_back(tokenizer.wrapSingle(premise));
      out.b.push_back(tokenizer.wrapSingle(hypothesis));
      out.tokens += static_cast<std::int64_t>(out.a.back().size() + out.b.back().size());
    } else {
      const std::size_t room = L - std::min<std::size_t>(L, tokenizer.pairOverhead());
      cut = truncateLongestFirst(premise, hypothesis, room);
      out.a.push_back(tokenizer.joinPair(premise, hypothesis));
      out.tokens += static_cast<std::int64_t>(out.a.back().size());
    }
    out.truncated += cut;
    out.labels.push_back(example.label);
  }
  return out;
}

}  // namespace gwb
