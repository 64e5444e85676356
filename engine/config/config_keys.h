// The one table of configuration keys: for each key its section, type, label, one line of help,
// the choices of a choice key, the set-up panel's page, and whether it applies to a given
// configuration (Transformer keys to Transformers, SNLI keys to SNLI runs...). Parsing, writing,
// --set, "unknown key" errors (run_config.cpp) and the GUI's set-up panel are all built from it,
// so a new key is one entry here. Torch-free, Qt-free.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "engine/config/run_config.h"

namespace gwb {

enum class KeyType { Text, Path, Int, Number, Bool, Choice, IntList, NumberList };

struct ConfigKey {
  std::string path;     ///< "model.heads" ("name" for top-level keys)
  std::string section;  ///< "model", "data", "train", "probes"; "" for top-level keys
  std::string key;      ///< "heads"
  KeyType type = KeyType::Text;
  std::string label;  ///< for people: "Heads"
  std::string help;   ///< one line: what it does, its special values
  std::string page;   ///< the set-up panel's page: Run, Model, Classifier, Data, Recipe, Probes
  /// Every choice of a Choice key (for any task); choicesFor() narrows them to a configuration.
  std::vector<std::string> choices;
  /// The choices valid for `config` (e.g. data.format depends on data.task); empty: `choices`.
  std::function<std::vector<std::string>(const RunConfig&)> choices_for;
  /// Whether the key means something for `config` (keys of the other architecture or task are
  /// kept but ignored, so the GUI can keep both while the user switches). Null: always.
  std::function<bool(const RunConfig&)> applies;

  std::vector<std::string> choicesFor(const RunConfig& config) const {
    return choices_for ? choices_for(config) : choices;
  }
  bool appliesTo(const RunConfig& config) const { return !applies || applies(config); }
};

/// Every key, in the documented order.
const std::vector<ConfigKey>& configKeys();
/// The key of `path` ("model.heads"), or nullptr.
const ConfigKey* findConfigKey(const std::string& path);
/// The pages of the set-up panel, in order.
const std::vector<std::string>& configPages();

}  // namespace gwb
