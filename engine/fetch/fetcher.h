// `gwb data fetch` for one catalogue item, as the CLI and the workbench both run it: under a lock
// (<home>/.locks/NAME.lock), download every file (resumable partial files in
// <home>/.downloads/NAME/), verify it, extract or link it into a temporary folder beside the
// target (<home>/.NAME.staging-XXXXXX), write MANIFEST.json and the verification stamp, and swap
// that folder in with one rename. Until that rename the previous installation is untouched; a
// failure or a cancel leaves it as it was and keeps the partial downloads for the next run.
// Torch-free, Qt-free; libcurl and libarchive behind download.h and extract.h.
#pragma once

#include <string>

#include "engine/catalog/catalog.h"
#include "engine/catalog/manifest.h"
#include "engine/fetch/download.h"

namespace gwb {

struct FetchOptions {
  std::string home;          ///< the installed items' folder (fetchedDataDir(--dir)); created
  bool force = false;        ///< download again even if installed and verified
  DownloadOptions download;  ///< timeouts, retries, cancel flag, progress and log callbacks
};

struct FetchResult {
  Manifest manifest;        ///< of the installation now in place
  std::string dir;          ///< <home>/<name>
  bool downloaded = false;  ///< false: it was installed and verified already
};

/// What this build lacks to fetch `item`, e.g. "libarchive (libarchive-dev)"; "" if nothing.
std::string missingForFetch(const CatalogItem& item);

/// Fetches and installs `item` (see the file comment). Throws InputError (exit 2) for a download
/// that no mirror gave right, a bad archive, a missing library or an unusable folder; Cancelled
/// when options.download.cancel was set.
FetchResult fetchItem(const CatalogItem& item, const FetchOptions& options);

}  // namespace gwb
