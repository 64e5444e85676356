// The device side of the scheduler: what device a run would use and how much memory it has free,
// and a run's measured footprint (the allocator's peak over a few real training steps on CUDA; the
// estimate elsewhere). Torch-free header for the CLI and the GUI's controller.
#pragma once

#include <cstdint>
#include <string>

#include "engine/cluster/scheduler.h"
#include "engine/config/run_config.h"

namespace gwb {

/// The device `device_name` ("auto", "cpu", "cuda", "cuda:N") resolves to, and its free memory.
DeviceCapacity deviceCapacity(const std::string& device_name);

/// Peak memory of `steps` training steps of `config` (resolved) on its device: measured on CUDA,
/// estimated (estimateFootprint) on a CPU.
std::int64_t measureFootprint(const RunConfig& config, int steps = 2);

/// Seconds a run of `config` would take to train on this machine's CPU: its steps
/// (estimateTotalSteps) x tokens per step x training FLOPs per token, at the CPU's matrix-product
/// rate (measured once per process, about 0.1 s) times the efficiency small models reach (0.3).
/// What the workbench says before it queues a sweep on a CPU.
double estimateTrainingSeconds(const RunConfig& config);

}  // namespace gwb
