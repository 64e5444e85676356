// One optimizer step of the recipe (SPEC §4), shared by the trainer and `gwb bench`: forward under
// bf16 autocast on CUDA, fp32 cross-entropy, backward, global-norm clipping, AdamW. Returns the
// loss and the gradient norm as device tensors: nothing here waits for the device.
#pragma once

#include <torch/torch.h>

#include <memory>

#include "engine/config/run_config.h"
#include "engine/model/language_model.h"
#include "engine/train/adamw.h"

namespace gwb {

class TrainStep {
 public:
  TrainStep(LanguageModel model, const TrainConfig& config, bool bf16);

  struct Result {
    torch::Tensor loss;       // scalar, device
    torch::Tensor grad_norm;  // scalar, device, before clipping
  };
  /// Trains on `batch` (B, L) with learning rate `lr`.
  Result run(const torch::Tensor& batch, double lr);

  AdamW& optimizer() { return *optimizer_; }
  const std::vector<std::pair<std::string, torch::Tensor>>& parameters() const { return named_; }

 private:
  LanguageModel model_;
  std::vector<std::pair<std::string, torch::Tensor>> named_;
  std::vector<torch::Tensor> tensors_;
  std::unique_ptr<AdamW> optimizer_;
  double clip_;
  bool bf16_;
};

}  // namespace gwb
