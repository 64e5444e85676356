// Preset configurations (resources/presets/*.json): lookup by name, and the CONFIG argument of
// gwb train / bench / speedrun, which is a file or the name of a preset, with --set overrides.
// Torch-free.
#pragma once

#include <string>
#include <vector>

#include "engine/config/run_config.h"
#include "engine/util/error.h"

namespace gwb {

/// Names of every preset (file names without .json), sorted.
std::vector<std::string> presetNames();
/// The file of preset `name`, or "" if there is none.
std::string presetPath(const std::string& name);

/// The preset whose name is nearest to `name` (a few edits at most), or "": the "did you mean".
std::string closestPreset(const std::string& name);

/// `arg` as a configuration file if one exists there, else as a preset name; `sets` applied.
/// `source` receives the file read. InputError if neither exists or the result is invalid JSON.
RunConfig loadConfigArgument(const std::string& arg, const std::vector<std::string>& sets,
                             std::string* source = nullptr);

/// `e` with the `--set KEY=VALUE` that gave its key named as the source, when one did: an invalid
/// override is the command line's fault, not the preset file's. Otherwise `e` as it is.
InputError blameOverride(const InputError& e, const std::vector<std::string>& sets);

}  // namespace gwb
