// The training step captured in a CUDA graph (ARCHITECTURE.md "Where the speed comes from"):
// with fixed shapes (LM chunks are), zero-grad, forward under bf16 autocast, backward, clipping and
// ATen's fused AdamW are recorded once and replayed, so small models are not launch-bound. Every
// piece of state the step touches lives on the device (moments, step counts, learning rate,
// clip coefficient); nothing synchronises with the host. Built only with GWB_WITH_CUDA.
#pragma once

#include <torch/torch.h>

#include <memory>
#include <vector>

#include "engine/config/run_config.h"
#include "engine/model/language_model.h"
#include "engine/train/adamw.h"

namespace gwb {

class GraphStep {
 public:
  /// `optimizer` holds the moments (on the model's CUDA device) that the fused update uses.
  GraphStep(LanguageModel model, std::vector<torch::Tensor> params, AdamW& optimizer,
            const TrainConfig& config, bool bf16);
  ~GraphStep();

  /// Whether `batch` has the captured shape (the last partial batch has not: run it eagerly).
  bool fits(const torch::Tensor& batch) const;
  /// One step on `batch` at learning rate `lr`: eager fused steps first (warm-up), then the
  /// captured graph. Returns (loss, grad norm) as device tensors of their own.
  std::pair<torch::Tensor, torch::Tensor> run(const torch::Tensor& batch, double lr);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gwb
