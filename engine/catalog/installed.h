// Installed catalogue items (`gwb data fetch`, CONTRACTS.md): the folder they live in, and whether
// one is usable (every file present at the size its MANIFEST.json lists, unchanged since it was
// verified). Reads MANIFEST.json and stat()s files only, so it is cheap and works in a build
// without libcurl or libarchive. Which copy a run reads is data_source.h's. Torch-free, Qt-free.
#pragma once

#include <optional>
#include <string>

#include "engine/catalog/manifest.h"

namespace gwb {

/// The folder of installed items: `cli_dir` (--dir) if not empty, else $GWB_DATA_HOME, else
/// $XDG_DATA_HOME/grassmann-workbench/fetched, else ~/.local/share/grassmann-workbench/fetched.
/// Absolute; not created here.
std::string fetchedDataDir(const std::string& cli_dir = "");

/// The manifest of the installed item `name` under `home` if there is one whose files look
/// intact, with its folder in `dir`; nullopt if it is not installed. InputError (naming `gwb data
/// verify NAME`) when it is installed but damaged: a file missing, a size that differs from
/// MANIFEST.json, a file changed since its digests were last checked.
std::optional<Manifest> usableInstalled(const std::string& name, const std::string& home,
                                        std::string& dir);

/// "installed NAME (DIR, installed_at T, from URL)": an installed copy in a run's provenance.
std::string installedProvenance(const std::string& name, const std::string& dir,
                                const Manifest& manifest);

}  // namespace gwb
