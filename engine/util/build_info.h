// Build provenance: the project version and the git commit the binary was built from.
// Defined in a file generated on every build (cmake/WriteBuildInfo.cmake); no torch, no Qt.
#pragma once

namespace gwb {

/// The project version, e.g. "0.1.0".
const char* projectVersion();
/// The short git commit, with "-dirty" if the tree had uncommitted changes, or "unknown".
const char* gitCommit();

}  // namespace gwb
