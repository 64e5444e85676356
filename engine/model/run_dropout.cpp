// The mask arithmetic of LibTorch's own CPU dropout (bernoulli(1 - p) / (1 - p), times x).
#include "engine/model/run_dropout.h"

namespace gwb {
namespace {

c10::optional<at::Generator> optional(const at::Generator& g) {
  return g.defined() ? c10::optional<at::Generator>(g) : c10::nullopt;
}

}  // namespace

torch::Tensor RunDropoutImpl::forward(const torch::Tensor& x) {
  if (!is_training() || p_ == 0) return x;
  if (!generator_.defined() || !x.device().is_cpu()) return torch::dropout(x, p_, /*train=*/true);
  if (p_ >= 1) return x * 0;
  torch::Tensor noise = torch::empty_like(x).bernoulli_(1 - p_, optional(generator_));
  noise.div_(1 - p_);
  return x * noise;
}

void setDropoutGenerator(torch::nn::Module& module, const at::Generator& generator) {
  if (auto* d = module.as<RunDropoutImpl>()) d->setGenerator(generator);
  for (const auto& child : module.modules(/*include_self=*/false)) {  // callable in constructors
    if (auto* d = child->as<RunDropoutImpl>()) d->setGenerator(generator);
  }
}

void normalInit(torch::Tensor& t, double mean, double std, const at::Generator& generator) {
  t.normal_(mean, std, optional(generator));
}

}  // namespace gwb
