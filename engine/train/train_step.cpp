// The step itself.
#include "engine/train/train_step.h"

#include "engine/io/tensor_io.h"
#include "engine/runtime/device.h"

#ifdef GWB_WITH_CUDA
#include "engine/train/graph_step.h"
#endif

namespace gwb {

torch::Tensor randomBatch(const RunConfig& config, const torch::Device& device) {
  return torch::randint(0, config.model.vocab_size, {config.train.batch_size, config.data.seq_len},
                        torch::TensorOptions().dtype(torch::kLong).device(device));
}

TrainStep::TrainStep(LanguageModel model, const TrainConfig& config, bool bf16)
    : model_(std::move(model)), named_(namedTensors(*model_)), clip_(config.clip), bf16_(bf16) {
  for (const auto& [name, p] : named_) tensors_.push_back(p);
  optimizer_ = std::make_unique<AdamW>(named_, AdamWOptions{config.betas.at(0), config.betas.at(1),
                                                            config.adam_eps, config.weight_decay});
#ifdef GWB_WITH_CUDA
  const bool on_cuda = !named_.empty() && named_.front().second.is_cuda();
  device_step_ = on_cuda && AdamW::deviceStepAvailable();
  if (device_step_ && config.cuda_graph) {
    graph_ = std::make_unique<GraphStep>(model_, tensors_, *optimizer_, config, bf16);
  }
#endif
}

TrainStep::~TrainStep() = default;

TrainStep::Result TrainStep::run(const torch::Tensor& batch, double lr) {
#ifdef GWB_WITH_CUDA
  if (graph_ && graph_->fits(batch)) {
    auto [loss, grad_norm] = graph_->run(batch, lr);
    optimizer_->noteDeviceStep();
    return {loss, grad_norm};
  }
#endif
  // Dropout draws from the device's default generator: not while another run captures a graph.
  std::shared_lock<std::shared_mutex> rng(cudaRandomStateMutex(), std::defer_lock);
  if (batch.is_cuda()) rng.lock();
  torch::Tensor loss;
  {
    AutocastGuard autocast(bf16_);
    loss = model_->loss(batch);
  }
  optimizer_->zeroGrad();
  loss.backward();
  const torch::Tensor grad_norm = clipGradNorm(tensors_, clip_);
  if (device_step_) {
    optimizer_->stepOnDevice(
        torch::full({}, lr, torch::TensorOptions().dtype(torch::kFloat).device(batch.device())));
    optimizer_->noteDeviceStep();
  } else {
    optimizer_->step(lr);
  }
  return {loss.detach(), grad_norm};
}

}  // namespace gwb
