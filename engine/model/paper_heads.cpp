// The paper's heads: window-paired Grassmann blocks, and §2 blocks for the Transformer head.
#include "engine/model/paper_heads.h"

namespace gwb {
namespace {

torch::nn::Linear linear(std::int64_t in, std::int64_t out) {
  return torch::nn::Linear(torch::nn::LinearOptions(in, out));
}

torch::nn::LayerNorm layerNorm(std::int64_t d) {
  return torch::nn::LayerNorm(torch::nn::LayerNormOptions({d}));
}

// Geometry in fp32 at least (bf16 autocast on CUDA would otherwise round the norms).
torch::Tensor geometryPrecision(const torch::Tensor& z) {
  return z.scalar_type() == torch::kDouble || z.scalar_type() == torch::kFloat
             ? z
             : z.to(torch::kFloat);
}

}  // namespace

WindowGrassmannMixImpl::WindowGrassmannMixImpl(std::int64_t d, std::int64_t r,
                                               const WindowOptions& options, double dropout_p)
    : options_(options), index_(PluckerIndex::make(r / options.groups, torch::kCPU)) {
  W_red = register_module("W_red", linear(d, r));
  W_plu = register_module("W_plu", linear(options.pluckerDim(r), d));
  W_gate = register_module("W_gate", linear(2 * d, d));
  layer_norm = register_module("layer_norm", layerNorm(d));
  dropout = register_module("dropout", RunDropout(dropout_p));
}

torch::Tensor WindowGrassmannMixImpl::forward(const torch::Tensor& h, const torch::Tensor& mask,
                                              std::int64_t segment, GrassmannCapture* capture) {
  const torch::Tensor z = geometryPrecision(W_red(h));  // (B, T, r)
  if (index_.i0.device() != z.device())
    index_ = PluckerIndex::make(z.size(2) / options_.groups, z.device());
  const torch::Tensor g =
      use_oracle_ ? windowGeometryOracle(z, mask, segment, options_, W_plu)
                  : windowGeometry(z, mask, segment, options_, index_, W_plu);  // (B, T, d)
  const torch::Tensor alpha = torch::sigmoid(W_gate(torch::cat({h, g.to(h.scalar_type())}, -1)));
  if (capture) captureProbes(z.detach(), alpha.detach(), mask, segment, *capture);
  return dropout(layer_norm(alpha * h + (1 - alpha) * g));
}

void WindowGrassmannMixImpl::captureProbes(const torch::Tensor& z, const torch::Tensor& alpha,
                                           const torch::Tensor& mask, std::int64_t segment,
                                           GrassmannCapture& capture) const {
  // Per distance |t - s| inside the windows: the valid pairs from both ends.
  torch::NoGradGuard no_grad;
  const std::int64_t B = z.size(0), T = z.size(1), r = z.size(2);
  const std::int64_t G = options_.groups, c = r / G;
  const torch::Tensor tokens =
      mask.defined() ? mask : torch::ones({B, T}, z.options().dtype(torch::kBool));
  capture.alpha = alpha.index({tokens});  // (tokens, d)
  const torch::Tensor partners = windowPartners(T, segment, options_);
  const PluckerIndex index = PluckerIndex::make(c, z.device());
  for (std::int64_t delta = 1; delta < std::min(options_.window, T); ++delta) {
    const std::int64_t n = T - delta;
    const torch::Tensor share = partners.diagonal(delta).to(z.device());
    const torch::Tensor valid =
        share.view({1, n}) & tokens.narrow(1, 0, n) & tokens.narrow(1, delta, n);  // (B, n)
    if (!valid.any().item<bool>()) continue;
    const torch::Tensor u = z.narrow(1, 0, n).index({valid}),
                        v = z.narrow(1, delta, n).index({valid});
    const torch::Tensor p = pluckerCoordinates(u.view({-1, G, c}), v.view({-1, G, c}), index);
    const torch::Tensor norm = p.reshape({p.size(0), -1}).norm(2, -1);  // (m,)
    const torch::Tensor p_hat =
        (options_.normalize ? p / p.norm(2, -1, true).clamp_min(options_.eps) : p)
            .reshape({p.size(0), -1});
    const torch::Tensor cos =
        ((u * v).sum(-1).abs() / (u.norm(2, -1) * v.norm(2, -1)).clamp_min(1e-30)).clamp_max(1.0);
    capture.offsets.push_back(delta);
    capture.norms.push_back(torch::cat({norm, norm}));  // (t, s) and (s, t): the same |p|
    capture.cosines.push_back(torch::cat({cos, cos}));
    capture.p_hat.push_back(torch::cat({p_hat, -p_hat}));  // p(v, u) = -p(u, v)
  }
}

WindowBlockImpl::WindowBlockImpl(std::int64_t d, std::int64_t d_ff, std::int64_t r,
                                 const WindowOptions& options, double dropout) {
  ln1 = register_module("ln1", layerNorm(d));
  grassmann = register_module("grassmann", WindowGrassmannMix(d, r, options, dropout));
  ln2 = register_module("ln2", layerNorm(d));
  ffn = register_module(
      "ffn", torch::nn::Sequential(linear(d, d_ff), torch::nn::GELU(), RunDropout(dropout),
                                   linear(d_ff, d), RunDropout(dropout)));
}

torch::Tensor WindowBlockImpl::forward(const torch::Tensor& x, const torch::Tensor& mask,
                                       std::int64_t segment, GrassmannCapture* capture) {
  const torch::Tensor h = x + grassmann(ln1(x), mask, segment, capture);
  return h + ffn->forward(ln2(h));
}

ModelConfig paperTransformerBlockConfig(const ModelConfig& config) {
  ModelConfig block = config;
  block.arch = "transformer";
  block.d_model = config.head_d_model;
  block.d_ff = config.head_d_ff;
  block.heads = config.head_heads;
  block.norm = "pre";
  block.ffn_dropout = "inner";  // the language model's switches (SPEC §8) are not the head's
  block.attn_dropout = 0;
  block.init = "normal";
  block.bidirectional = true;
  return block;
}

WindowOptions paperWindowOptions(const ModelConfig& config) {
  WindowOptions o;
  o.window = config.head_window;
  o.stride = config.head_stride;
  o.groups = config.head_groups;
  o.normalize = config.normalize_plucker;
  o.eps = config.plucker_eps;
  return o;
}

PaperHeadImpl::PaperHeadImpl(const ModelConfig& config, std::int64_t feature_dim,
                             const at::Generator& generator, std::int64_t classes)
    : grassmann_(config.arch == "grassmann") {
  const std::int64_t d = config.head_d_model;
  input_projection = register_module("input_projection", linear(feature_dim, d));
  blocks = register_module("blocks", torch::nn::ModuleList());
  const ModelConfig block = paperTransformerBlockConfig(config);
  for (std::int64_t i = 0; i < config.head_layers; ++i) {
    if (grassmann_) {
      blocks->push_back(WindowBlock(d, config.head_d_ff, config.head_r, paperWindowOptions(config),
                                    config.dropout));
    } else {
      blocks->push_back(Block(block, i));
    }
  }
  classifier = register_module("classifier", linear(d, classes));
  initLinearAndEmbeddings(*this, generator);  // N(0, 0.02), biases 0 (SPEC §1.10)
}

torch::Tensor PaperHeadImpl::forward(const HeadInput& input,
                                     std::vector<GrassmannCapture>* captures) {
  const torch::Tensor& mask = input.mask;
  torch::Tensor x = input_projection(input.features);  // (B, T, d)
  if (captures && grassmann_) captures->assign(blocks->size(), GrassmannCapture{});
  for (std::size_t i = 0; i < blocks->size(); ++i) {
    if (grassmann_) {
      GrassmannCapture* capture = captures ? &(*captures)[i] : nullptr;
      x = blocks[i]->as<WindowBlock>()->forward(x, mask, input.segment, capture);
    } else {
      x = blocks[i]->as<Block>()->forward(x, nullptr, mask);
    }
  }
  torch::Tensor pooled;  // masked mean over the tokens, (B, d)
  if (!mask.defined()) {
    pooled = x.mean(1);
  } else {
    const torch::Tensor m = mask.to(x.scalar_type()).unsqueeze(-1);  // (B, T, 1)
    pooled = (x * m).sum(1) / m.sum(1).clamp_min(1);
  }
  return classifier(pooled);  // (B, 3)
}

void PaperHeadImpl::setUseOracle(bool on) {
  if (!grassmann_) return;
  for (const auto& b : *blocks) b->as<WindowBlock>()->grassmann->setUseOracle(on);
}

}  // namespace gwb
