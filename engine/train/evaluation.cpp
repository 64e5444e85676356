// Evaluation loop: per-position cross-entropy summed on the device, read once at the end.
#include "engine/train/evaluation.h"

#include <cmath>

#include "engine/data/wikitext.h"
#include "engine/runtime/device.h"
#include "engine/train/lm_data.h"

namespace gwb {

std::int64_t evalChunks(std::int64_t available, std::int64_t chunk_len, std::int64_t max_tokens) {
  if (max_tokens <= 0) return available;
  const std::int64_t needed = (max_tokens + chunk_len - 2) / (chunk_len - 1);
  return std::max<std::int64_t>(1, std::min(available, needed));
}

EvalResult evaluateLm(LanguageModel& model, const TokenStream& stream, std::int64_t chunk_len,
                      std::int64_t batch_size, std::int64_t max_tokens, const torch::Device& device,
                      bool bf16, bool batch_mean) {
  torch::NoGradGuard no_grad;
  const bool was_training = model->is_training();
  model->eval();
  const std::int64_t P = chunk_len - 1;  // predictions per chunk
  const std::int64_t chunks = evalChunks(stream.numChunks(chunk_len), chunk_len, max_tokens);
  const auto f64 = torch::TensorOptions().dtype(torch::kDouble).device(device);
  torch::Tensor per_position = torch::zeros({P}, f64);
  torch::Tensor batch_means = torch::zeros({}, f64);
  std::int64_t batches = 0;
  for (std::int64_t first = 0; first < chunks; first += batch_size) {
    const std::int64_t count = std::min(batch_size, chunks - first);
    const torch::Tensor ids = sequentialBatch(stream, first, count, chunk_len, device);
    torch::Tensor losses;  // fp32 (B, P), read straight from the logits (as in training)
    {
      AutocastGuard autocast(bf16);
      losses = model->positionLosses(ids);
    }
    const torch::Tensor l = losses.to(torch::kDouble);
    per_position += l.sum(0);
    batch_means += l.mean();
    ++batches;
  }
  if (was_training) model->train();
  const torch::Tensor sums = per_position.to(torch::kCPU);
  EvalResult result;
  result.tokens = chunks * P;
  const auto* p = sums.data_ptr<double>();
  double total = 0;
  result.loss_by_position.resize(static_cast<std::size_t>(P));
  for (std::int64_t t = 0; t < P; ++t) {
    total += p[t];
    result.loss_by_position[t] = p[t] / static_cast<double>(chunks);
  }
  result.token_loss = chunks > 0 ? total / static_cast<double>(result.tokens) : 0;
  result.loss = batch_mean && batches > 0
                    ? batch_means.item<double>() / static_cast<double>(batches)
                    : result.token_loss;
  result.ppl = std::exp(result.loss);
  return result;
}

}  // namespace gwb
