// Measuring footprints with the trainer's own step.
#include "engine/train/footprint.h"

#include <chrono>

#include "engine/cluster/sweep_plan.h"
#include "engine/model/language_model.h"
#include "engine/runtime/device.h"
#include "engine/train/train_step.h"

namespace gwb {

DeviceCapacity deviceCapacity(const std::string& device_name) {
  const torch::Device device = resolveDevice(device_name);
  DeviceCapacity capacity;
  capacity.cuda = device.is_cuda();
  capacity.free_bytes = freeDeviceMemory(device);
  return capacity;
}

std::int64_t measureFootprint(const RunConfig& config, int steps) {
  const torch::Device device = resolveDevice(config.train.device);
  const bool bf16 = usesBf16(config.train, device.is_cuda());
  if (!device.is_cuda()) return estimateFootprint(config, bf16);
  synchronize(device);
  resetPeakMemory(device);
  const std::int64_t before = peakMemoryBytes(device);
  {
    LanguageModel model(config.model);
    model->to(device);
    model->train();
    TrainStep step(model, config.train, bf16);
    const torch::Tensor batch = randomBatch(config, device);
    for (int i = 0; i < steps; ++i) step.run(batch, config.train.lr);
    synchronize(device);
  }
  return peakMemoryBytes(device) - before;
}

namespace {

// Floating-point operations per second of a 512 x 512 fp32 matrix product here.
double cpuMatmulRate() {
  static const double rate = [] {
    torch::NoGradGuard no_grad;
    const torch::Tensor a = torch::randn({512, 512}), b = torch::randn({512, 512});
    (void)torch::mm(a, b);  // warm-up
    const auto start = std::chrono::steady_clock::now();
    constexpr int kRepeats = 8;
    for (int i = 0; i < kRepeats; ++i) (void)torch::mm(a, b);
    const double s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return kRepeats * 2.0 * 512 * 512 * 512 / std::max(s, 1e-6);
  }();
  return rate;
}

}  // namespace

double estimateTrainingSeconds(const RunConfig& config) {
  constexpr double kEfficiency = 0.3;  // of the peak product rate, measured on the cpu-small runs
  RunConfig c = config;
  resolveRunConfig(c, knownVocabSize(c.data.tokenizer));
  double flops = trainingFlopsPerToken(c.model, c.data.seq_len);
  if (c.data.isSnli()) flops -= 3 * 2.0 * c.model.d_model * c.model.vocab_size;  // no LM head
  const double tokens = static_cast<double>(estimateTotalSteps(c)) *
                        static_cast<double>(c.train.batch_size * c.data.seq_len);
  return tokens * std::max(flops, 1.0) / (cpuMatmulRate() * kEfficiency);
}

}  // namespace gwb
