// Version-guarded LibTorch runtime calls.
#include "engine/runtime/device.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/autocast_mode.h>
#include <sys/resource.h>

#include <cstring>
#include <mutex>

#ifdef GWB_WITH_CUDA
#include <ATen/cuda/CUDAContext.h>
#include <ATen/cuda/CUDAGeneratorImpl.h>
#include <c10/cuda/CUDACachingAllocator.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#include <cuda_runtime_api.h>

#include <mutex>
#include <optional>
#endif

#include "engine/runtime/torch_runtime.h"
#include "engine/util/error.h"

namespace gwb {

namespace {
// The CUDA device number of `device` ("cuda" alone means device 0).
int cudaIndex(const torch::Device& device) { return device.index() < 0 ? 0 : device.index(); }
}  // namespace

#ifdef GWB_WITH_CUDA
namespace {
// The allocator's aggregate statistic (StatType::AGGREGATE, 0 in every version; the enum moved
// from c10::cuda::CUDACachingAllocator to c10::CachingAllocator in LibTorch 2.x).
constexpr std::size_t kAggregate = 0;
// The caching allocator of a device is set up lazily, by the first CUDA tensor; asking it for
// statistics before that throws ("Invalid device argument ...: did you call init?"). One tiny
// allocation sets it up in every LibTorch version.
int allocatorDevice(const torch::Device& device) {
  static std::once_flag once;
  std::call_once(once, [&] { (void)torch::empty({1}, torch::TensorOptions().device(device)); });
  return cudaIndex(device);
}
}  // namespace
#endif

torch::Device resolveDevice(const std::string& name) {
  if (name == "auto")
    return torch::cuda::is_available() ? torch::Device(torch::kCUDA, 0)
                                       : torch::Device(torch::kCPU);
  return torch::Device(name);
}

std::string deviceName(const torch::Device& device) {
  if (device.is_cpu()) return "cpu";
  const RuntimeInfo info = runtimeInfo();
  return info.cuda_device.empty() ? device.str() : info.cuda_device;
}

AutocastGuard::AutocastGuard(bool enabled) : enabled_(enabled) {
  if (!enabled_) return;
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
  previous_ = at::autocast::is_autocast_enabled(at::kCUDA);
  at::autocast::set_autocast_enabled(at::kCUDA, true);
  at::autocast::set_autocast_dtype(at::kCUDA, at::kBFloat16);
#else
  previous_ = at::autocast::is_enabled();
  at::autocast::set_enabled(true);
  at::autocast::set_autocast_gpu_dtype(at::kBFloat16);
#endif
  at::autocast::increment_nesting();
}

AutocastGuard::~AutocastGuard() {
  if (!enabled_) return;
  if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
  at::autocast::set_autocast_enabled(at::kCUDA, previous_);
#else
  at::autocast::set_enabled(previous_);
#endif
}

namespace {

std::string tensorBytes(const torch::Tensor& t) {
  const torch::Tensor c = t.contiguous();
  return std::string(static_cast<const char*>(c.data_ptr()), c.numel() * c.element_size());
}

torch::Tensor bytesTensor(const std::string& bytes) {
  torch::Tensor t = torch::empty({static_cast<std::int64_t>(bytes.size())}, torch::kByte);
  std::memcpy(t.data_ptr(), bytes.data(), bytes.size());
  return t;
}

}  // namespace

at::Generator makeRunGenerator(std::uint64_t seed) {
  return at::make_generator<at::CPUGeneratorImpl>(seed);
}

std::string generatorState(const at::Generator& generator) {
  at::Generator g = generator;  // a handle: mutex() is not const in every LibTorch
  std::lock_guard<std::mutex> lock(g.mutex());
  return tensorBytes(g.get_state());
}

void setGeneratorState(at::Generator& generator, const std::string& bytes,
                       const std::string& source) {
  std::lock_guard<std::mutex> lock(generator.mutex());
  try {
    generator.set_state(bytesTensor(bytes));
  } catch (const c10::Error& e) {
    throw InputError({source, 0, "rng_cpu"},
                     expectedGot("a CPU generator state of this LibTorch",
                                 std::to_string(bytes.size()) + " bytes that are not one"));
  }
}

std::shared_mutex& cudaRandomStateMutex() {
  static std::shared_mutex mutex;
  return mutex;
}

std::string cudaGeneratorState([[maybe_unused]] const torch::Device& device) {
#ifdef GWB_WITH_CUDA
  if (device.is_cuda()) {
    const std::unique_lock<std::shared_mutex> rng(cudaRandomStateMutex());
    auto gen = at::cuda::detail::getDefaultCUDAGenerator(cudaIndex(device));
    std::lock_guard<std::mutex> lock(gen.mutex());
    return tensorBytes(gen.get_state());
  }
#endif
  return {};
}

void setCudaGeneratorState([[maybe_unused]] const torch::Device& device,
                           [[maybe_unused]] const std::string& bytes) {
#ifdef GWB_WITH_CUDA
  if (device.is_cuda() && !bytes.empty()) {
    const std::unique_lock<std::shared_mutex> rng(cudaRandomStateMutex());
    auto gen = at::cuda::detail::getDefaultCUDAGenerator(cudaIndex(device));
    std::lock_guard<std::mutex> lock(gen.mutex());
    gen.set_state(bytesTensor(bytes));
  }
#endif
}

std::int64_t peakMemoryBytes(const torch::Device& device) {
#ifdef GWB_WITH_CUDA
  // Compiled only against a CUDA LibTorch (the GPU issue builds and checks this path).
  if (device.is_cuda()) {
    namespace alloc = c10::cuda::CUDACachingAllocator;
    const auto stats = alloc::getDeviceStats(allocatorDevice(device));
    return stats.allocated_bytes[kAggregate].peak;
  }
#endif
  (void)device;
  struct rusage usage {};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<std::int64_t>(usage.ru_maxrss) * 1024;
}

std::int64_t freeDeviceMemory([[maybe_unused]] const torch::Device& device) {
#ifdef GWB_WITH_CUDA
  if (device.is_cuda()) {
    const c10::cuda::CUDAGuard guard(device);
    std::size_t free_bytes = 0, total_bytes = 0;
    if (cudaMemGetInfo(&free_bytes, &total_bytes) == cudaSuccess) {
      // Memory the caching allocator holds but does not use is free for this process's runs too.
      namespace alloc = c10::cuda::CUDACachingAllocator;
      const auto stats = alloc::getDeviceStats(allocatorDevice(device));
      const std::size_t agg = kAggregate;
      return static_cast<std::int64_t>(free_bytes) + stats.reserved_bytes[agg].current -
             stats.allocated_bytes[agg].current;
    }
  }
#endif
  return 0;
}

std::int64_t totalDeviceMemory([[maybe_unused]] const torch::Device& device) {
#ifdef GWB_WITH_CUDA
  if (device.is_cuda()) {
    const c10::cuda::CUDAGuard guard(device);
    std::size_t free_bytes = 0, total_bytes = 0;
    if (cudaMemGetInfo(&free_bytes, &total_bytes) == cudaSuccess)
      return static_cast<std::int64_t>(total_bytes);
  }
#endif
  return 0;
}

void resetPeakMemory([[maybe_unused]] const torch::Device& device) {
#ifdef GWB_WITH_CUDA
  if (device.is_cuda()) c10::cuda::CUDACachingAllocator::resetPeakStats(allocatorDevice(device));
#endif
}

void synchronize(const torch::Device& device) {
  if (device.is_cuda()) torch::cuda::synchronize(cudaIndex(device));
}

#ifdef GWB_WITH_CUDA
struct RunStreamGuard::Impl {
  explicit Impl(c10::cuda::CUDAStream s) : stream(s), guard(std::in_place, s) {}
  c10::cuda::CUDAStream stream;
  std::optional<c10::cuda::CUDAStreamGuard> guard;
};
#else
struct RunStreamGuard::Impl {};
#endif

RunStreamGuard::RunStreamGuard([[maybe_unused]] const torch::Device& device) {
#ifdef GWB_WITH_CUDA
  if (device.is_cuda()) {
    // What this thread set up went to the current (default) stream: let it finish. Streams only,
    // never the whole device: other runs may be capturing CUDA graphs meanwhile.
    c10::cuda::getCurrentCUDAStream(device.index()).synchronize();
    impl_ = std::make_unique<Impl>(
        c10::cuda::getStreamFromPool(/*isHighPriority=*/false, device.index()));
  }
#endif
}

RunStreamGuard::~RunStreamGuard() {
#ifdef GWB_WITH_CUDA
  if (impl_) {
    try {
      impl_->stream.synchronize();  // the run's work is done before others use its tensors
    } catch (const std::exception&) {
      // a failed run's CUDA error was reported where it happened; never throw from here
    }
    impl_->guard.reset();
  }
#endif
}

}  // namespace gwb
