// The from-scratch SNLI classifier (SPEC §7.2): the language model's body under its own parameter
// names (token_embedding, position_embedding, blocks.{i}, ln_f; no LM head), a pooling over the
// tokens (masked mean, the first position, or the last token), and `classifier`: Linear(d, 3) on
// the pooled vector of a joint pair, or Linear(4d, 3) on [u; v; |u - v|; u * v] of the two
// sentences pooled by the same encoder. Padding never matters (masks in every block and pooling).
#pragma once

#include <torch/torch.h>

#include "engine/model/batch.h"
#include "engine/model/language_model.h"

namespace gwb {

class SequenceClassifierImpl : public LanguageModelImpl {
 public:
  /// `separate`: the separate pair encoding. Initialised from `generator` (see LanguageModel).
  /// `classes`: the task's class count (SNLI's three).
  SequenceClassifierImpl(const ModelConfig& config, bool separate,
                         const at::Generator& generator = {}, std::int64_t classes = 3);

  /// The pooled vector (B, d) of right-padded sequences `ids` (B, T) with `mask` (true = token;
  /// undefined: all). `captures` receive the probe internals when given.
  torch::Tensor pool(const torch::Tensor& ids, const torch::Tensor& mask,
                     std::vector<GrassmannCapture>* captures = nullptr);
  /// Class logits (B, 3) of a batch (ids/mask, and ids_b/mask_b for the separate encoding).
  torch::Tensor logits(const Batch& batch);

  torch::nn::Linear classifier{nullptr};

 private:
  bool separate_;
};
TORCH_MODULE(SequenceClassifier);

}  // namespace gwb
