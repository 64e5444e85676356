// The task of a configuration.
#include "engine/train/task.h"

#include "engine/train/tasks.h"

namespace gwb {

std::unique_ptr<Task> makeTask(const RunConfig& config, const TaskContext& ctx) {
  if (config.data.isSnli() && config.model.hasBackbone()) return makeSnliBackboneTask(config, ctx);
  if (config.data.isSnli()) return makeSnliTask(config, ctx);
  return makeLanguageModelTask(config, ctx);
}

}  // namespace gwb
