// Language-model evaluation (SPEC §4): perplexity = exp(total token loss / tokens) in fp32 over
// the chunks of a split (capped by data.max_eval_tokens), and the mean loss at each position of
// the chunk (how far back each architecture uses context).
#pragma once

#include <torch/torch.h>

#include <vector>

#include "engine/model/language_model.h"

namespace gwb {

struct TokenStream;

struct EvalResult {
  double loss = 0;
  double ppl = 0;
  std::int64_t tokens = 0;               ///< predicted tokens: chunks x (L - 1)
  std::vector<double> loss_by_position;  ///< L - 1 values, positions 1..L-1
};

/// Number of chunks an evaluation uses: all, or the fewest whose predictions reach `max_tokens`.
std::int64_t evalChunks(std::int64_t available, std::int64_t seq_len, std::int64_t max_tokens);

/// Evaluates under no_grad in eval mode (restoring train mode after). `bf16` enables autocast.
EvalResult evaluateLm(LanguageModel& model, const TokenStream& stream, std::int64_t seq_len,
                      std::int64_t batch_size, std::int64_t max_tokens, const torch::Device& device,
                      bool bf16);

}  // namespace gwb
