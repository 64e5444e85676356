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

void tuneMalloc() {
#ifdef __GLIBC__
  // glibc serves blocks above 32 MB with mmap and unmaps them on free, so every training step
  // page-faults its logits and gradients (hundreds of MB) in again: measured here, 2.4x slower
  // steps and most of the time in the kernel. Keep freed memory in the heap for reuse instead.
  //
  // The same holds only for the main thread's heap: a thread that trains (the workbench's run
  // controller, `gwb speedrun --jobs`, studies) gets an arena of its own, made of 64 MB heaps that
  // cannot hold those blocks and are shrunk on free, so its steps page-fault again (issue 24:
  // 11.5 M minor faults against 0.37 M, 718 ms a step against 550 ms on the main thread;
  // gwb-window-step-bench in bench/RESULTS.md). One arena for the process keeps every thread on
  // the main heap. It must come before any other thread allocates (Qt starts some): first thing
  // in main().
  static const bool tuned = [] {
    mallopt(M_MMAP_MAX, 0);
    mallopt(M_TRIM_THRESHOLD, std::numeric_limits<int>::max());
    mallopt(M_ARENA_MAX, 1);
    return true;
  }();
  (void)tuned;
#endif
}

void initTorchThreads(int threads) {
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  torch::set_num_threads(threads);
  tuneMalloc();
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
