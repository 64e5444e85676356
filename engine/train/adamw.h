// AdamW exactly as PyTorch's single-tensor implementation (decoupled weight decay on every
// parameter, bias-corrected moments), written out so that its state is ours: the moments save
// under the parameters' names (exp_avg.<name>, exp_avg_sq.<name>) and the step count lives in the
// trainer state. LibTorch's C++ AdamW keeps its step on the host and its state keyed by pointers.
#pragma once

#include <torch/torch.h>

#include <map>
#include <string>
#include <vector>

namespace gwb {

struct AdamWOptions {
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 0.01;
};

class AdamW {
 public:
  /// Optimises the named parameters (names are the checkpoint names).
  AdamW(std::vector<std::pair<std::string, torch::Tensor>> params, AdamWOptions options);

  /// One update with learning rate `lr` using the parameters' current gradients.
  void step(double lr);
  /// Sets every gradient to None.
  void zeroGrad();
  /// The same update on the device with ATen's fused AdamW (CUDA builds on LibTorch >= 2.3): the
  /// learning rate a device scalar, the step counts device tensors, no host synchronisation, so a
  /// CUDA graph can capture it. The host count is advanced with noteDeviceStep().
  void stepOnDevice(const torch::Tensor& lr);
  /// Counts an update that stepOnDevice applied (a graph replays it without running host code).
  void noteDeviceStep() { ++steps_; }
  /// True where stepOnDevice exists (this LibTorch has the fused op and CUDA).
  static bool deviceStepAvailable();
  /// Updates done so far.
  std::int64_t steps() const { return steps_; }

  /// exp_avg.<name> and exp_avg_sq.<name> for every parameter.
  std::vector<std::pair<std::string, torch::Tensor>> stateTensors() const;
  /// Restores moments (validated like weights) and the step count.
  void loadState(const std::map<std::string, torch::Tensor>& tensors, std::int64_t steps,
                 const std::string& source);

 private:
  std::vector<std::pair<std::string, torch::Tensor>> params_;
  std::vector<torch::Tensor> exp_avg_, exp_avg_sq_;
  std::vector<torch::Tensor>
      device_steps_;  // float32 scalars for the fused op, created on first use
  AdamWOptions options_;
  std::int64_t steps_ = 0;
};

/// Scales all gradients so that their global 2-norm is at most `max_norm` (as PyTorch's
/// clip_grad_norm_), without a host synchronisation; returns the norm before clipping as a
/// device scalar. max_norm <= 0 only measures.
torch::Tensor clipGradNorm(const std::vector<torch::Tensor>& params, double max_norm);

}  // namespace gwb
