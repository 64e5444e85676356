// Evaluation loop: per-position cross-entropy summed on the device, read once at the end.
#include "engine/train/evaluation.h"

#include <cmath>

#include "engine/data/wikitext.h"
#include "engine/runtime/device.h"
#include "engine/train/lm_data.h"

namespace gwb {

std::int64_t evalChunks(std::int64_t available, std::int64_t seq_len, std::int64_t max_tokens) {
  if (max_tokens <= 0) return available;
  const std::int64_t needed = (max_tokens + seq_len - 2) / (seq_len - 1);
  return std::max<std::int64_t>(1, std::min(available, needed));
}

EvalResult evaluateLm(LanguageModel& model, const TokenStream& stream, std::int64_t seq_len,
                      std::int64_t batch_size, std::int64_t max_tokens, const torch::Device& device,
                      bool bf16) {
  torch::NoGradGuard no_grad;
  const bool was_training = model->is_training();
  model->eval();
  const std::int64_t chunks = evalChunks(stream.numChunks(seq_len), seq_len, max_tokens);
  torch::Tensor per_position =
      torch::zeros({seq_len - 1}, torch::TensorOptions().dtype(torch::kDouble).device(device));
  for (std::int64_t first = 0; first < chunks; first += batch_size) {
    const std::int64_t count = std::min(batch_size, chunks - first);
    const torch::Tensor ids = sequentialBatch(stream, first, count, seq_len, device);  // (B, L)
    torch::Tensor losses;  // fp32 (B (L-1)), read straight from the logits (as in training)
    {
      AutocastGuard autocast(bf16);
      const torch::Tensor h =
          model->hidden(ids).narrow(1, 0, seq_len - 1);  // positions with a target
      losses = model->headLosses(h.reshape({-1, h.size(-1)}),
                                 ids.narrow(1, 1, seq_len - 1).reshape({-1}));
    }
    per_position += losses.view({count, seq_len - 1}).to(torch::kDouble).sum(0);
  }
  if (was_training) model->train();
  const torch::Tensor sums = per_position.to(torch::kCPU);
  EvalResult result;
  result.tokens = chunks * (seq_len - 1);
  const auto* p = sums.data_ptr<double>();
  double total = 0;
  result.loss_by_position.resize(static_cast<std::size_t>(seq_len - 1));
  for (std::int64_t t = 0; t < seq_len - 1; ++t) {
    total += p[t];
    result.loss_by_position[t] = p[t] / static_cast<double>(chunks);
  }
  result.loss = chunks > 0 ? total / static_cast<double>(result.tokens) : 0;
  result.ppl = std::exp(result.loss);
  return result;
}

}  // namespace gwb
