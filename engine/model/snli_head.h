// The SNLI heads that sit on a frozen backbone's outputs (SPEC §7.3), behind one interface: the
// paper's two (token features -> Linear(D, d), two pre-LN blocks, masked mean, Linear(d, 3);
// paper_heads.h) and the reference reproduction's two (one pooled vector per pair; degenerate
// Grassmann mixing; reference_heads.h). HeadModel registers the chosen head as `head`, so the
// trained parameters and the checkpoint's tensors are `head.*`; the backbone is never part of it.
#pragma once

#include <torch/torch.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "engine/config/run_config.h"
#include "engine/model/language_model.h"

namespace gwb {

/// What a head reads.
struct HeadInput {
  torch::Tensor features;  ///< (B, T, D) token features (paper heads) or (B, D) pooled (reference)
  torch::Tensor mask;      ///< (B, T) bool, true = token (paper heads; undefined: all)
  /// Separate encoding: the length of each sentence's part of the layout (T = 2 x segment);
  /// windows never cross it. 0: one sequence.
  std::int64_t segment = 0;
};

class SnliHeadImpl : public torch::nn::Module {
 public:
  /// Class logits (B, 3). `captures` (one per mixing layer; Grassmann heads) receive the probes'
  /// internals when given.
  virtual torch::Tensor forward(const HeadInput& input,
                                std::vector<GrassmannCapture>* captures = nullptr) = 0;
  /// True for the reference heads: one pooled vector per pair instead of token features.
  virtual bool readsPooled() const = 0;
};

class HeadModelImpl : public torch::nn::Module {
 public:
  /// The head `config` names (arch, head_variant, head_* keys, dropout) for features of width
  /// `feature_dim`, initialised from `generator` (the paper's heads as SPEC §1.10, the reference's
  /// as PyTorch's defaults), its CPU dropout drawn from it too; `classes`: the task's class count
  /// (SNLI's three).
  HeadModelImpl(const ModelConfig& config, std::int64_t feature_dim,
                const at::Generator& generator = {}, std::int64_t classes = 3);

  torch::Tensor logits(const HeadInput& input, std::vector<GrassmannCapture>* captures = nullptr) {
    return head->forward(input, captures);
  }
  bool readsPooled() const { return head->readsPooled(); }
  /// Trained parameters per part: head.input_projection, head.blocks.0 (or the reference's
  /// head.transformer1.layers.0 / head.mixing_layers.0), ..., head.classifier.
  std::vector<std::pair<std::string, std::int64_t>> parameterCounts() const;
  std::int64_t parameterCount() const;

  std::shared_ptr<SnliHeadImpl> head;
};
TORCH_MODULE(HeadModel);

}  // namespace gwb
