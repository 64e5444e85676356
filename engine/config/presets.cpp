// Preset lookup.
#include "engine/config/presets.h"

#include <algorithm>
#include <filesystem>

#include "engine/util/error.h"
#include "engine/util/file_io.h"
#include "engine/util/paths.h"

namespace fs = std::filesystem;

namespace gwb {

std::vector<std::string> presetNames() {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(presetsDir(), ec)) {
    if (entry.path().extension() == ".json") names.push_back(entry.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::string presetPath(const std::string& name) {
  if (name.empty() || name.find('/') != std::string::npos) return {};
  const fs::path path = fs::path(presetsDir()) / (name + ".json");
  std::error_code ec;
  return fs::is_regular_file(path, ec) ? path.string() : std::string();
}

RunConfig loadConfigArgument(const std::string& arg, const std::vector<std::string>& sets,
                             std::string* source) {
  std::error_code ec;
  std::string path = fs::is_regular_file(arg, ec) ? arg : presetPath(arg);
  if (path.empty()) {
    std::string names;
    for (const std::string& n : presetNames()) names += (names.empty() ? "" : ", ") + n;
    throw InputError(
        {arg}, expectedGot("a configuration file or a preset name (" + names + ")", "neither"));
  }
  if (source) *source = path;
  std::string text = readFileBytes(path);
  checkUtf8(text, path);
  if (!sets.empty()) text = applyOverrides(text, sets, path);
  return parseRunConfig(text, path);
}

}  // namespace gwb
