// GraphStep. Capture follows PyTorch's whole-network recipe: a few eager iterations on a side
// stream, grads set to None so backward allocates them from the graph's pool, autocast without its
// weight cache during capture, then replay with the inputs copied into static tensors.
#include "engine/train/graph_step.h"

#include <ATen/autocast_mode.h>
#include <ATen/cuda/CUDAContext.h>
#include <ATen/cuda/CUDAEvent.h>
#include <ATen/cuda/CUDAGraph.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>

#include "engine/runtime/device.h"

namespace gwb {

namespace {

// Makes `waiter` wait for the work queued so far on `producer` (no host synchronisation).
void waitFor(const c10::cuda::CUDAStream& waiter, const c10::cuda::CUDAStream& producer) {
  at::cuda::CUDAEvent event;
  event.record(producer);
  event.block(waiter);
}

}  // namespace

struct GraphStep::Impl {
  LanguageModel model;
  std::vector<torch::Tensor> params;
  AdamW& optimizer;
  TrainConfig config;
  bool bf16;
  std::vector<std::int64_t> shape;  // of the first batch seen
  int warmups_done = 0;
  torch::Tensor static_batch, static_loss, static_norm, lr;
  std::unique_ptr<at::cuda::CUDAGraph> graph;

  Impl(LanguageModel m, std::vector<torch::Tensor> p, AdamW& o, const TrainConfig& c, bool b)
      : model(std::move(m)), params(std::move(p)), optimizer(o), config(c), bf16(b) {}

  // The step as the graph records it: forward, backward, clip, fused AdamW, all on the device.
  void body() {
    torch::Tensor loss;
    {
      AutocastGuard autocast(bf16);
      loss = model->loss(static_batch);
    }
    loss.backward();
    static_norm = clipGradNorm(params, config.clip);
    optimizer.stepOnDevice(lr);
    static_loss = loss.detach();
  }
};

GraphStep::GraphStep(LanguageModel model, std::vector<torch::Tensor> params, AdamW& optimizer,
                     const TrainConfig& config, bool bf16)
    : impl_(std::make_unique<Impl>(std::move(model), std::move(params), optimizer, config, bf16)) {}

GraphStep::~GraphStep() = default;

bool GraphStep::fits(const torch::Tensor& batch) const {
  return impl_->shape.empty() ||
         std::vector<std::int64_t>(batch.sizes().begin(), batch.sizes().end()) == impl_->shape;
}

std::pair<torch::Tensor, torch::Tensor> GraphStep::run(const torch::Tensor& batch, double lr) {
  Impl& s = *impl_;
  constexpr int kWarmups = 3;  // PyTorch's recipe: settle lazy allocations before capturing
  if (s.shape.empty()) {
    s.shape.assign(batch.sizes().begin(), batch.sizes().end());
    s.static_batch = torch::empty_like(batch);
    s.lr = torch::zeros({}, batch.options().dtype(torch::kFloat));
  }
  s.static_batch.copy_(batch, /*non_blocking=*/true);
  s.lr.fill_(lr);
  if (s.warmups_done < kWarmups) {
    // Eager fused steps on a side stream, exactly the captured arithmetic.
    const std::shared_lock<std::shared_mutex> rng(cudaRandomStateMutex());
    const c10::cuda::CUDAStream side = c10::cuda::getStreamFromPool();
    waitFor(side, c10::cuda::getCurrentCUDAStream());
    {
      const c10::cuda::CUDAStreamGuard guard(side);
      s.optimizer.zeroGrad();
      s.body();
    }
    waitFor(c10::cuda::getCurrentCUDAStream(), side);
    ++s.warmups_done;
    return {s.static_loss.clone(), s.static_norm.clone()};
  }
  // Capture and replay move the default CUDA generator's state (the dropout masks' Philox
  // offsets): no other run may draw from it meanwhile (see cudaRandomStateMutex).
  const std::unique_lock<std::shared_mutex> rng(cudaRandomStateMutex());
  if (!s.graph) {
    s.optimizer.zeroGrad();  // backward allocates the grads from the graph's pool
    s.graph = std::make_unique<at::cuda::CUDAGraph>();
    const c10::cuda::CUDAStream side = c10::cuda::getStreamFromPool();
    waitFor(side, c10::cuda::getCurrentCUDAStream());
    {
      const c10::cuda::CUDAStreamGuard guard(side);
      const bool cache = at::autocast::is_autocast_cache_enabled();
      at::autocast::set_autocast_cache_enabled(false);
#if TORCH_VERSION_MAJOR >= 2
      // Thread-local capture: other runs of a sweep keep allocating and launching from their own
      // threads while this one captures (global mode would make their calls fail).
      s.graph->capture_begin({0, 0}, cudaStreamCaptureModeThreadLocal);
#else
      s.graph->capture_begin();
#endif
      s.body();
      s.graph->capture_end();
      at::autocast::set_autocast_cache_enabled(cache);
    }
    waitFor(c10::cuda::getCurrentCUDAStream(), side);
  }
  s.graph->replay();
  return {s.static_loss.clone(), s.static_norm.clone()};
}

}  // namespace gwb
