// The factories of the tasks (engine-internal; makeTask in task.h chooses).
#pragma once

#include <memory>

#include "engine/train/task.h"

namespace gwb {

std::unique_ptr<Task> makeLanguageModelTask(const RunConfig& config, const TaskContext& ctx);
std::unique_ptr<Task> makeSnliTask(const RunConfig& config, const TaskContext& ctx);
/// SNLI heads on a frozen backbone: config.model.backbone_dir must name the resolved folder.
std::unique_ptr<Task> makeSnliBackboneTask(const RunConfig& config, const TaskContext& ctx);

}  // namespace gwb
