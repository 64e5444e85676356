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

namespace {

// Edit distance (insertions, deletions, substitutions) of two names.
std::size_t editDistance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1] ? 1 : 0)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

}  // namespace

std::string closestPreset(const std::string& name) {
  std::string best;
  std::size_t best_distance = std::max<std::size_t>(3, name.size() / 4) + 1;
  for (const std::string& n : presetNames()) {
    const std::size_t d = editDistance(name, n);
    if (d < best_distance) {
      best = n;
      best_distance = d;
    }
  }
  return best;
}

RunConfig loadConfigArgument(const std::string& arg, const std::vector<std::string>& sets,
                             std::string* source) {
  std::error_code ec;
  std::string path = fs::is_regular_file(arg, ec) ? arg : presetPath(arg);
  if (path.empty()) {
    const std::string closest = closestPreset(arg);
    if (!closest.empty()) {
      throw InputError({arg}, expectedGot("a configuration file or a preset name (did you mean " +
                                              closest + "?)",
                                          "neither"));
    }
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

InputError blameOverride(const InputError& e, const std::vector<std::string>& sets) {
  const std::string& key = e.where().key;
  if (key.empty()) return e;
  // The last --set of a key is the one that took effect.
  for (auto it = sets.rbegin(); it != sets.rend(); ++it) {
    if (it->compare(0, key.size() + 1, key + "=") == 0) {
      return InputError({"--set " + *it, e.where().line, key}, e.detail());
    }
  }
  return e;
}

}  // namespace gwb
