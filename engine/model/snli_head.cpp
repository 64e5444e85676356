// The head of a configuration, and its parameter counts per part.
#include "engine/model/snli_head.h"

#include <algorithm>
#include <cctype>

#include "engine/model/paper_heads.h"
#include "engine/model/reference_heads.h"

namespace gwb {
namespace {

bool numeric(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return std::isdigit(c); });
}

// "head.blocks.0.ln1.weight" -> "head.blocks.0"; "head.classifier.weight" -> "head.classifier":
// the name up to its first layer index, else without its last component.
std::string partOf(const std::string& name) {
  std::vector<std::string> parts;
  std::size_t begin = 0;
  for (std::size_t dot; (dot = name.find('.', begin)) != std::string::npos; begin = dot + 1)
    parts.push_back(name.substr(begin, dot - begin));
  parts.push_back(name.substr(begin));
  std::string out = parts[0];
  for (std::size_t i = 1; i + 1 < parts.size(); ++i) {
    out += "." + parts[i];
    if (numeric(parts[i])) break;
  }
  return out;
}

}  // namespace

HeadModelImpl::HeadModelImpl(const ModelConfig& config, std::int64_t feature_dim,
                             const at::Generator& generator, std::int64_t classes) {
  if (config.head_variant == "reference") {
    head = register_module(
        "head", std::make_shared<ReferenceHeadImpl>(config, feature_dim, generator, classes));
  } else {
    head = register_module(
        "head", std::make_shared<PaperHeadImpl>(config, feature_dim, generator, classes));
  }
  if (generator.defined()) setDropoutGenerator(*this, generator);
}

std::vector<std::pair<std::string, std::int64_t>> HeadModelImpl::parameterCounts() const {
  std::vector<std::pair<std::string, std::int64_t>> counts;  // in registration order
  for (const auto& item : named_parameters(/*recurse=*/true)) {
    const std::string part = partOf(item.key());
    if (counts.empty() || counts.back().first != part) counts.emplace_back(part, 0);
    counts.back().second += item.value().numel();
  }
  return counts;
}

std::int64_t HeadModelImpl::parameterCount() const {
  std::int64_t n = 0;
  for (const auto& [part, count] : parameterCounts()) n += count;
  return n;
}

}  // namespace gwb
