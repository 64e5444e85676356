// Device choice, bf16 autocast and generator state, guarded for LibTorch 1.13 (CPU, Debian) and
// 2.x (CUDA). Only the engine's torch sources include this.
#pragma once

#include <torch/torch.h>

#include <memory>
#include <shared_mutex>
#include <string>

namespace gwb {

/// "auto" -> cuda:0 if available, else cpu; "cpu"; "cuda" / "cuda:N".
torch::Device resolveDevice(const std::string& name);
/// Human name of a device: "cpu" or the CUDA device's name.
std::string deviceName(const torch::Device& device);

/// Enables bf16 autocast for CUDA in its scope when `enabled` (no effect otherwise).
class AutocastGuard {
 public:
  explicit AutocastGuard(bool enabled);
  ~AutocastGuard();
  AutocastGuard(const AutocastGuard&) = delete;
  AutocastGuard& operator=(const AutocastGuard&) = delete;

 private:
  bool enabled_;
  bool previous_ = false;
};

/// A CPU generator of a run's own, seeded with `seed`: its parameter initialisation and (on a
/// CPU) its dropout masks come from it, never from the process-wide default generator.
at::Generator makeRunGenerator(std::uint64_t seed);
/// A CPU generator's state as bytes, and restoring it (InputError naming `source` if the bytes
/// are not a state of this LibTorch's CPU generator).
std::string generatorState(const at::Generator& generator);
void setGeneratorState(at::Generator& generator, const std::string& bytes,
                       const std::string& source);
/// The default CUDA generator is one per device and process, and LibTorch lets nothing else draw
/// from it while a CUDA graph captures ("Offset increment outside graph capture encountered
/// unexpectedly"): runs training in parallel threads (a sweep's --jobs, the workbench) take this
/// lock shared for an eager CUDA step, exclusively to capture or replay a graph or to read or set
/// the generator's state.
std::shared_mutex& cudaRandomStateMutex();

/// The same for the default CUDA generator of `device` ("" when not CUDA).
std::string cudaGeneratorState(const torch::Device& device);
void setCudaGeneratorState(const torch::Device& device, const std::string& bytes);

/// Peak memory: CUDA max allocated bytes, or the process's peak resident set on CPU.
std::int64_t peakMemoryBytes(const torch::Device& device);
/// The whole memory of a CUDA device (0 elsewhere).
std::int64_t totalDeviceMemory(const torch::Device& device);
/// Free memory of a CUDA device (0 elsewhere) and resetting its peak-allocation statistic.
std::int64_t freeDeviceMemory(const torch::Device& device);
void resetPeakMemory(const torch::Device& device);

/// Waits for queued work on `device` (no-op on CPU).
void synchronize(const torch::Device& device);

/// In its scope, this thread's work on a CUDA `device` goes to a stream of its own (from
/// LibTorch's pool, non-blocking), so that runs of a sweep training in parallel threads overlap on
/// the GPU instead of queueing behind each other on the default stream. It waits for the work
/// queued before it on both ends. No effect on a CPU or without a CUDA LibTorch.
class RunStreamGuard {
 public:
  explicit RunStreamGuard(const torch::Device& device);
  ~RunStreamGuard();
  RunStreamGuard(const RunStreamGuard&) = delete;
  RunStreamGuard& operator=(const RunStreamGuard&) = delete;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gwb
