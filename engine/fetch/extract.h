// Extraction of a downloaded archive's named members (libarchive where the build has it,
// GWB_HAVE_ARCHIVE): only the members the catalogue names, each to the target it gives (never a
// path taken from the archive, so `../` or absolute member names cannot leave the folder), regular
// files only, each bounded in size by the catalogue. SNLI's zip also holds macOS debris
// (`__MACOSX/...`, `snli_1.0/Icon\r`): skipped like every other unnamed entry. Torch-free, Qt-free.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/catalog/catalog.h"

namespace gwb {

struct ExtractedFile {
  std::string member;  ///< as named in the archive
  std::string to;      ///< relative to the target folder
  std::int64_t bytes = 0;
  std::string sha256;  ///< of the extracted bytes
};

/// True if this build has libarchive.
bool extractionAvailable();

/// Extracts the members `file.extract` names from the archive at `archive_path` into the existing
/// folder `target_dir`, each written (fsync'ed) to its `to`, creating folders below target_dir
/// only. Every named member must be found exactly once, be a regular file and stay within
/// file.memberBound(). `source` (the URL) names the archive in messages. Throws InputError on
/// anything else, Cancelled if `cancel` was set; files already written are left for the caller,
/// who removes target_dir.
std::vector<ExtractedFile> extractMembers(const std::string& archive_path, const CatalogFile& file,
                                          const std::string& target_dir, const std::string& source,
                                          const std::atomic<bool>* cancel = nullptr);

}  // namespace gwb
