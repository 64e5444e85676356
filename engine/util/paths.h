// Where things live on disk, by the rules of CONTRACTS.md: the embedded data (relative to the
// executable, or $GWB_DATA_DIR), the token cache ($GWB_CACHE_DIR, $XDG_CACHE_HOME, ~/.cache) and
// the runs folder (--runs, $GWB_RUNS_DIR, ./runs). The GUI and gwb share these rules.
#pragma once

#include <string>

namespace gwb {

/// Folder of the running executable (from /proc/self/exe).
std::string executableDir();

/// The installed resources folder: <exe>/../share/grassmann-workbench (build and install trees).
std::string shareDir();
/// The preset configurations (resources/presets): shareDir()/presets.
std::string presetsDir();
/// The reported numbers of the paper and the reproductions: shareDir()/reported_numbers.json.
std::string reportedNumbersPath();

/// The embedded data folder (holding wikitext-2/, snli/, gpt2/, bert/, SHA256SUMS):
/// $GWB_DATA_DIR if set, else <exe>/../share/grassmann-workbench/data (build and install trees).
/// Throws InputError naming the places it looked if none exists.
std::string embeddedDataDir();

/// The embedded folder of one data set or vocabulary: "wikitext-2", "snli", "gpt2", "bert".
std::string embeddedDir(const std::string& name);

/// The token cache folder (not created here).
std::string cacheDir();

/// The runs folder: `cli_value` if not empty, else $GWB_RUNS_DIR, else ./runs.
std::string runsDir(const std::string& cli_value = "");

/// Absolute, normalised form of `path` (it need not exist).
std::string absolutePath(const std::string& path);

}  // namespace gwb
