// The step itself.
#include "engine/train/train_step.h"

#include <cmath>

#include "engine/model/tensor_io.h"
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
    : TrainStep(
          namedTensors(*model), [model](const Batch& b) mutable { return model->loss(b.ids); },
          config, bf16, model) {}

TrainStep::TrainStep(std::vector<std::pair<std::string, torch::Tensor>> params, LossFunction loss,
                     const TrainConfig& config, bool bf16,
                     [[maybe_unused]] LanguageModel graph_model)
    : loss_(std::move(loss)), named_(std::move(params)), clip_(config.clip), bf16_(bf16) {
  for (const auto& [name, p] : named_) tensors_.push_back(p);
  optimizer_ = std::make_unique<AdamW>(named_, AdamWOptions{config.betas.at(0), config.betas.at(1),
                                                            config.adam_eps, config.weight_decay});
#ifdef GWB_WITH_CUDA
  const bool on_cuda = !named_.empty() && named_.front().second.is_cuda();
  device_step_ = on_cuda && AdamW::deviceStepAvailable();
  if (device_step_ && config.cuda_graph && graph_model) {
    graph_ = std::make_unique<GraphStep>(graph_model, tensors_, *optimizer_, config, bf16);
  }
#endif
}

TrainStep::~TrainStep() = default;

TrainStep::Result TrainStep::run(const torch::Tensor& ids, double lr) {
  Batch batch;
  batch.ids = ids;
  batch.rows = ids.size(0);
  return run(batch, lr);
}

TrainStep::Result TrainStep::run(const Batch& batch, double lr) {
#ifdef GWB_WITH_CUDA
  if (graph_ && !batch.mask.defined() && graph_->fits(batch.ids)) {
    auto [loss, grad_norm] = graph_->run(batch.ids, lr);
    optimizer_->noteDeviceStep();
    return {loss, grad_norm};
  }
#endif
  // Dropout draws from the device's default generator: not while another run captures a graph.
  std::shared_lock<std::shared_mutex> rng(cudaRandomStateMutex(), std::defer_lock);
  if (batch.ids.is_cuda()) rng.lock();
  torch::Tensor loss;
  {
    AutocastGuard autocast(bf16_);
    loss = loss_(batch);
  }
  optimizer_->zeroGrad();
  loss.backward();
  if (nan_at_ > 0 && optimizer_->steps() + 1 == nan_at_ && !tensors_.empty()) {
    torch::NoGradGuard no_grad;
    tensors_.front().grad().fill_(std::nan(""));
  }
  const torch::Tensor grad_norm = clipGradNorm(tensors_, clip_);
  if (device_step_) {
    optimizer_->stepOnDevice(torch::full(
        {}, lr, torch::TensorOptions().dtype(torch::kFloat).device(batch.ids.device())));
    optimizer_->noteDeviceStep();
  } else {
    optimizer_->step(lr);
  }
  return {loss.detach(), grad_norm};
}

}  // namespace gwb
