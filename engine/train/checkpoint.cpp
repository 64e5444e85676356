// Tensors to checkpoint files and back.
#include "engine/train/checkpoint.h"

#include "engine/io/safetensors.h"
#include "engine/model/tensor_io.h"
#include "engine/util/durable.h"
#include "engine/util/error.h"
#include "engine/util/file_io.h"

namespace gwb {
namespace {

std::string serialize(const NamedTensors& tensors, const std::map<std::string, std::string>& meta) {
  SafetensorsData data;
  data.metadata = meta;
  for (const auto& [name, tensor] : tensors) data.tensors[name] = toStTensor(tensor);
  return serializeSafetensors(data);
}

// The tensors of `path`, after checking that its metadata names `step`.
std::map<std::string, torch::Tensor> tensorsOfStep(const std::string& path, std::int64_t step) {
  const SafetensorsData data = readSafetensors(path);
  const auto it = data.metadata.find("step");
  if (it == data.metadata.end() || it->second != std::to_string(step)) {
    throw InputError({path, 0, "__metadata__.step"},
                     expectedGot(std::to_string(step) + " as in trainer_state.json",
                                 it == data.metadata.end() ? "none" : it->second));
  }
  std::map<std::string, torch::Tensor> out;
  for (const auto& [name, t] : data.tensors) out[name] = fromStTensor(t);
  return out;
}

}  // namespace

CheckpointFiles writeCheckpoint(CheckpointStore& store, const NamedTensors& params,
                                const AdamW& optimizer, const TrainerState& state) {
  const std::map<std::string, std::string> meta = {{"step", std::to_string(state.step)}};
  // Serialised before the store's write scope opens: the device-to-host copies are the slow part.
  const std::string weights = serialize(params, meta);
  const std::string moments = serialize(optimizer.stateTensors(), meta);
  const std::string trainer = trainerStateToJson(state);
  return store.commit([&](const CheckpointFiles& files) {
    writeFileSynced(files.model, weights);
    writeFileSynced(files.optimizer, moments);
    writeFileSynced(files.state, trainer);
  });
}

std::optional<TrainerState> readCheckpoint(const CheckpointStore& store, const NamedTensors& params,
                                           AdamW& optimizer, CheckpointFiles* files) {
  const std::optional<CheckpointFiles> latest = store.latest();
  if (!latest) return std::nullopt;
  const TrainerState state = readTrainerState(latest->state);
  const auto weights = tensorsOfStep(latest->model, state.step);
  const auto moments = tensorsOfStep(latest->optimizer, state.step);
  copyIntoTensors(params, weights, latest->model);  // validates before copying
  optimizer.loadState(moments, state.step, latest->optimizer);
  if (files) *files = *latest;
  return state;
}

void writeBestWeights(const CheckpointStore& store, const NamedTensors& params,
                      const std::map<std::string, std::string>& metadata) {
  writeFileAtomic(store.bestPath(), serialize(params, metadata));
}

}  // namespace gwb
