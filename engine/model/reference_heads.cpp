// The reference's heads, line by line as its PyTorch classes compute them.
#include "engine/model/reference_heads.h"

#include <cmath>

namespace gwb {
namespace {

constexpr double kPluckerEps = 1e-8;  // PluckerEncoder's clamp of |p|

c10::optional<at::Generator> optional(const at::Generator& g) {
  return g.defined() ? c10::optional<at::Generator>(g) : c10::nullopt;
}

torch::nn::Linear linear(std::int64_t in, std::int64_t out) {
  return torch::nn::Linear(torch::nn::LinearOptions(in, out));
}

torch::nn::LayerNorm layerNorm(std::int64_t d) {  // PyTorch's default eps 1e-5
  return torch::nn::LayerNorm(torch::nn::LayerNormOptions({d}));
}

}  // namespace

void pytorchLinearInit(torch::nn::LinearImpl& l, const at::Generator& generator) {
  torch::NoGradGuard no_grad;
  const double bound = 1.0 / std::sqrt(static_cast<double>(l.weight.size(1)));
  l.weight.uniform_(-bound, bound, optional(generator));
  if (l.bias.defined()) l.bias.uniform_(-bound, bound, optional(generator));
}

ReferenceSelfAttentionImpl::ReferenceSelfAttentionImpl(std::int64_t d, std::int64_t heads,
                                                       double dropout_p)
    : heads_(heads) {
  in_proj_weight = register_parameter("in_proj_weight", torch::empty({3 * d, d}));
  in_proj_bias = register_parameter("in_proj_bias", torch::zeros({3 * d}));
  out_proj = register_module("out_proj", linear(d, d));
  dropout = register_module("dropout", RunDropout(dropout_p));
}

torch::Tensor ReferenceSelfAttentionImpl::forward(const torch::Tensor& x) {
  const std::int64_t B = x.size(0), T = x.size(1), D = x.size(2), dh = D / heads_;
  const torch::Tensor qkv = torch::nn::functional::linear(x, in_proj_weight, in_proj_bias)
                                .view({B, T, 3, heads_, dh})
                                .permute({2, 0, 3, 1, 4});  // (3, B, heads, T, dh)
  const torch::Tensor q = qkv[0] / std::sqrt(static_cast<double>(dh)), k = qkv[1], v = qkv[2];
  const torch::Tensor weights = dropout(torch::matmul(q, k.transpose(-1, -2)).softmax(-1));
  const torch::Tensor y = torch::matmul(weights, v);  // (B, heads, T, dh)
  return out_proj(y.transpose(1, 2).reshape({B, T, D}));
}

ReferenceEncoderLayerImpl::ReferenceEncoderLayerImpl(std::int64_t d, std::int64_t heads,
                                                     std::int64_t d_ff, double dropout_p) {
  self_attn = register_module("self_attn", ReferenceSelfAttention(d, heads, dropout_p));
  linear1 = register_module("linear1", linear(d, d_ff));
  dropout = register_module("dropout", RunDropout(dropout_p));
  linear2 = register_module("linear2", linear(d_ff, d));
  norm1 = register_module("norm1", layerNorm(d));
  norm2 = register_module("norm2", layerNorm(d));
  dropout1 = register_module("dropout1", RunDropout(dropout_p));
  dropout2 = register_module("dropout2", RunDropout(dropout_p));
}

torch::Tensor ReferenceEncoderLayerImpl::forward(const torch::Tensor& x) {
  const torch::Tensor h = norm1(x + dropout1(self_attn(x)));  // post-LN (norm_first=False)
  return norm2(h + dropout2(linear2(dropout(torch::relu(linear1(h))))));
}

ReferenceGrassmannLayerImpl::ReferenceGrassmannLayerImpl(std::int64_t d, std::int64_t r,
                                                         std::int64_t d_ff, double dropout)
    : index_(PluckerIndex::make(r, torch::kCPU)) {
  to_reduced = register_module("to_reduced", linear(d, r));
  from_plucker = register_module("from_plucker", linear(r * (r - 1) / 2, d));
  gate = register_module("gate", torch::nn::Sequential(linear(2 * d, d), torch::nn::Sigmoid()));
  ln1 = register_module("ln1", layerNorm(d));
  ln2 = register_module("ln2", layerNorm(d));
  ffn = register_module(
      "ffn", torch::nn::Sequential(linear(d, d_ff), torch::nn::GELU(), RunDropout(dropout),
                                   linear(d_ff, d), RunDropout(dropout)));
}

torch::Tensor ReferenceGrassmannLayerImpl::forward(const torch::Tensor& x,
                                                   GrassmannCapture* capture) {
  const torch::Tensor z = to_reduced(x);  // (B, T, r)
  if (index_.i0.device() != z.device()) index_ = PluckerIndex::make(z.size(2), z.device());
  // The reference pairs z with itself: p_ij = z_i z_j - z_j z_i, zero in exact arithmetic and in
  // floating point (the two products are the same rounded number).
  const torch::Tensor p = pluckerCoordinates(z, z, index_);  // (B, T, P) zeros
  const torch::Tensor p_hat = p / p.norm(2, -1, true).clamp_min(kPluckerEps);
  const torch::Tensor g = from_plucker(p_hat);  // its bias
  const torch::Tensor alpha = gate->forward(torch::cat({x, g.to(x.scalar_type())}, -1));
  if (capture) capture->alpha = alpha.detach().reshape({-1, alpha.size(-1)});  // no pairs
  const torch::Tensor h = ln1(x + (alpha * x + (1 - alpha) * g));
  return ln2(h + ffn->forward(h));
}

ReferenceHeadImpl::ReferenceHeadImpl(const ModelConfig& config, std::int64_t feature_dim,
                                     const at::Generator& generator, std::int64_t classes)
    : grassmann_(config.arch == "grassmann") {
  const std::int64_t d = config.head_d_model;
  input_projection = register_module("input_projection", linear(feature_dim, d));
  if (grassmann_) {
    mixing_layers = register_module("mixing_layers", torch::nn::ModuleList());
    for (std::int64_t i = 0; i < config.head_layers; ++i)
      mixing_layers->push_back(
          ReferenceGrassmannLayer(d, config.head_r, config.head_d_ff, config.dropout));
  } else {
    transformer1 = register_module("transformer1", std::make_shared<torch::nn::Module>());
    layers = transformer1->register_module("layers", torch::nn::ModuleList());
    for (std::int64_t i = 0; i < config.head_layers; ++i)
      layers->push_back(
          ReferenceEncoderLayer(d, config.head_heads, config.head_d_ff, config.dropout));
  }
  classifier = register_module("classifier", linear(d, classes));

  // PyTorch's defaults: every Linear kaiming-uniform; MultiheadAttention's in_proj xavier-uniform
  // with zero biases (its out_proj bias too); LayerNorm 1 / 0. nn.TransformerEncoder deep-copies
  // one initialised layer, so every layer starts equal.
  torch::NoGradGuard no_grad;
  for (auto& child : modules(/*include_self=*/false)) {
    if (auto* l = child->as<torch::nn::Linear>()) pytorchLinearInit(*l, generator);
  }
  if (!grassmann_ && !layers->is_empty()) {
    auto* first = layers[0]->as<ReferenceEncoderLayer>();
    const double bound = std::sqrt(6.0 / static_cast<double>(4 * d));  // fan_in d + fan_out 3d
    first->self_attn->in_proj_weight.uniform_(-bound, bound, optional(generator));
    first->self_attn->in_proj_bias.zero_();
    first->self_attn->out_proj->bias.zero_();
    const auto source = first->named_parameters(/*recurse=*/true);
    for (std::size_t i = 1; i < layers->size(); ++i) {
      for (auto& item : layers[i]->named_parameters(/*recurse=*/true))
        item.value().copy_(source[item.key()]);
    }
  }
}

torch::Tensor ReferenceHeadImpl::forward(const HeadInput& input,
                                         std::vector<GrassmannCapture>* captures) {
  torch::Tensor x = input_projection(input.features).unsqueeze(1);  // (B, 1, d)
  if (grassmann_) {
    if (captures) captures->assign(mixing_layers->size(), GrassmannCapture{});
    for (std::size_t i = 0; i < mixing_layers->size(); ++i) {
      x = mixing_layers[i]->as<ReferenceGrassmannLayer>()->forward(
          x, captures ? &(*captures)[i] : nullptr);
    }
  } else {
    for (const auto& layer : *layers) x = layer->as<ReferenceEncoderLayer>()->forward(x);
  }
  return classifier(x.squeeze(1));  // (B, 3)
}

}  // namespace gwb
