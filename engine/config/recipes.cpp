// Recipe presets and the nearest one.
#include "engine/config/recipes.h"

#include <algorithm>
#include <cstdio>
#include <mutex>

#include "engine/config/config_diff.h"
#include "engine/config/presets.h"

namespace gwb {

const std::vector<RecipePreset>& recipePresets() {
  static std::once_flag once;
  static std::vector<RecipePreset> presets;
  std::call_once(once, [] {
    for (const std::string& recipe : recipeNames()) {
      for (const std::string& name : presetNames()) {
        if (name.rfind("recipe-" + recipe + "-", 0) != 0) continue;
        try {
          RecipePreset p;
          p.preset = name;
          p.config = loadConfigArgument(name, {});
          p.recipe = p.config.recipe.empty() ? recipe : p.config.recipe;
          p.arch = p.config.model.arch;
          p.n_layers = p.config.model.n_layers;
          p.seq_len = p.config.data.seq_len;
          presets.push_back(p);
        } catch (const std::exception&) {
          // A broken preset is tst_config's to report; it is not offered here.
        }
      }
    }
  });
  return presets;
}

std::optional<RecipeMatch> nearestRecipe(const RunConfig& config) {
  std::optional<RecipeMatch> best;
  const auto rank = [&](const RecipeMatch& m) {
    return std::make_tuple(m.differing.size(), m.preset.recipe != config.recipe,
                           m.preset.arch != config.model.arch);
  };
  for (const RecipePreset& p : recipePresets()) {
    RecipeMatch m{p, differingKeys(config, p.config, DiffScope::Experiment)};
    if (!best || rank(m) < rank(*best)) best = m;
  }
  return best;
}

}  // namespace gwb
