// One optimizer step of the recipe (SPEC §4), shared by the trainer and `gwb bench`: forward under
// bf16 autocast on CUDA, fp32 cross-entropy, backward, global-norm clipping, AdamW. Returns the
// loss and the gradient norm as device tensors: nothing here waits for the device.
#pragma once

#include <torch/torch.h>

#include <functional>
#include <memory>

#include "engine/config/run_config.h"
#include "engine/model/batch.h"
#include "engine/model/language_model.h"
#include "engine/train/adamw.h"

namespace gwb {

class GraphStep;

/// Random token ids shaped like one training batch of `config`, (B, L) on `device` (benchmarks).
torch::Tensor randomBatch(const RunConfig& config, const torch::Device& device);

/// The mean training loss of a batch (the model's forward inside).
using LossFunction = std::function<torch::Tensor(const Batch&)>;

class TrainStep {
 public:
  /// A language model's step: loss = model->loss(batch.ids). On a CUDA device with
  /// train.cuda_graph (and a LibTorch that has the fused AdamW), full batches run as a captured
  /// CUDA graph; other batches, and every step elsewhere, eagerly.
  TrainStep(LanguageModel model, const TrainConfig& config, bool bf16);
  /// Any model's step: `params` (named) trained on `loss`. `graph_model`, if given, is the
  /// language model whose unmasked batches may be graph-captured.
  TrainStep(std::vector<std::pair<std::string, torch::Tensor>> params, LossFunction loss,
            const TrainConfig& config, bool bf16, LanguageModel graph_model = nullptr);
  ~TrainStep();

  struct Result {
    torch::Tensor loss;       // scalar, device
    torch::Tensor grad_norm;  // scalar, device, before clipping
  };
  /// Trains on `batch` with learning rate `lr`.
  Result run(const Batch& batch, double lr);
  /// Trains on language-model chunks `ids` (B, L).
  Result run(const torch::Tensor& ids, double lr);

  AdamW& optimizer() { return *optimizer_; }
  /// Fault injection (tests, GWB_FAULT_NAN_GRAD_STEP): the eager step that makes optimizer
  /// step `step` (1-based) sets a gradient to NaN after its backward pass.
  void injectNanGradientAt(std::int64_t step) { nan_at_ = step; }
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
  LossFunction loss_;
  std::vector<std::pair<std::string, torch::Tensor>> named_;
  std::vector<torch::Tensor> tensors_;
  std::unique_ptr<AdamW> optimizer_;
#ifdef GWB_WITH_CUDA  // a public definition of gwb_engine: the same in every translation unit
  std::unique_ptr<GraphStep> graph_;
#endif
  double clip_;
  bool bf16_;
  std::int64_t nan_at_ = 0;
  bool device_step_ = false;  // eager steps on CUDA use the fused AdamW too (one kernel per step)
};

}  // namespace gwb
