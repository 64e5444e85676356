// Measuring footprints with the trainer's own step.
#include "engine/train/footprint.h"

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

}  // namespace gwb
