// Language-model evaluation (SPEC §4): perplexity = exp(total token loss / tokens) in fp32 over
// the chunks of a split (capped by data.max_eval_tokens), and the mean loss at each position of
// the chunk (how far back each architecture uses context). train.eval_mean batches reports the
// mean of per-batch means instead (as kanenorman and youdie006 do); the token-weighted loss is
// always kept beside it.
#pragma once

#include <torch/torch.h>

#include <vector>

#include "engine/model/language_model.h"

namespace gwb {

struct TokenStream;

struct EvalResult {
  double loss = 0;          ///< as reported: token-weighted, or the mean of batch means
  double token_loss = 0;    ///< token-weighted, always
  double ppl = 0;           ///< exp(loss)
  std::int64_t tokens = 0;  ///< predicted tokens: chunks x (chunk length - 1)
  std::vector<double> loss_by_position;  ///< one value per predicted position
};

/// Number of chunks of `chunk_len` ids an evaluation uses: all, or the fewest whose predictions
/// (chunk_len - 1 each) reach `max_tokens`.
std::int64_t evalChunks(std::int64_t available, std::int64_t chunk_len, std::int64_t max_tokens);

/// Evaluates under no_grad in eval mode (restoring train mode after) on chunks of `chunk_len` ids
/// (L, or L + 1 under data.targets next: the model's targetsNext() says which positions it sees).
/// `bf16` enables autocast; `batch_mean` reports the mean of per-batch mean losses.
EvalResult evaluateLm(LanguageModel& model, const TokenStream& stream, std::int64_t chunk_len,
                      std::int64_t batch_size, std::int64_t max_tokens, const torch::Device& device,
                      bool bf16, bool batch_mean = false);

}  // namespace gwb
