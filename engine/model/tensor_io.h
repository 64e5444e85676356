// Tensors <-> safetensors: saving and strictly loading a module's parameters (and any named
// tensors such as optimizer moments) under their names. A file with a missing, extra or
// mis-shaped tensor is an InputError naming the tensor; nothing is changed in that case.
#pragma once

#include <torch/torch.h>

#include <map>
#include <string>
#include <vector>

#include "engine/io/safetensors.h"

namespace gwb {

/// Converts a tensor (any device; F64/F32/F16/BF16/I64/I32/I16/I8/U8/BOOL) to an StTensor.
StTensor toStTensor(const torch::Tensor& tensor);
/// A CPU tensor holding a copy of `t`.
torch::Tensor fromStTensor(const StTensor& t);

/// Writes `tensors` (name -> tensor) to `path` atomically, with string metadata.
void saveTensors(const std::string& path,
                 const std::vector<std::pair<std::string, torch::Tensor>>& tensors,
                 const std::map<std::string, std::string>& metadata = {});
/// Reads every tensor of `path` as CPU tensors.
std::map<std::string, torch::Tensor> loadTensors(const std::string& path);

/// The module's parameters (and buffers with `with_buffers`) under their registered names.
std::vector<std::pair<std::string, torch::Tensor>> namedTensors(const torch::nn::Module& module);
/// Saves the module's parameters to `path` (float32 as they are).
void saveModuleWeights(const torch::nn::Module& module, const std::string& path,
                       const std::map<std::string, std::string>& metadata = {});
/// Loads `path` into the module's parameters: every parameter present with its exact shape, no
/// extra tensors; converted to each parameter's dtype and device. Validates before copying.
void loadModuleWeights(torch::nn::Module& module, const std::string& path);
/// Loads weights written under a reproduction's naming `scheme` (SPEC §8: reference, arledge,
/// kanenorman or its alias youdie006, grasslm; "" = recognised from the names) into the module's
/// parameters, with the same checks as loadModuleWeights: every parameter's tensor present with
/// its shape (else an InputError naming the first missing one under the scheme's name), no tensor
/// left over but a tied head or index buffers, two parameters never read from one tensor. Returns
/// the scheme used.
std::string loadModuleWeightsNamed(torch::nn::Module& module, const std::string& path,
                                   const std::string& scheme = "");
/// The same check and copy for named tensors already read (`source` names the file in errors).
void copyIntoTensors(const std::vector<std::pair<std::string, torch::Tensor>>& targets,
                     const std::map<std::string, torch::Tensor>& values, const std::string& source,
                     const std::string& prefix = "");

}  // namespace gwb
