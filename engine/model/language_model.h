// The two language models of SPEC §1-2 as LibTorch modules, one class with the block chosen by
// model.arch: learned token + position embeddings, N blocks (Causal Grassmann mixing or causal
// multi-head attention, pre- or post-LN, FFN), final LayerNorm, head tied to the embedding.
// Submodules are registered under the reference reproduction's names, so named_parameters() are
// the checkpoint names: token_embedding.weight, blocks.{i}.grassmann.W_plu.weight,
// blocks.{i}.qkv_proj...
#pragma once

#include <torch/torch.h>

#include <map>
#include <string>
#include <vector>

#include "engine/config/run_config.h"
#include "engine/model/plucker.h"
#include "engine/model/run_dropout.h"

namespace gwb {

/// What one Grassmann layer saw, captured for the probes (SPEC §6) when a capture is passed. Only
/// valid pairs count (both ends tokens; both directions under `bidirectional`).
struct GrassmannCapture {
  torch::Tensor alpha;                 // (tokens, d) gate values at token positions
  std::vector<std::int64_t> offsets;   // distinct offsets with pairs in this sequence length
  std::vector<torch::Tensor> norms;    // per offset: |p| before normalisation, (pairs,)
  std::vector<torch::Tensor> cosines;  // per offset: |cos| of the angle between z_t and its partner
  std::vector<torch::Tensor> p_hat;    // per offset: normalised vectors, (pairs, P)
};

class GrassmannMixImpl : public torch::nn::Module {
 public:
  /// `layer_norm`: whether the mixer ends in its own LayerNorm (block forms pre and post).
  GrassmannMixImpl(const ModelConfig& config, std::vector<std::int64_t> windows, bool layer_norm);
  /// h (B, T, d) -> Drop(LN(mix_proj(m))) with m = alpha * h + (1 - alpha) * g (blend) or
  /// alpha * g (gate_only); LN and mix_proj where the configuration has them. `mask` (B, T) bool
  /// (true = token; undefined: all tokens) makes pairs with a padded partner invalid. Fills
  /// `capture`.
  torch::Tensor forward(const torch::Tensor& h, GrassmannCapture* capture = nullptr,
                        const torch::Tensor& mask = {});

  /// Use the per-offset reference path (the oracle) instead of the fast path.
  void setUseReference(bool on) { use_reference_ = on; }
  const PluckerOptions& options() const { return options_; }

  torch::nn::Linear W_red{nullptr}, W_plu{nullptr}, W_gate{nullptr};
  torch::nn::Linear mix_proj{nullptr};       // model.mix_proj only
  torch::nn::LayerNorm layer_norm{nullptr};  // forms pre and post only
  RunDropout dropout{nullptr};

 private:
  void captureProbes(const torch::Tensor& z, const torch::Tensor& alpha, const torch::Tensor& mask,
                     GrassmannCapture& capture) const;
  PluckerOptions options_;
  PluckerIndex index_;
  bool use_reference_ = false;
  bool gate_only_ = false;
  bool mean_then_project_ = false;
};
TORCH_MODULE(GrassmannMix);

class BlockImpl : public torch::nn::Module {
 public:
  BlockImpl(const ModelConfig& config, std::int64_t layer);
  /// x (B, T, d); `mask` (B, T) bool, true = token (undefined: every position is one).
  torch::Tensor forward(const torch::Tensor& x, GrassmannCapture* capture = nullptr,
                        const torch::Tensor& mask = {});

  GrassmannMix grassmann{nullptr};                         // Grassmann blocks
  torch::nn::Linear qkv_proj{nullptr}, out_proj{nullptr};  // Transformer blocks
  torch::nn::LayerNorm ln1{nullptr}, ln2{nullptr};         // ln1: all but post Grassmann blocks
  /// Linear(d, d_ff), GELU, Dropout (p 0 when model.ffn_dropout is outer), Linear(d_ff, d),
  /// Dropout: the names ffn.0 and ffn.3 in every form.
  torch::nn::Sequential ffn{nullptr};
  RunDropout dropout{nullptr};       // after attention (Transformer blocks)
  RunDropout attn_dropout{nullptr};  // on the attention probabilities (model.attn_dropout > 0)

 private:
  /// Multi-head self-attention: causal unless bidirectional; padded keys masked.
  torch::Tensor attention(const torch::Tensor& x, const torch::Tensor& mask);
  bool grassmann_arch_;
  std::string norm_;
  bool bidirectional_;
  std::int64_t heads_;
};
TORCH_MODULE(Block);

class LanguageModelImpl : public torch::nn::Module {
 public:
  /// Parameters are initialised from `generator` (undefined: LibTorch's default), which also
  /// drives dropout on a CPU (setGenerator). `lm_head` false: no untied head (a classifier's body).
  explicit LanguageModelImpl(const ModelConfig& config, const at::Generator& generator = {},
                             bool lm_head = true);

