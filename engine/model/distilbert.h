// DistilBERT (Hugging Face's DistilBertModel, SPEC §7.3) in LibTorch, the frozen backbone of the
// SNLI heads: word + learned position embeddings, LayerNorm (eps 1e-12); n_layers post-LN blocks
// of multi-head attention (q/k/v/out linear layers, padded keys masked, softmax over keys) +
// sa_layer_norm, FFN lin1 -> GELU (erf) -> lin2 + output_layer_norm. Submodules carry Hugging
// Face's names, so named_parameters() are the checkpoint's. Dropout is left out: a frozen backbone
// only ever runs in eval mode. Not a parameter of any trained module.
#pragma once

#include <torch/torch.h>

#include <string>

#include "engine/data/backbone_folder.h"

namespace gwb {

class DistilBertEmbeddingsImpl : public torch::nn::Module {
 public:
  explicit DistilBertEmbeddingsImpl(const DistilBertShape& shape);
  /// ids (B, T) -> LayerNorm(word + position embeddings), (B, T, dim).
  torch::Tensor forward(const torch::Tensor& ids);

  torch::nn::Embedding word_embeddings{nullptr}, position_embeddings{nullptr};
  torch::nn::LayerNorm layer_norm{nullptr};  // registered as Hugging Face's "LayerNorm"
};
TORCH_MODULE(DistilBertEmbeddings);

class DistilBertAttentionImpl : public torch::nn::Module {
 public:
  explicit DistilBertAttentionImpl(const DistilBertShape& shape);
  /// x (B, T, dim), mask (B, T) bool (true = token; undefined: all) -> (B, T, dim).
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& mask);

  torch::nn::Linear q_lin{nullptr}, k_lin{nullptr}, v_lin{nullptr}, out_lin{nullptr};

 private:
  std::int64_t heads_;
};
TORCH_MODULE(DistilBertAttention);

class DistilBertFfnImpl : public torch::nn::Module {
 public:
  explicit DistilBertFfnImpl(const DistilBertShape& shape);
  torch::Tensor forward(const torch::Tensor& x);  // lin2(act(lin1(x)))

  torch::nn::Linear lin1{nullptr}, lin2{nullptr};

 private:
  bool relu_;
};
TORCH_MODULE(DistilBertFfn);

class DistilBertLayerImpl : public torch::nn::Module {
 public:
  explicit DistilBertLayerImpl(const DistilBertShape& shape);
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& mask);

  DistilBertAttention attention{nullptr};
  torch::nn::LayerNorm sa_layer_norm{nullptr};
  DistilBertFfn ffn{nullptr};
  torch::nn::LayerNorm output_layer_norm{nullptr};
};
TORCH_MODULE(DistilBertLayer);

class DistilBertTransformerImpl : public torch::nn::Module {
 public:
  explicit DistilBertTransformerImpl(const DistilBertShape& shape);
  torch::nn::ModuleList layer{nullptr};
};
TORCH_MODULE(DistilBertTransformer);

class DistilBertImpl : public torch::nn::Module {
 public:
  /// Weights uninitialised (zeros): load them (loadDistilBert) or initialise them (tests).
  explicit DistilBertImpl(const DistilBertShape& shape);
  /// The last hidden states (B, T, dim) of ids (B, T) int64 (T <= max_position_embeddings) with
  /// `mask` (B, T) bool, true = token (undefined: all). Positions that are padding hold values
  /// nobody should read.
  torch::Tensor forward(const torch::Tensor& ids, const torch::Tensor& mask = {});
  const DistilBertShape& shape() const { return shape_; }
  /// The dtype of its weights (float32, or bfloat16 on CUDA).
  torch::ScalarType dtype() const;

  DistilBertEmbeddings embeddings{nullptr};
  DistilBertTransformer transformer{nullptr};

 private:
  DistilBertShape shape_;
};
TORCH_MODULE(DistilBert);

/// The frozen backbone of `folder` (inspectBackboneFolder): its weights read straight from
/// model.safetensors (only DistilBertModel's tensors; converted to float32), every parameter
/// without gradients, eval mode, on `device`, in bfloat16 when `bf16` (CUDA). InputError naming
/// the file for an unreadable tensor.
DistilBert loadDistilBert(const BackboneFolder& folder, const torch::Device& device, bool bf16);

/// Sets every parameter of `model` to N(0, 0.02), LayerNorms to 1 / 0, from `generator`: a
/// randomly initialised backbone of the real size (timing, tests).
void initDistilBertRandom(DistilBertImpl& model, const at::Generator& generator);

/// The mask-weighted mean of hidden states (B, T, D) over `mask` (B, T) bool, in fp32 (fp64 for
/// fp64 input): one vector per sequence (B, D), what the reference reproduction pools.
torch::Tensor maskedMean(const torch::Tensor& hidden, const torch::Tensor& mask);

}  // namespace gwb
