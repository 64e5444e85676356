// Internal to engine/config: the key table with each key's JSON reader and writer beside its
// description (config_keys.h). Only run_config.cpp and config_keys.cpp include this.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/config/config_keys.h"

namespace gwb::detail {

using Json = nlohmann::ordered_json;

struct KeyEntry {
  ConfigKey key;
  std::function<void(RunConfig&, const Json&, const std::string& source)> read;
  std::function<Json(const RunConfig&)> write;
};

/// The table, in the documented order.
const std::vector<KeyEntry>& keyTable();

}  // namespace gwb::detail
