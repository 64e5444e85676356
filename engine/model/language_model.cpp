// Blocks and the language model. Initialisation as SPEC §1.10: Linear and Embedding weights
// N(0, 0.02), biases 0, LayerNorm 1 / 0.
#include "engine/model/language_model.h"

#include <cmath>
#include <set>

#ifdef GWB_WITH_CUDA
#include "engine/model/cross_entropy_fused.h"
#endif

namespace gwb {
namespace {

constexpr double kInitStd = 0.02;

torch::nn::Linear linear(std::int64_t in, std::int64_t out, bool bias = true) {
  return torch::nn::Linear(torch::nn::LinearOptions(in, out).bias(bias));
}

torch::nn::LayerNorm layerNorm(std::int64_t d) {
  return torch::nn::LayerNorm(torch::nn::LayerNormOptions({d}));
}

}  // namespace

GrassmannMixImpl::GrassmannMixImpl(const ModelConfig& config, std::vector<std::int64_t> windows,
                                   bool with_layer_norm)
    : options_{std::move(windows), config.normalize_plucker, config.plucker_eps,
               config.pairing == "future_leaky", config.bidirectional},
      index_(PluckerIndex::make(config.r, torch::kCPU)),
      gate_only_(config.mix_output == "gate_only"),
      mean_then_project_(config.offset_mean == "mean_then_project") {
  W_red = register_module("W_red", linear(config.d_model, config.r));
  W_plu = register_module("W_plu", linear(config.pluckerDim(), config.d_model));
  W_gate = register_module("W_gate", linear(2 * config.d_model, config.d_model));
  if (config.mix_proj)
    mix_proj = register_module("mix_proj", linear(config.d_model, config.d_model));
  if (with_layer_norm) layer_norm = register_module("layer_norm", layerNorm(config.d_model));
  dropout = register_module("dropout", RunDropout(config.dropout));
}

torch::Tensor GrassmannMixImpl::forward(const torch::Tensor& h, GrassmannCapture* capture,
                                        const torch::Tensor& mask) {
  const torch::Tensor z = W_red(h);  // (B, T, r)
  if (index_.i0.device() != z.device()) index_ = PluckerIndex::make(z.size(2), z.device());
  // Sequences are right-padded: a past partner of a token is a token, so only pairings that
  // reach forward need the mask (which keeps the fused CUDA path for causal classifiers).
  const torch::Tensor pair_mask = options_.pairsFuture() ? mask : torch::Tensor();
  torch::Tensor g;  // (B, T, d)
  if (use_reference_) {
    g = grassmannGeometryReference(z, options_, W_plu, pair_mask, mean_then_project_);
  } else if (mean_then_project_) {
    g = W_plu(pluckerMean(z, options_, index_, pair_mask).mean);  // b where no pair is valid
  } else {
    g = grassmannGeometryFast(z, options_, index_, W_plu, pair_mask);
  }
  const torch::Tensor alpha = torch::sigmoid(W_gate(torch::cat({h, g}, -1)));  // (B, T, d)
  if (capture) captureProbes(z.detach(), alpha.detach(), mask, *capture);
  torch::Tensor mixed = gate_only_ ? alpha * g : alpha * h + (1 - alpha) * g;
  if (mix_proj) mixed = mix_proj(mixed);
  if (layer_norm) mixed = layer_norm(mixed);
  return dropout(mixed);
}

void GrassmannMixImpl::captureProbes(const torch::Tensor& z, const torch::Tensor& alpha,
                                     const torch::Tensor& mask, GrassmannCapture& capture) const {
  torch::NoGradGuard no_grad;
  const std::int64_t T = z.size(1);
  const torch::Tensor tokens =
      mask.defined() ? mask
                     : torch::ones({z.size(0), T},
                                   torch::TensorOptions().dtype(torch::kBool).device(z.device()));
  capture.alpha = alpha.index({tokens});  // (tokens, d)
  for (const std::int64_t delta :
       std::set<std::int64_t>(options_.windows.begin(), options_.windows.end())) {
    if (delta >= T) continue;
    std::vector<torch::Tensor> norms, cosines, p_hats;
    for (const bool future : {false, true}) {
      if (future ? !options_.pairsFuture() : !options_.pairsPast()) continue;
      const OffsetPairs pairs = offsetPairs(z, delta, future);
      const std::int64_t n = T - delta;
      const torch::Tensor valid =
          tokens.narrow(1, pairs.begin, n) & tokens.narrow(1, future ? delta : 0, n);  // (B, n)
      const torch::Tensor u = pairs.u.index({valid}), v = pairs.v.index({valid});      // (m, r)
      const torch::Tensor p = pluckerCoordinates(u, v, index_);                        // (m, P)
      const torch::Tensor norm = p.norm(2, -1);
      const torch::Tensor cos =
          (u * v).sum(-1).abs() / (u.norm(2, -1) * v.norm(2, -1)).clamp_min(1e-30);
      norms.push_back(norm);
      cosines.push_back(cos.clamp_max(1.0));
      p_hats.push_back(p / norm.unsqueeze(-1).clamp_min(options_.eps));
    }
    capture.offsets.push_back(delta);
    capture.norms.push_back(torch::cat(norms));
    capture.cosines.push_back(torch::cat(cosines));
    capture.p_hat.push_back(torch::cat(p_hats));
  }
}

BlockImpl::BlockImpl(const ModelConfig& config, std::int64_t layer)
    : grassmann_arch_(config.arch == "grassmann"),
      norm_(config.norm),
      bidirectional_(config.bidirectional),
      heads_(config.heads) {
  const std::int64_t d = config.d_model;
  // A post Grassmann block normalises inside the mixing only (the paper's text): no ln1. The
  // mixer keeps its own LayerNorm in the forms pre and post (SPEC §8).
  if (!grassmann_arch_ || norm_ != "post") ln1 = register_module("ln1", layerNorm(d));
  if (grassmann_arch_) {
    grassmann = register_module("grassmann", GrassmannMix(config, config.layerWindows(layer),
                                                          norm_ == "pre" || norm_ == "post"));
  } else {
    qkv_proj = register_module("qkv_proj", linear(d, 3 * d));
    out_proj = register_module("out_proj", linear(d, d));
    dropout = register_module("dropout", RunDropout(config.dropout));
    if (config.attn_dropout > 0)
      attn_dropout = register_module("attn_dropout", RunDropout(config.attn_dropout));
  }
  ln2 = register_module("ln2", layerNorm(d));
  const double inner = config.ffn_dropout == "outer" ? 0.0 : config.dropout;
  ffn = register_module(
      "ffn", torch::nn::Sequential(linear(d, config.d_ff), torch::nn::GELU(), RunDropout(inner),
                                   linear(config.d_ff, d), RunDropout(config.dropout)));
}

torch::Tensor BlockImpl::attention(const torch::Tensor& x, const torch::Tensor& mask) {
  const std::int64_t B = x.size(0), T = x.size(1), D = x.size(2);
  const torch::Tensor qkv =
      qkv_proj(x).view({B, T, 3, heads_, D / heads_}).permute({2, 0, 3, 1, 4});
  const torch::Tensor q = qkv[0], k = qkv[1], v = qkv[2];  // (B, heads, T, D/heads)
  torch::Tensor allowed;  // (B, 1, T, T) bool: key s visible to query t; undefined: causal only
  if (mask.defined() || bidirectional_) {
    allowed = mask.defined() ? mask.view({B, 1, 1, T})
                             : torch::ones({B, 1, 1, T}, x.options().dtype(torch::kBool));
    if (!bidirectional_)
      allowed = allowed & torch::ones({T, T}, allowed.options()).tril().view({1, 1, T, T});
    allowed = allowed.expand({B, 1, T, T});
  }
  // Dropout on the probabilities draws from the run's own generator: the plain path.
  const bool drop_probs = attn_dropout && is_training();
  torch::Tensor y;
#if TORCH_VERSION_MAJOR >= 2
  if (!drop_probs) {
    y = allowed.defined() ? at::scaled_dot_product_attention(q, k, v, allowed, 0.0, false)
                          : at::scaled_dot_product_attention(q, k, v, {}, 0.0, true);
  }
#endif
  if (!y.defined()) {
    if (!allowed.defined())
      allowed = torch::ones({T, T}, x.options().dtype(torch::kBool)).tril().view({1, 1, T, T});
    const torch::Tensor scores =
        torch::matmul(q, k.transpose(-1, -2)) / std::sqrt(static_cast<double>(D / heads_));
    torch::Tensor probs = scores.masked_fill(allowed.logical_not(), -INFINITY).softmax(-1);
    if (drop_probs) probs = attn_dropout(probs);
    y = torch::matmul(probs, v);
  }
  return out_proj(y.transpose(1, 2).reshape({B, T, D}));
}

torch::Tensor BlockImpl::forward(const torch::Tensor& x, GrassmannCapture* capture,
                                 const torch::Tensor& mask) {
  if (grassmann_arch_) {
    if (norm_ == "pre" || norm_ == "pre_plain") {  // h + Drop([LN_mix] Mix(LN1 h)), h + FFN(LN2 h)
      const torch::Tensor h = x + grassmann(ln1(x), capture, mask);
      return h + ffn->forward(ln2(h));
    }
    const torch::Tensor u = norm_ == "post"
                                ? grassmann(x, capture, mask)            // Drop(LN1(Mix h))
                                : ln1(x + grassmann(x, capture, mask));  // LN1(h + Drop(Mix h))
    return ln2(u + ffn->forward(u));
  }
  if (norm_ == "pre" || norm_ == "pre_plain") {
    const torch::Tensor h = x + dropout(attention(ln1(x), mask));
    return h + ffn->forward(ln2(h));
  }
  const torch::Tensor h = ln1(x + dropout(attention(x, mask)));
  return ln2(h + ffn->forward(h));
}

LanguageModelImpl::LanguageModelImpl(const ModelConfig& config, const at::Generator& generator,
                                     bool lm_head_allowed)
    : config_(config) {
  token_embedding =
      register_module("token_embedding", torch::nn::Embedding(config.vocab_size, config.d_model));
  position_embedding =
      register_module("position_embedding", torch::nn::Embedding(config.max_len, config.d_model));
  embedding_dropout = register_module("embedding_dropout", RunDropout(config.dropout));
  blocks = register_module("blocks", torch::nn::ModuleList());
  for (std::int64_t i = 0; i < config.n_layers; ++i) blocks->push_back(Block(config, i));
  ln_f = register_module("ln_f", layerNorm(config.d_model));
  if (!config.tie_embeddings && lm_head_allowed)
    lm_head = register_module("lm_head", linear(config.d_model, config.vocab_size, false));
  initModel(*this, config.init, generator);
  if (generator.defined()) setGenerator(generator);
}

void initLinearAndEmbeddings(torch::nn::Module& module, const at::Generator& generator) {
  torch::NoGradGuard no_grad;
  for (auto& child : module.modules(/*include_self=*/false)) {
    if (auto* l = child->as<torch::nn::Linear>()) {
      normalInit(l->weight, 0.0, kInitStd, generator);
      if (l->bias.defined()) l->bias.zero_();
    } else if (auto* e = child->as<torch::nn::Embedding>()) {
      normalInit(e->weight, 0.0, kInitStd, generator);
    }
  }
}

void initModel(torch::nn::Module& module, const std::string& init, const at::Generator& generator) {
  if (init != "torch_default") {
    initLinearAndEmbeddings(module, generator);
    if (init != "normal_xavier_qkv") return;
  }
  torch::NoGradGuard no_grad;
  const c10::optional<at::Generator> gen =
      generator.defined() ? c10::optional<at::Generator>(generator) : c10::nullopt;
  for (auto& child : module.modules(/*include_self=*/false)) {
    if (init == "normal_xavier_qkv") {  // torch.nn.MultiheadAttention's in_proj: xavier, bias 0
      if (auto* b = child->as<BlockImpl>(); b && b->qkv_proj) {
        const auto& w = b->qkv_proj->weight;  // (3d, d): fan_in d, fan_out 3d
        const double bound = std::sqrt(6.0 / static_cast<double>(w.size(0) + w.size(1)));
        b->qkv_proj->weight.uniform_(-bound, bound, gen);
        b->qkv_proj->bias.zero_();
      }
      continue;
    }
    // torch_default: kaiming_uniform(a = sqrt 5) = U(+-1/sqrt(fan_in)), bias the same bound.
    if (auto* l = child->as<torch::nn::Linear>()) {
      const double bound = 1.0 / std::sqrt(static_cast<double>(l->weight.size(1)));
      l->weight.uniform_(-bound, bound, gen);
      if (l->bias.defined()) l->bias.uniform_(-bound, bound, gen);
    } else if (auto* e = child->as<torch::nn::Embedding>()) {
      e->weight.normal_(0.0, 1.0, gen);
    }
  }
}

std::vector<std::string> plainPathNotes(const ModelConfig& config, const torch::Device& device) {
  std::vector<std::string> notes;
#if TORCH_VERSION_MAJOR >= 2
  if (config.arch == "transformer" && config.attn_dropout > 0) {
    notes.push_back("model.attn_dropout " + std::to_string(config.attn_dropout) +
                    ": attention trains on the plain path (scores, softmax, dropout from the "
                    "run's generator, weighted sum) instead of the fused "
                    "scaled_dot_product_attention; evaluation stays fused");
  }
#endif
  (void)config;
  (void)device;
  return notes;
}

torch::Tensor LanguageModelImpl::hidden(const torch::Tensor& ids,
                                        std::vector<GrassmannCapture>* captures,
                                        const torch::Tensor& mask) {
  const std::int64_t T = ids.size(1);
  TORCH_CHECK(T <= config_.max_len, "sequence length ", T, " exceeds max_len ", config_.max_len);
  const torch::Tensor positions = torch::arange(T, ids.options().dtype(torch::kLong));
  torch::Tensor x =
      embedding_dropout(token_embedding(ids) + position_embedding(positions));  // (B, T, d)
  if (captures) captures->assign(blocks->size(), GrassmannCapture{});
  for (std::size_t i = 0; i < blocks->size(); ++i) {
    x = blocks[i]->as<Block>()->forward(x, captures ? &(*captures)[i] : nullptr, mask);
  }
  return ln_f(x);
}

const torch::Tensor& LanguageModelImpl::headWeight() const {
  return lm_head ? lm_head->weight : token_embedding->weight;  // lm_head has no bias
}

torch::Tensor LanguageModelImpl::head(const torch::Tensor& h) {
  return torch::nn::functional::linear(h, headWeight());
}

torch::Tensor LanguageModelImpl::forward(const torch::Tensor& ids,
                                         std::vector<GrassmannCapture>* captures) {
  return head(hidden(ids, captures));  // (B, T, V)
}

torch::Tensor LanguageModelImpl::positionLosses(const torch::Tensor& ids) {
  const std::int64_t B = ids.size(0), T = ids.size(1);
  // The head only on the T-1 positions that have a target (no (B, T, V) logits to slice, whose
  // backward would zero-fill and copy the whole logits tensor); the losses read straight from
  // the (bf16 under autocast) logits in fp32.
  const torch::Tensor h = targets_next_ ? hidden(inputIds(ids)) : hidden(ids).narrow(1, 0, T - 1);
  return headLosses(h.reshape({-1, h.size(-1)}), ids.narrow(1, 1, T - 1).reshape({-1}))
      .view({B, T - 1});
}

torch::Tensor LanguageModelImpl::headLosses(const torch::Tensor& h, const torch::Tensor& targets) {
  const std::int64_t V = config_.vocab_size;
  constexpr std::int64_t kAlign = 64;
  const std::int64_t padded = (V + kAlign - 1) / kAlign * kAlign;
  bool pad = false;
#ifdef GWB_WITH_CUDA
  // An odd vocabulary (GPT-2's 50,257, BERT's 30,522) leaves cuBLAS only its unaligned GEMM
  // kernels for the (rows, V) logits and their gradients: half of an H200 training step.
  pad = h.is_cuda() && padded != V && fusedCrossEntropyEnabled();
#endif
  if (!pad) return tokenLosses(head(h), targets);
  const torch::Tensor logits = torch::nn::functional::linear(
      h, torch::constant_pad_nd(headWeight(), {0, 0, 0, padded - V}));  // (rows, padded)
  return tokenLosses(logits, targets, V);
}

torch::Tensor tokenLosses(const torch::Tensor& logits, const torch::Tensor& targets,
                          std::int64_t classes) {
#ifdef GWB_WITH_CUDA
  if (fusedCrossEntropyAvailable(logits, targets))
    return crossEntropyFused(logits, targets, classes);
#endif
  const torch::Tensor real =
      classes < 0 || classes == logits.size(1) ? logits : logits.narrow(1, 0, classes);
  // The same numbers as casting the logits to fp32 first, without materialising that copy.
  return torch::nll_loss(torch::log_softmax(real, -1, torch::kFloat), targets, /*weight=*/{},
                         at::Reduction::None);
}

std::vector<std::pair<std::string, std::int64_t>> LanguageModelImpl::parameterCounts() const {
  std::vector<std::pair<std::string, std::int64_t>> counts;  // in registration order
  for (const auto& item : named_parameters(/*recurse=*/true)) {
    const std::string& name = item.key();
    std::string module = name.substr(0, name.find('.'));
    if (module == "blocks") module = name.substr(0, name.find('.', 7));  // "blocks.<i>"
    if (counts.empty() || counts.back().first != module) counts.emplace_back(module, 0);
    counts.back().second += item.value().numel();
  }
  return counts;
}

std::int64_t LanguageModelImpl::parameterCount() const {
  std::int64_t total = 0;
  for (const auto& [name, count] : parameterCounts()) total += count;
  return total;
}

void LanguageModelImpl::setUseReference(bool on) {
  for (const auto& block : *blocks) {
    auto* b = block->as<Block>();
    if (b->grassmann) b->grassmann->setUseReference(on);
  }
}

double trainingFlopsPerToken(const ModelConfig& c, std::int64_t seq_len) {
  const double d = static_cast<double>(c.d_model), ff = static_cast<double>(c.d_ff);
  const double vocab = static_cast<double>(c.vocab_size), L = static_cast<double>(seq_len);
  double forward = 2 * d * vocab + c.n_layers * 2 * 2 * d * ff;  // head + FFN
  for (std::int64_t layer = 0; layer < c.n_layers; ++layer) {
    if (c.arch == "transformer") {
      forward += 2 * d * 3 * d + 2 * d * d;  // qkv and output projections
      forward += 2 * 2 * L / 2 * d;          // scores and weighted sum, causal half on average
    } else {
      const double r = static_cast<double>(c.r), P = static_cast<double>(c.pluckerDim());
      const std::vector<std::int64_t> windows = c.layerWindows(layer);
      const double offsets =
          static_cast<double>(std::set<std::int64_t>(windows.begin(), windows.end()).size());
      forward += 2 * d * r + 2 * P * d + 2 * 2 * d * d;  // W_red, W_plu (once), W_gate
      forward += offsets * 3 * P;                        // Plücker products and differences
    }
  }
  return 3 * forward;
}

}  // namespace gwb
