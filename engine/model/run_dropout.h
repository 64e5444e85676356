// Dropout that draws its masks from the run's own generator instead of LibTorch's process-wide
// default one, so that runs training side by side in one process (the GUI queue, gwb speedrun
// --jobs) neither reseed nor consume each other's random streams, and a run's resume state is its
// own. On CUDA it uses the device's default generator (a captured CUDA graph must own the Philox
// state it replays; see device.h's cudaRandomStateMutex). No parameters: checkpoint names are
// those of torch::nn::Dropout.
#pragma once

#include <torch/torch.h>

namespace gwb {

class RunDropoutImpl : public torch::nn::Module {
 public:
  explicit RunDropoutImpl(double p = 0.5) : p_(p) {}
  /// The generator CPU masks come from (undefined: LibTorch's default).
  void setGenerator(const at::Generator& generator) { generator_ = generator; }
  torch::Tensor forward(const torch::Tensor& x);
  double p() const { return p_; }

 private:
  double p_;
  at::Generator generator_;
};
TORCH_MODULE(RunDropout);

/// Sets `generator` on every RunDropout inside `module`.
void setDropoutGenerator(torch::nn::Module& module, const at::Generator& generator);

/// Normal(mean, std) initialisation from `generator` (undefined: the default one).
void normalInit(torch::Tensor& t, double mean, double std, const at::Generator& generator);

}  // namespace gwb
