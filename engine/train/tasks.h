// The factories of the two tasks (engine-internal; makeTask in task.h chooses).
#pragma once

#include <memory>

#include "engine/train/task.h"

namespace gwb {

std::unique_ptr<Task> makeLanguageModelTask(const RunConfig& config, const TaskContext& ctx);
std::unique_ptr<Task> makeSnliTask(const RunConfig& config, const TaskContext& ctx);

}  // namespace gwb
