// Pooling and the classifier head.
#include "engine/model/classifier.h"

namespace gwb {

SequenceClassifierImpl::SequenceClassifierImpl(const ModelConfig& config, bool separate,
                                               const at::Generator& generator, std::int64_t classes)
    : LanguageModelImpl(config, generator, /*lm_head=*/false), separate_(separate) {
  const std::int64_t d = config.d_model;
  classifier = register_module(
      "classifier", torch::nn::Linear(torch::nn::LinearOptions(separate ? 4 * d : d, classes)));
  torch::NoGradGuard no_grad;
  normalInit(classifier->weight, 0.0, 0.02, generator);
  classifier->bias.zero_();
}

torch::Tensor SequenceClassifierImpl::pool(const torch::Tensor& ids, const torch::Tensor& mask,
                                           std::vector<GrassmannCapture>* captures) {
  const torch::Tensor h = hidden(ids, captures, mask);  // (B, T, d)
  const std::string& pooling = config().pooling;
  if (pooling == "cls") return h.select(1, 0);
  if (!mask.defined()) return pooling == "last" ? h.select(1, h.size(1) - 1) : h.mean(1);
  if (pooling == "last") {
    const torch::Tensor last = (mask.sum(1) - 1).clamp_min(0).view({-1, 1, 1});  // (B, 1, 1)
    return h.gather(1, last.expand({h.size(0), 1, h.size(2)})).squeeze(1);
  }
  const torch::Tensor m = mask.to(h.scalar_type()).unsqueeze(-1);  // (B, T, 1)
  return (h * m).sum(1) / m.sum(1).clamp_min(1);
}

torch::Tensor SequenceClassifierImpl::logits(const Batch& batch) {
  if (!separate_) return classifier(pool(batch.ids, batch.mask));
  const torch::Tensor u = pool(batch.ids, batch.mask), v = pool(batch.ids_b, batch.mask_b);
  return classifier(torch::cat({u, v, (u - v).abs(), u * v}, -1));  // (B, 4d) -> (B, 3)
}

}  // namespace gwb
