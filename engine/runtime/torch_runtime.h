// What LibTorch this build runs on (version, CUDA device) and the one place that sets its
// thread count. The header is torch-free so the GUI and gwb's argument code can include it.
#pragma once

#include <string>

namespace gwb {

struct RuntimeInfo {
  std::string libtorch_version;  ///< e.g. "1.13.0"
  bool cuda = false;             ///< a CUDA device is usable
  std::string cuda_device;       ///< its name, empty without CUDA
  int threads = 1;               ///< LibTorch intra-op threads
};

/// Sets LibTorch's intra-op threads to `threads` (0: the number of cores; LibTorch's own default
/// here is 1), and keeps large freed blocks in glibc's heap (see the source). Call at start-up,
/// before any tensor work.
void initTorchThreads(int threads = 0);

/// Keeps large freed blocks in glibc's heap and every thread on one heap (see the source), so that
/// steps neither page-fault their tensors in again nor run slower on a worker thread. Call first
/// thing in main(), before any thread starts; initTorchThreads() calls it too.
void tuneMalloc();

/// Versions and devices, for --version, the About box and run provenance.
RuntimeInfo runtimeInfo();

}  // namespace gwb
