// Configurations side by side: flattened to "section.key" -> JSON text, the keys that differ
// between two (one rule for the run list's "differs" column, the comparison's columns and the
// set-up panel's nearest recipe), and the configuration hash of SPEC §9 by which a study reuses a
// finished run (config.json's `config_sha256`). Torch-free, Qt-free.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "engine/config/run_config.h"

namespace gwb {

/// "section.key" (or a top-level key) -> its value as compact JSON text, every key of the table.
std::map<std::string, std::string> flattenConfig(const RunConfig& config);

/// Which keys a comparison of configurations leaves out.
enum class DiffScope {
  /// What tells two runs apart as an experiment: everything but name, description, device and
  /// threads (the seed counts: the run list shows it).
  Runs,
  /// Two configurations as experiments of one seed: also without seed, recipe, the cadences (log,
  /// eval, probe, checkpoint every), paths, and keys that do not apply to either configuration.
  Experiment,
};

/// The keys whose values differ between `a` and `b` under `scope`, in table order.
std::vector<std::string> differingKeys(const RunConfig& a, const RunConfig& b, DiffScope scope);

/// Sets `key` ("section.key") of `to` to its value in `from`. InputError for an unknown key.
void copyKey(RunConfig& to, const RunConfig& from, const std::string& key);

/// Whether `key` ("section.key") is left out of the configuration hash and of DiffScope::Experiment
/// whatever the configuration (seed, name, description, recipe, cadences, paths, device, threads).
bool experimentIgnores(const std::string& key);

/// SPEC §9's hash: SHA-256 (hex) of the canonical JSON (sorted keys, no whitespace) of the
/// resolved configuration with its resolved precision ("bf16" or "fp32", `bf16`), without what
/// experimentIgnores() names and without the keys that do not apply to its architecture and task.
/// Two runs with equal hashes and seeds train the same.
std::string configSha256(const RunConfig& config, bool bf16);

/// The canonical JSON the hash is taken of (tests, and for people asking why two runs differ).
std::string configHashText(const RunConfig& config, bool bf16);

}  // namespace gwb
