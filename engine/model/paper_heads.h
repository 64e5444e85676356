// The paper's two SNLI heads (SPEC §7.3, head_variant paper) over a frozen backbone's token
// features: Linear(D, d) -> two pre-LN blocks -> masked mean over the tokens -> Linear(d, 3), no
// final LayerNorm (1,251,843 and 2,054,787 parameters at full size). The Transformer head's blocks
// are the language model's §2 blocks, bidirectional with a key mask; the Grassmann head's are §1
// blocks whose mixing pairs tokens inside windows (window_pairing.h) instead of at offsets. Names:
// head.input_projection, head.blocks.{i}.{ln1, qkv_proj | grassmann.{W_red, W_plu, W_gate,
// layer_norm}, ln2, ffn.0, ffn.3}, head.classifier.
#pragma once

#include <torch/torch.h>

#include "engine/model/snli_head.h"
#include "engine/model/window_pairing.h"

namespace gwb {

/// Grassmann mixing with window pairing: z = W_red h, g = W_plu(mean p_hat over the window
/// partners), alpha = sigmoid(W_gate [h; g]), out = Dropout(LN(alpha h + (1 - alpha) g)).
class WindowGrassmannMixImpl : public torch::nn::Module {
 public:
  WindowGrassmannMixImpl(std::int64_t d, std::int64_t r, const WindowOptions& options,
                         double dropout);
  /// h (B, T, d), mask (B, T) bool, `segment` as HeadInput's. Fills `capture` when given.
  torch::Tensor forward(const torch::Tensor& h, const torch::Tensor& mask, std::int64_t segment,
                        GrassmannCapture* capture = nullptr);
  /// Use the oracle (windowGeometryOracle) instead of the fast path (tests).
  void setUseOracle(bool on) { use_oracle_ = on; }
  const WindowOptions& options() const { return options_; }

  torch::nn::Linear W_red{nullptr}, W_plu{nullptr}, W_gate{nullptr};
  torch::nn::LayerNorm layer_norm{nullptr};
  RunDropout dropout{nullptr};

 private:
  void captureProbes(const torch::Tensor& z, const torch::Tensor& alpha, const torch::Tensor& mask,
                     std::int64_t segment, GrassmannCapture& capture) const;
  WindowOptions options_;
  PluckerIndex index_;  // of r / groups channels
  bool use_oracle_ = false;
};
TORCH_MODULE(WindowGrassmannMix);

/// A pre-LN block around it: x + mix(ln1 x), then + FFN(ln2 x) (FFN as §1.8).
class WindowBlockImpl : public torch::nn::Module {
 public:
  WindowBlockImpl(std::int64_t d, std::int64_t d_ff, std::int64_t r, const WindowOptions& options,
                  double dropout);
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& mask, std::int64_t segment,
                        GrassmannCapture* capture = nullptr);

  torch::nn::LayerNorm ln1{nullptr}, ln2{nullptr};
  WindowGrassmannMix grassmann{nullptr};
  torch::nn::Sequential ffn{nullptr};
};
TORCH_MODULE(WindowBlock);

/// The model section's head keys as the §2 block configuration of the Transformer head (d_model
/// head_d_model, d_ff head_d_ff, heads head_heads, pre-LN, bidirectional).
ModelConfig paperTransformerBlockConfig(const ModelConfig& config);
/// The window options of the Grassmann head (head_window, head_stride, head_groups, the §1
/// normalisation switches).
WindowOptions paperWindowOptions(const ModelConfig& config);

class PaperHeadImpl : public SnliHeadImpl {
 public:
  /// `config.arch` chooses the blocks; `classes`: the task's class count.
  PaperHeadImpl(const ModelConfig& config, std::int64_t feature_dim, const at::Generator& generator,
                std::int64_t classes);
  torch::Tensor forward(const HeadInput& input,
                        std::vector<GrassmannCapture>* captures = nullptr) override;
  bool readsPooled() const override { return false; }
  /// The Grassmann head's mixing through the oracle (tests).
  void setUseOracle(bool on);

  torch::nn::Linear input_projection{nullptr};
  torch::nn::ModuleList blocks{nullptr};
  torch::nn::Linear classifier{nullptr};

 private:
  bool grassmann_;
};

}  // namespace gwb
