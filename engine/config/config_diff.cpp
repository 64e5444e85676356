// Flattening through the one key table; the hash over nlohmann::json (its objects sort keys).
#include "engine/config/config_diff.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "engine/config/config_table.h"
#include "engine/util/error.h"
#include "engine/util/file_io.h"

namespace gwb {
namespace {

// Keys that never define an experiment of one seed (SPEC §9's list).
const std::vector<std::string>& experimentExclusions() {
  static const std::vector<std::string> keys = {"name",
                                                "description",
                                                "seed",
                                                "recipe",
                                                "train.log_every",
                                                "train.eval_every",
                                                "train.probe_every",
                                                "train.checkpoint_every",
                                                "data.dir",
                                                "data.vocab_dir",
                                                "model.backbone_dir",
                                                "train.device",
                                                "train.threads"};
  return keys;
}

}  // namespace

std::map<std::string, std::string> flattenConfig(const RunConfig& config) {
  std::map<std::string, std::string> out;
  for (const detail::KeyEntry& e : detail::keyTable()) out[e.key.path] = e.write(config).dump();
  return out;
}

bool experimentIgnores(const std::string& key) {
  const auto& keys = experimentExclusions();
  return std::find(keys.begin(), keys.end(), key) != keys.end();
}

std::vector<std::string> differingKeys(const RunConfig& a, const RunConfig& b, DiffScope scope) {
  std::vector<std::string> out;
  for (const detail::KeyEntry& e : detail::keyTable()) {
    const std::string& key = e.key.path;
    if (key == "name" || key == "description" || key == "train.device" || key == "train.threads")
      continue;
    if (scope == DiffScope::Experiment) {
      if (experimentIgnores(key)) continue;
      if (!e.key.appliesTo(a) && !e.key.appliesTo(b)) continue;
    }
    if (e.write(a) != e.write(b)) out.push_back(key);
  }
  return out;
}

void copyKey(RunConfig& to, const RunConfig& from, const std::string& key) {
  for (const detail::KeyEntry& e : detail::keyTable()) {
    if (e.key.path == key) {
      e.read(to, e.write(from), "copy of " + key);
      return;
    }
  }
  throw InputError({"", 0, key}, "not a configuration key");
}

std::string configHashText(const RunConfig& config, bool bf16) {
  nlohmann::json root = nlohmann::json::object();  // std::map inside: keys sorted
  for (const detail::KeyEntry& e : detail::keyTable()) {
    const std::string& key = e.key.path;
    if (experimentIgnores(key) || !e.key.appliesTo(config)) continue;
    nlohmann::json value = nlohmann::json::parse(e.write(config).dump());
    if (key == "train.precision") value = bf16 ? "bf16" : "fp32";
    if (e.key.section.empty()) {
      root[e.key.key] = value;
    } else {
      root[e.key.section][e.key.key] = value;
    }
  }
  return root.dump();
}

std::string configSha256(const RunConfig& config, bool bf16) {
  return sha256Hex(configHashText(config, bf16));
}

}  // namespace gwb
