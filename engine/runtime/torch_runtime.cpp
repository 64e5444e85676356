// LibTorch queries behind torch_runtime.h: the only torch translation unit the foundation needs.
#include "engine/runtime/torch_runtime.h"

#include <torch/torch.h>
#include <torch/version.h>

#include <limits>
#include <thread>

#ifdef __GLIBC__
#include <malloc.h>
#endif

#ifdef GWB_WITH_CUDA
#include <ATen/cuda/CUDAContext.h>
#endif

namespace gwb {

void initTorchThreads(int threads) {
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  torch::set_num_threads(threads);
#ifdef __GLIBC__
  // glibc serves blocks above 32 MB with mmap and unmaps them on free, so every training step
  // page-faults its logits and gradients (hundreds of MB) in again: measured here, 2.4x slower
  // steps and most of the time in the kernel. Keep freed memory in the heap for reuse instead.
  static const bool tuned = [] {
    mallopt(M_MMAP_MAX, 0);
    mallopt(M_TRIM_THRESHOLD, std::numeric_limits<int>::max());
    return true;
  }();
  (void)tuned;
#endif
}

RuntimeInfo runtimeInfo() {
  RuntimeInfo info;
  info.libtorch_version = TORCH_VERSION;
  info.cuda = torch::cuda::is_available();
#ifdef GWB_WITH_CUDA
  if (info.cuda) info.cuda_device = at::cuda::getDeviceProperties(0)->name;
#else
  if (info.cuda) info.cuda_device = "cuda:0";
#endif
  info.threads = torch::get_num_threads();
  return info;
}

}  // namespace gwb
