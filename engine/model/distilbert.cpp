// DistilBertModel's forward pass (eval mode) and loading from a Hugging Face folder.
#include "engine/model/distilbert.h"

#include <cmath>
#include <fstream>
#include <limits>

#include "engine/io/safetensors.h"
#include "engine/model/run_dropout.h"
#include "engine/util/error.h"

namespace gwb {
namespace {

// Hugging Face's DistilBERT LayerNorms (embeddings and both of every block).
constexpr double kLayerNormEps = 1e-12;

torch::nn::LayerNorm layerNorm(std::int64_t d) {
  return torch::nn::LayerNorm(torch::nn::LayerNormOptions({d}).eps(kLayerNormEps));
}

torch::nn::Linear linear(std::int64_t in, std::int64_t out) {
  return torch::nn::Linear(torch::nn::LinearOptions(in, out));
}

torch::ScalarType scalarType(StDtype dtype) {
  switch (dtype) {
    case StDtype::F64:
      return torch::kDouble;
    case StDtype::F16:
      return torch::kHalf;
    case StDtype::BF16:
      return torch::kBFloat16;
    default:
      return torch::kFloat;  // inspectBackboneFolder admits float dtypes only
  }
}

}  // namespace

DistilBertEmbeddingsImpl::DistilBertEmbeddingsImpl(const DistilBertShape& s) {
  word_embeddings = register_module("word_embeddings", torch::nn::Embedding(s.vocab_size, s.dim));
  position_embeddings = register_module("position_embeddings",
                                        torch::nn::Embedding(s.max_position_embeddings, s.dim));
  layer_norm = register_module("LayerNorm", layerNorm(s.dim));
}

torch::Tensor DistilBertEmbeddingsImpl::forward(const torch::Tensor& ids) {
  const torch::Tensor positions = torch::arange(ids.size(1), ids.options().dtype(torch::kLong));
  return layer_norm(word_embeddings(ids) + position_embeddings(positions));  // (B, T, dim)
}

DistilBertAttentionImpl::DistilBertAttentionImpl(const DistilBertShape& s) : heads_(s.n_heads) {
  q_lin = register_module("q_lin", linear(s.dim, s.dim));
  k_lin = register_module("k_lin", linear(s.dim, s.dim));
  v_lin = register_module("v_lin", linear(s.dim, s.dim));
  out_lin = register_module("out_lin", linear(s.dim, s.dim));
}

torch::Tensor DistilBertAttentionImpl::forward(const torch::Tensor& x, const torch::Tensor& mask) {
  const std::int64_t B = x.size(0), T = x.size(1), D = x.size(2), dh = D / heads_;
  const auto split = [&](const torch::Tensor& t) {
    return t.view({B, T, heads_, dh}).transpose(1, 2);  // (B, heads, T, dh)
  };
  const torch::Tensor q = split(q_lin(x)) / std::sqrt(static_cast<double>(dh));
  const torch::Tensor k = split(k_lin(x)), v = split(v_lin(x));
  torch::Tensor scores = torch::matmul(q, k.transpose(2, 3));  // (B, heads, T, T)
  if (mask.defined()) {
    // As Hugging Face: padded keys get the dtype's lowest finite value, so exp() makes them 0.
    const double lowest = scores.scalar_type() == torch::kBFloat16 ? -3.3895313892515355e38
                          : scores.scalar_type() == torch::kDouble
                              ? std::numeric_limits<double>::lowest()
                              : static_cast<double>(std::numeric_limits<float>::lowest());
    scores = scores.masked_fill(mask.logical_not().view({B, 1, 1, T}), lowest);
  }
  const torch::Tensor context = torch::matmul(scores.softmax(-1), v);  // (B, heads, T, dh)
  return out_lin(context.transpose(1, 2).reshape({B, T, D}));
}

DistilBertFfnImpl::DistilBertFfnImpl(const DistilBertShape& s) : relu_(s.activation == "relu") {
  lin1 = register_module("lin1", linear(s.dim, s.hidden_dim));
  lin2 = register_module("lin2", linear(s.hidden_dim, s.dim));
}

torch::Tensor DistilBertFfnImpl::forward(const torch::Tensor& x) {
  const torch::Tensor h = lin1(x);
  return lin2(relu_ ? torch::relu(h) : torch::gelu(h));  // GELU: the exact (erf) form
}

DistilBertLayerImpl::DistilBertLayerImpl(const DistilBertShape& s) {
  attention = register_module("attention", DistilBertAttention(s));
  sa_layer_norm = register_module("sa_layer_norm", layerNorm(s.dim));
  ffn = register_module("ffn", DistilBertFfn(s));
  output_layer_norm = register_module("output_layer_norm", layerNorm(s.dim));
}

torch::Tensor DistilBertLayerImpl::forward(const torch::Tensor& x, const torch::Tensor& mask) {
  const torch::Tensor h = sa_layer_norm(attention(x, mask) + x);  // post-LN
  return output_layer_norm(ffn(h) + h);
}

DistilBertTransformerImpl::DistilBertTransformerImpl(const DistilBertShape& s) {
  layer = register_module("layer", torch::nn::ModuleList());
  for (std::int64_t i = 0; i < s.n_layers; ++i) layer->push_back(DistilBertLayer(s));
}

DistilBertImpl::DistilBertImpl(const DistilBertShape& shape) : shape_(shape) {
  embeddings = register_module("embeddings", DistilBertEmbeddings(shape));
  transformer = register_module("transformer", DistilBertTransformer(shape));
}

torch::ScalarType DistilBertImpl::dtype() const {
  return embeddings->word_embeddings->weight.scalar_type();
}

torch::Tensor DistilBertImpl::forward(const torch::Tensor& ids, const torch::Tensor& mask) {
  TORCH_CHECK(ids.size(1) <= shape_.max_position_embeddings, "sequence length ", ids.size(1),
              " exceeds max_position_embeddings ", shape_.max_position_embeddings);
  torch::Tensor x = embeddings(ids);  // (B, T, dim)
  for (const auto& block : *transformer->layer) x = block->as<DistilBertLayer>()->forward(x, mask);
  return x;
}

DistilBert loadDistilBert(const BackboneFolder& folder, const torch::Device& device, bool bf16) {
  DistilBert model(folder.shape);
  const SafetensorsHeader header = readSafetensorsHeader(folder.weights_path);
  std::ifstream in(folder.weights_path, std::ios::binary);
  if (!in) throw InputError({folder.weights_path}, expectedGot("a readable file", "none"));
  torch::NoGradGuard no_grad;
  for (auto& item : model->named_parameters(/*recurse=*/true)) {
    const auto name = folder.file_names.find(item.key());
    if (name == folder.file_names.end()) {
      throw InputError({folder.weights_path, 0, item.key()}, expectedGot("this tensor", "none"));
    }
    const StTensorInfo& info = header.tensors.at(name->second);
    torch::Tensor raw =
        torch::empty(info.shape, torch::TensorOptions().dtype(scalarType(info.dtype)));
    in.seekg(static_cast<std::streamoff>(header.data_begin + info.begin));
    in.read(static_cast<char*>(raw.data_ptr()),
            static_cast<std::streamsize>(info.end - info.begin));
    if (!in) {
      throw InputError({folder.weights_path, 0, name->second},
                       expectedGot("its data", "a read error (file cut short?)"));
    }
    item.value().copy_(raw.to(torch::kFloat));
  }
  for (auto& p : model->parameters()) p.requires_grad_(false);
  model->eval();
  model->to(device, bf16 ? torch::kBFloat16 : torch::kFloat);
  return model;
}

void initDistilBertRandom(DistilBertImpl& model, const at::Generator& generator) {
  torch::NoGradGuard no_grad;
  for (auto& item : model.named_parameters(/*recurse=*/true)) {
    const std::string& name = item.key();
    const bool norm =
        name.find("LayerNorm") != std::string::npos || name.find("layer_norm") != std::string::npos;
    torch::Tensor& p = item.value();
    if (norm) {
      p.fill_(name.size() >= 6 && name.compare(name.size() - 6, 6, "weight") == 0 ? 1.0 : 0.0);
    } else if (name.size() >= 4 && name.compare(name.size() - 4, 4, "bias") == 0) {
      p.zero_();
    } else {
      normalInit(p, 0.0, 0.02, generator);
    }
  }
}

torch::Tensor maskedMean(const torch::Tensor& hidden, const torch::Tensor& mask) {
  const torch::Tensor h =
      hidden.scalar_type() == torch::kDouble ? hidden : hidden.to(torch::kFloat);
  if (!mask.defined()) return h.mean(1);
  const torch::Tensor m = mask.to(h.scalar_type()).unsqueeze(-1);  // (B, T, 1)
  return (h * m).sum(1) / m.sum(1).clamp_min(1);                   // (B, D)
}

}  // namespace gwb
