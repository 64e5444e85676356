// The step itself.
#include "engine/train/train_step.h"

#include "engine/io/tensor_io.h"
#include "engine/runtime/device.h"

namespace gwb {

TrainStep::TrainStep(LanguageModel model, const TrainConfig& config, bool bf16)
    : model_(std::move(model)), named_(namedTensors(*model_)), clip_(config.clip), bf16_(bf16) {
  for (const auto& [name, p] : named_) tensors_.push_back(p);
  optimizer_ = std::make_unique<AdamW>(named_, AdamWOptions{config.betas.at(0), config.betas.at(1),
                                                            config.adam_eps, config.weight_decay});
}

TrainStep::Result TrainStep::run(const torch::Tensor& batch, double lr) {
  torch::Tensor loss;
  {
    AutocastGuard autocast(bf16_);
    loss = model_->loss(batch);
  }
  optimizer_->zeroGrad();
  loss.backward();
  const torch::Tensor grad_norm = clipGradNorm(tensors_, clip_);
  optimizer_->step(lr);
  return {loss.detach(), grad_norm};
}

}  // namespace gwb