  /// ids (B, T) int64 with T <= max_len -> logits (B, T, vocab). `captures` (one per layer,
  /// Grassmann only) receive the probe internals when given.
  torch::Tensor forward(const torch::Tensor& ids,
                        std::vector<GrassmannCapture>* captures = nullptr);
  /// Hidden states after ln_f, (B, T, d). `mask` (B, T) bool marks the tokens of right-padded
  /// sequences (undefined: all positions are tokens).
  torch::Tensor hidden(const torch::Tensor& ids, std::vector<GrassmannCapture>* captures = nullptr,
                       const torch::Tensor& mask = {});
  /// Logits (..., vocab) of hidden states (..., d): the tied or untied head.
  torch::Tensor head(const torch::Tensor& h);
  /// The head's weight (vocab, d): lm_head's when untied, else the token embedding's.
  const torch::Tensor& headWeight() const;
  /// Next-token cross-entropy (fp32) of ids (B, T) at the T - 1 positions with a target, (B, T-1):
  /// the model sees all T ids (data.targets shift) or the first T - 1 (next: setTargetsNext).
  torch::Tensor positionLosses(const torch::Tensor& ids);
  /// Their mean: the training loss of a batch of chunks.
  torch::Tensor loss(const torch::Tensor& ids) { return positionLosses(ids).mean(); }
  /// data.targets next: chunks are L + 1 ids, the model sees the first L (max_len = L).
  void setTargetsNext(bool next) { targets_next_ = next; }
  bool targetsNext() const { return targets_next_; }
  /// The ids (B, T) of a chunk batch the model sees: all, or all but the last under next.
  torch::Tensor inputIds(const torch::Tensor& ids) const {
    return targets_next_ ? ids.narrow(1, 0, ids.size(1) - 1) : ids;
  }
  /// Per-token cross-entropy (fp32, (rows)) of hidden states (rows, d) against targets (rows):
  /// the head and tokenLosses. With the fused cross-entropy on CUDA the head's output is padded
  /// to a multiple of 64 classes (nanoGPT's vocabulary padding, here only inside the step: the
  /// parameters keep their shapes), so that its GEMMs run aligned kernels; the padding is never
  /// read as a class and gets no gradient.
  torch::Tensor headLosses(const torch::Tensor& h, const torch::Tensor& targets);

  /// Parameter counts per top-level module (token_embedding, position_embedding, blocks.i, ln_f,
  /// lm_head if untied); a tied head counts once.
  std::vector<std::pair<std::string, std::int64_t>> parameterCounts() const;
  std::int64_t parameterCount() const;
  /// Switches every Grassmann layer to the reference (oracle) path.
  void setUseReference(bool on);
  /// Dropout masks on a CPU come from `generator` (the run's own; see run_dropout.h).
  void setGenerator(const at::Generator& generator) { setDropoutGenerator(*this, generator); }
  const ModelConfig& config() const { return config_; }

  torch::nn::Embedding token_embedding{nullptr}, position_embedding{nullptr};
  RunDropout embedding_dropout{nullptr};
  torch::nn::ModuleList blocks{nullptr};
  torch::nn::LayerNorm ln_f{nullptr};
  torch::nn::Linear lm_head{nullptr};  // only when tie_embeddings is false

 private:
  ModelConfig config_;
  bool targets_next_ = false;
};
TORCH_MODULE(LanguageModel);

/// SPEC §1.10's initialisation of every Linear and Embedding below `module` (not itself):
/// weights N(0, 0.02) from `generator` (undefined: LibTorch's default), biases 0.
void initLinearAndEmbeddings(torch::nn::Module& module, const at::Generator& generator);

/// model.init (SPEC §8) of the language model's modules below `module`: "normal" as above;
/// "torch_default" PyTorch's module defaults (Linear weight and bias U(+-1/sqrt(fan_in)), Embedding
/// N(0, 1)); "normal_xavier_qkv" normal, then every qkv_proj weight xavier_uniform and its bias 0.
/// LayerNorms keep 1 / 0. Draws from `generator`.
void initModel(torch::nn::Module& module, const std::string& init, const at::Generator& generator);

/// Where a configuration leaves a fused or fast path for the plain one, one sentence each (the
/// run's log says so once): attention dropout without the fused attention, ...
std::vector<std::string> plainPathNotes(const ModelConfig& config, const torch::Device& device);

/// Training FLOPs per token (forward + backward, 3x forward) of the matrix products, for
/// `gwb bench`: embeddings excluded, attention scores and Plücker products included.
double trainingFlopsPerToken(const ModelConfig& config, std::int64_t seq_len);

/// Per-token next-token cross-entropy, fp32 (rows), of logits (rows, width) and int64 targets
/// (rows), over the first `classes` columns (all when negative; the rest is padding): the fused
/// kernels on CUDA (one read of the logits forward, one backward, no fp32 copies), log_softmax in
/// fp32 + nll_loss elsewhere. Differentiable in `logits`.
torch::Tensor tokenLosses(const torch::Tensor& logits, const torch::Tensor& targets,
                          std::int64_t classes = -1);

}  // namespace gwb
