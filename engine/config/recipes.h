// The published recipes as presets (SPEC §8: recipe-<name>-<arch>-n<N>-l<L>), and which of them a
// configuration is: the set-up panel says "recipe kanenorman" or "3 keys from recipe reference:
// model.norm, ...". Torch-free, Qt-free.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/config/run_config.h"

namespace gwb {

/// One recipe preset.
struct RecipePreset {
  std::string recipe;  ///< "kanenorman"
  std::string arch;    ///< "grassmann" or "transformer"
  std::int64_t n_layers = 0, seq_len = 0;
  std::string preset;  ///< "recipe-kanenorman-grassmann-n6-l128"
  RunConfig config;
};

/// Every recipe preset, in the recipes' table order then by architecture and size; read once.
const std::vector<RecipePreset>& recipePresets();

/// The recipe preset a configuration is nearest to.
struct RecipeMatch {
  RecipePreset preset;
  std::vector<std::string> differing;  ///< the experiment's keys that differ (none: it is it)
};
/// The recipe preset with the fewest differing keys (DiffScope::Experiment: name, seed, recipe,
/// cadences, paths and device left out), preferring the configuration's own recipe, then its
/// architecture; nullopt without recipe presets.
std::optional<RecipeMatch> nearestRecipe(const RunConfig& config);

}  // namespace gwb
