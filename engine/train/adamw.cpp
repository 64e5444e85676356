// AdamW and gradient clipping.
#include "engine/train/adamw.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "engine/model/tensor_io.h"

namespace gwb {

AdamW::AdamW(std::vector<std::pair<std::string, torch::Tensor>> params, AdamWOptions options)
    : params_(std::move(params)), options_(options) {
  for (const auto& [name, p] : params_) {
    exp_avg_.push_back(torch::zeros_like(p, torch::MemoryFormat::Preserve));
    exp_avg_sq_.push_back(torch::zeros_like(p, torch::MemoryFormat::Preserve));
  }
}

void AdamW::step(double lr) {
  torch::NoGradGuard no_grad;
  ++steps_;
  const double bias1 = 1.0 - std::pow(options_.beta1, static_cast<double>(steps_));
  const double bias2 = 1.0 - std::pow(options_.beta2, static_cast<double>(steps_));
  const double step_size = lr / bias1;
  const double bias2_sqrt = std::sqrt(bias2);
  for (std::size_t i = 0; i < params_.size(); ++i) {
    torch::Tensor p = params_[i].second;
    const torch::Tensor& grad = p.grad();
    if (!grad.defined()) continue;
    p.mul_(1.0 - lr * options_.weight_decay);
    exp_avg_[i].lerp_(grad, 1.0 - options_.beta1);
    exp_avg_sq_[i].mul_(options_.beta2).addcmul_(grad, grad, 1.0 - options_.beta2);
    const torch::Tensor denom = (exp_avg_sq_[i].sqrt() / bias2_sqrt).add_(options_.eps);
    p.addcdiv_(exp_avg_[i], denom, -step_size);
  }
  for (torch::Tensor& s : device_steps_) s.add_(1);  // keep a later fused step consistent
}

bool AdamW::deviceStepAvailable() {
#if defined(GWB_WITH_CUDA) && \
    (TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 3))
  return true;
#else
  return false;
#endif
}

void AdamW::stepOnDevice([[maybe_unused]] const torch::Tensor& lr) {
#if defined(GWB_WITH_CUDA) && \
    (TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 3))
  torch::NoGradGuard no_grad;
  if (device_steps_.empty()) {
    for (const auto& [name, p] : params_) {
      device_steps_.push_back(
          torch::full({}, static_cast<double>(steps_), p.options().dtype(torch::kFloat)));
    }
  }
  std::vector<torch::Tensor> params, grads, exp_avgs, exp_avg_sqs, steps;
  for (std::size_t i = 0; i < params_.size(); ++i) {
    const torch::Tensor& p = params_[i].second;
    if (!p.grad().defined()) continue;
    params.push_back(p);
    grads.push_back(p.grad());
    exp_avgs.push_back(exp_avg_[i]);
    exp_avg_sqs.push_back(exp_avg_sq_[i]);
    steps.push_back(device_steps_[i]);
  }
  // The fused op reads the step counts for the bias corrections but does not advance them:
  // torch.optim advances them first (torch._foreach_add_(state_steps, 1)), and so do we.
  at::_foreach_add_(steps, 1);
  at::_fused_adamw_(params, grads, exp_avgs, exp_avg_sqs, /*max_exp_avg_sqs=*/{}, steps, lr,
                    options_.beta1, options_.beta2, options_.weight_decay, options_.eps,
                    /*amsgrad=*/false, /*maximize=*/false);
#else
  throw std::logic_error("AdamW::stepOnDevice needs a CUDA LibTorch >= 2.3");
#endif
}

void AdamW::zeroGrad() {
  for (auto& [name, p] : params_) {
    if (p.grad().defined()) p.mutable_grad().reset();
  }
}

std::vector<std::pair<std::string, torch::Tensor>> AdamW::stateTensors() const {
  std::vector<std::pair<std::string, torch::Tensor>> out;
  for (std::size_t i = 0; i < params_.size(); ++i) {
    out.emplace_back("exp_avg." + params_[i].first, exp_avg_[i]);
    out.emplace_back("exp_avg_sq." + params_[i].first, exp_avg_sq_[i]);
  }
  return out;
}

void AdamW::loadState(const std::map<std::string, torch::Tensor>& tensors, std::int64_t steps,
                      const std::string& source) {
  copyIntoTensors(stateTensors(), tensors, source);
  steps_ = steps;
  for (torch::Tensor& s : device_steps_) s.fill_(static_cast<double>(steps));
}

torch::Tensor clipGradNorm(const std::vector<torch::Tensor>& params, double max_norm) {
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> grads;
  for (const auto& p : params) {
    if (p.grad().defined()) grads.push_back(p.grad());
  }
  if (grads.empty()) return torch::zeros({}, torch::kFloat);
  // One multi-tensor kernel for all the norms instead of one kernel per parameter.
  const torch::Tensor total = torch::stack(at::_foreach_norm(grads, 2)).to(torch::kFloat).norm(2);
  if (max_norm > 0) {
    const torch::Tensor coef = (max_norm / (total + 1e-6)).clamp_max(1.0);
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 1)
    const auto dtype = grads.front().scalar_type();
    if (std::all_of(grads.begin(), grads.end(),
                    [&](const torch::Tensor& g) { return g.scalar_type() == dtype; })) {
      at::_foreach_mul_(grads, coef.to(dtype));  // the scale stays on the device
      return total;
    }
#endif
    for (torch::Tensor& g : grads) g.mul_(coef.to(g.scalar_type()));
  }
  return total;
}

}  // namespace gwb
