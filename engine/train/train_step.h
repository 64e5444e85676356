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

class GraphStep;

/// Random token ids shaped like one training batch of `config`, (B, L) on `device` (benchmarks).
torch::Tensor randomBatch(const RunConfig& config, const torch::Device& device);

class TrainStep {
 public:
  /// On a CUDA device with train.cuda_graph (and a LibTorch that has the fused AdamW), full
  /// batches run as a captured CUDA graph; other batches, and every step elsewhere, eagerly.
  TrainStep(LanguageModel model, const TrainConfig& config, bool bf16);
  ~TrainStep();

  struct Result {
    torch::Tensor loss;       // scalar, device
    torch::Tensor grad_norm;  // scalar, device, before clipping
  };
  /// Trains on `batch` (B, L) with learning rate `lr`.
  Result run(const torch::Tensor& batch, double lr);

  AdamW& optimizer() { return *optimizer_; }
  /// True once steps replay a CUDA graph (after the warm-up steps).
  bool usesGraph() const {
#ifdef GWB_WITH_CUDA
    return graph_ != nullptr;
#else
    return false;
#endif
  }
  const std::vector<std::pair<std::string, torch::Tensor>>& parameters() const { return named_; }

 private:
  LanguageModel model_;
  std::vector<std::pair<std::string, torch::Tensor>> named_;
  std::vector<torch::Tensor> tensors_;
  std::unique_ptr<AdamW> optimizer_;
#ifdef GWB_WITH_CUDA  // a public definition of gwb_engine: the same in every translation unit
  std::unique_ptr<GraphStep> graph_;
#endif
  double clip_;
  bool bf16_;
  bool device_step_ = false;  // eager steps on CUDA use the fused AdamW too (one kernel per step)
};

}  // namespace gwb
