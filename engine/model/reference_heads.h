// The reference reproduction's two SNLI heads (SPEC §7.3, head_variant reference), exactly as its
// classes (TransformerNLIHead, GrassmannPluckerNLIHead of models/snli_models.py) and under their
// state_dict names: the backbone's mean-pooled vector -> input_projection -> a sequence of ONE
// position -> two layers -> classifier. Transformer: torch.nn.TransformerEncoderLayer with
// PyTorch's defaults (post-LN, ReLU, LayerNorm eps 1e-5, dropout on the attention weights and
// after both sublayers; q/k/v packed in in_proj_weight), the two layers deep copies of one at
// initialisation as nn.TransformerEncoder makes them. Grassmann: GrassmannMixingLayer, whose
// Plücker vector of (z, z) is identically zero, so its geometry is from_plucker's bias
// ("degenerate"). Initialisation: PyTorch's defaults, drawn from the run's generator.
#pragma once

#include <torch/torch.h>

#include "engine/model/plucker.h"
#include "engine/model/snli_head.h"

namespace gwb {

/// torch.nn.MultiheadAttention (batch_first, no masks): in_proj_weight (3d, d), in_proj_bias,
/// out_proj, dropout on the attention weights.
class ReferenceSelfAttentionImpl : public torch::nn::Module {
 public:
  ReferenceSelfAttentionImpl(std::int64_t d, std::int64_t heads, double dropout);
  torch::Tensor forward(const torch::Tensor& x);  // (B, T, d) -> (B, T, d)

  torch::Tensor in_proj_weight, in_proj_bias;
  torch::nn::Linear out_proj{nullptr};
  RunDropout dropout{nullptr};

 private:
  std::int64_t heads_;
};
TORCH_MODULE(ReferenceSelfAttention);

/// torch.nn.TransformerEncoderLayer(d, heads, d_ff, dropout, batch_first=True):
/// x = norm1(x + dropout1(self_attn(x))); x = norm2(x + dropout2(linear2(dropout(relu(linear1
/// x))))).
class ReferenceEncoderLayerImpl : public torch::nn::Module {
 public:
  ReferenceEncoderLayerImpl(std::int64_t d, std::int64_t heads, std::int64_t d_ff, double dropout);
  torch::Tensor forward(const torch::Tensor& x);

  ReferenceSelfAttention self_attn{nullptr};
  torch::nn::Linear linear1{nullptr}, linear2{nullptr};
  torch::nn::LayerNorm norm1{nullptr}, norm2{nullptr};
  RunDropout dropout{nullptr}, dropout1{nullptr}, dropout2{nullptr};
};
TORCH_MODULE(ReferenceEncoderLayer);

/// GrassmannMixingLayer: z = to_reduced(x); p = Plücker(z, z) / max(|p|, 1e-8) (= 0);
/// g = from_plucker(p); alpha = gate(x; g) (Linear + sigmoid); x = ln1(x + alpha x + (1 - alpha)
/// g); x = ln2(x + ffn(x)), ffn = Linear, GELU, Dropout, Linear, Dropout.
class ReferenceGrassmannLayerImpl : public torch::nn::Module {
 public:
  ReferenceGrassmannLayerImpl(std::int64_t d, std::int64_t r, std::int64_t d_ff, double dropout);
  torch::Tensor forward(const torch::Tensor& x, GrassmannCapture* capture = nullptr);

  torch::nn::Linear to_reduced{nullptr}, from_plucker{nullptr};
  torch::nn::Sequential gate{nullptr};
  torch::nn::LayerNorm ln1{nullptr}, ln2{nullptr};
  torch::nn::Sequential ffn{nullptr};

 private:
  PluckerIndex index_;
};
TORCH_MODULE(ReferenceGrassmannLayer);

class ReferenceHeadImpl : public SnliHeadImpl {
 public:
  /// `config.arch` chooses TransformerNLIHead or GrassmannPluckerNLIHead; `classes`: the task's
  /// class count.
  ReferenceHeadImpl(const ModelConfig& config, std::int64_t feature_dim,
                    const at::Generator& generator, std::int64_t classes);
  /// `input.features` is the pooled (B, D); the mask is not read.
  torch::Tensor forward(const HeadInput& input,
                        std::vector<GrassmannCapture>* captures = nullptr) override;
  bool readsPooled() const override { return true; }

  torch::nn::Linear input_projection{nullptr};
  std::shared_ptr<torch::nn::Module> transformer1;  // Transformer: holds `layers`
  torch::nn::ModuleList layers{nullptr};            // its layers (TransformerEncoderLayer)
  torch::nn::ModuleList mixing_layers{nullptr};     // Grassmann
  torch::nn::Linear classifier{nullptr};

 private:
  bool grassmann_;
};

/// PyTorch's default initialisation of a Linear from `generator`: weight and bias uniform in
/// +-1/sqrt(fan_in) (kaiming_uniform with a = sqrt(5)).
void pytorchLinearInit(torch::nn::LinearImpl& linear, const at::Generator& generator);

}  // namespace gwb
