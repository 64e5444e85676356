// Conversions between torch tensors and the safetensors bytes (little-endian, row-major).
#include "engine/model/tensor_io.h"

#include <cstring>

#include "engine/io/name_schemes.h"
#include "engine/util/error.h"

namespace gwb {
namespace {

StDtype stDtypeOf(torch::ScalarType type) {
  switch (type) {
    case torch::kDouble:
      return StDtype::F64;
    case torch::kFloat:
      return StDtype::F32;
    case torch::kHalf:
      return StDtype::F16;
    case torch::kBFloat16:
      return StDtype::BF16;
    case torch::kLong:
      return StDtype::I64;
    case torch::kInt:
      return StDtype::I32;
    case torch::kShort:
      return StDtype::I16;
    case torch::kChar:
      return StDtype::I8;
    case torch::kByte:
      return StDtype::U8;
    case torch::kBool:
      return StDtype::BOOL;
    default:
      throw std::invalid_argument(std::string("no safetensors dtype for ") + c10::toString(type));
  }
}

torch::ScalarType scalarTypeOf(StDtype dtype) {
  switch (dtype) {
    case StDtype::F64:
      return torch::kDouble;
    case StDtype::F32:
      return torch::kFloat;
    case StDtype::F16:
      return torch::kHalf;
    case StDtype::BF16:
      return torch::kBFloat16;
    case StDtype::I64:
      return torch::kLong;
    case StDtype::I32:
      return torch::kInt;
    case StDtype::I16:
      return torch::kShort;
    case StDtype::I8:
      return torch::kChar;
    case StDtype::U8:
      return torch::kByte;
    case StDtype::BOOL:
      return torch::kBool;
  }
  return torch::kFloat;
}

std::string shapeText(const std::vector<std::int64_t>& shape) {
  std::string s = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

}  // namespace

StTensor toStTensor(const torch::Tensor& tensor) {
  const torch::Tensor cpu = tensor.detach().to(torch::kCPU).contiguous();
  StTensor out;
  out.dtype = stDtypeOf(cpu.scalar_type());
  out.shape.assign(cpu.sizes().begin(), cpu.sizes().end());
  out.bytes.assign(static_cast<const char*>(cpu.data_ptr()), cpu.numel() * cpu.element_size());
  return out;
}

torch::Tensor fromStTensor(const StTensor& t) {
  torch::Tensor out = torch::empty(t.shape, torch::TensorOptions().dtype(scalarTypeOf(t.dtype)));
  if (!t.bytes.empty()) std::memcpy(out.data_ptr(), t.bytes.data(), t.bytes.size());
  return out;
}

void saveTensors(const std::string& path,
                 const std::vector<std::pair<std::string, torch::Tensor>>& tensors,
                 const std::map<std::string, std::string>& metadata) {
  SafetensorsData data;
  data.metadata = metadata;
  for (const auto& [name, tensor] : tensors) data.tensors[name] = toStTensor(tensor);
  writeSafetensors(path, data);
}

std::map<std::string, torch::Tensor> loadTensors(const std::string& path) {
  std::map<std::string, torch::Tensor> out;
  for (const auto& [name, t] : readSafetensors(path).tensors) out[name] = fromStTensor(t);
  return out;
}

std::vector<std::pair<std::string, torch::Tensor>> namedTensors(const torch::nn::Module& module) {
  std::vector<std::pair<std::string, torch::Tensor>> out;
  for (const auto& item : module.named_parameters(/*recurse=*/true))
    out.emplace_back(item.key(), item.value());
  return out;
}

void saveModuleWeights(const torch::nn::Module& module, const std::string& path,
                       const std::map<std::string, std::string>& metadata) {
  saveTensors(path, namedTensors(module), metadata);
}

void copyIntoTensors(const std::vector<std::pair<std::string, torch::Tensor>>& targets,
                     const std::map<std::string, torch::Tensor>& values, const std::string& source,
                     const std::string& prefix) {
  // Validate everything first, so that a bad file changes nothing.
  for (const auto& [name, target] : targets) {
    const auto it = values.find(prefix + name);
    if (it == values.end()) {
      throw InputError({source, 0, prefix + name}, expectedGot("this tensor", "none (missing)"));
    }
    const std::vector<std::int64_t> want(target.sizes().begin(), target.sizes().end());
    const std::vector<std::int64_t> got(it->second.sizes().begin(), it->second.sizes().end());
    if (want != got) {
      throw InputError({source, 0, prefix + name},
                       expectedGot("shape " + shapeText(want), shapeText(got)));
    }
    if (!it->second.is_floating_point() && target.is_floating_point()) {
      throw InputError(
          {source, 0, prefix + name},
          expectedGot("a floating-point tensor", c10::toString(it->second.scalar_type())));
    }
  }
  std::size_t expected = 0;
  for (const auto& [name, value] : values) expected += name.rfind(prefix, 0) == 0;
  if (expected != targets.size()) {
    for (const auto& [name, value] : values) {
      if (name.rfind(prefix, 0) != 0) continue;
      const bool known = std::any_of(targets.begin(), targets.end(), [&, n = name](const auto& t) {
        return prefix + t.first == n;
      });
      if (!known)
        throw InputError({source, 0, name},
                         expectedGot("only the model's tensors", "an extra tensor"));
    }
  }
  torch::NoGradGuard no_grad;
  for (const auto& [name, target] : targets) {
    torch::Tensor t = target;
    t.copy_(values.at(prefix + name).to(target.scalar_type()));
  }
}

void loadModuleWeights(torch::nn::Module& module, const std::string& path) {
  copyIntoTensors(namedTensors(module), loadTensors(path), path);
}

std::string loadModuleWeightsNamed(torch::nn::Module& module, const std::string& path,
                                   const std::string& scheme_arg) {
  const std::map<std::string, torch::Tensor> file = loadTensors(path);
  std::vector<std::string> names;
  for (const auto& [name, tensor] : file) names.push_back(name);
  std::string scheme =
      scheme_arg.empty() ? recogniseNameScheme(names) : canonicalNameScheme(scheme_arg);
  if (scheme.empty()) {
    std::string first;
    for (std::size_t i = 0; i < names.size() && i < 3; ++i) first += (i ? ", " : "") + names[i];
    throw InputError({path}, expectedGot("tensor names of a known scheme (reference, arledge, "
                                         "kanenorman, youdie006, grasslm; or name it with --names)",
                                         names.empty() ? "no tensors" : first + ", ..."));
  }
  // Their name of each of our parameters, checked before anything is copied.
  std::map<std::string, torch::Tensor> renamed;
  std::map<std::string, std::string> reader;  // their name -> our parameter that reads it
  for (const auto& [ours, target] : namedTensors(module)) {
    const std::string theirs = schemeTensorName(scheme, ours);
    if (theirs.empty()) {
      throw InputError({path, 0, ours},
                       expectedGot("a tensor for this parameter under the " + scheme +
                                       " names (the configuration has a part that naming "
                                       "scheme has no place for)",
                                   "none"));
    }
    if (const auto other = reader.find(theirs); other != reader.end()) {
      throw InputError({path, 0, theirs},
                       expectedGot("one parameter per tensor, but " + other->second + " and " +
                                       ours + " both read it under the " + scheme +
                                       " names (the configuration's block has more LayerNorms "
                                       "than that reproduction's: check model.norm)",
                                   "two"));
    }
    reader[theirs] = ours;
    const auto it = file.find(theirs);
    if (it == file.end()) {
      throw InputError(
          {path, 0, theirs},
          expectedGot("this tensor (" + scheme + " names) for " + ours, "none (missing)"));
    }
    renamed[ours] = it->second;
  }
  for (const std::string& name : names) {
    if (!reader.count(name) && !ignorableSchemeTensor(name)) {
      throw InputError(
          {path, 0, name},
          expectedGot("only tensors the configuration's model reads (" + scheme + " names)",
                      "an extra tensor"));
    }
  }
  copyIntoTensors(namedTensors(module), renamed, path);
  return scheme;
}

}  // namespace gwb
