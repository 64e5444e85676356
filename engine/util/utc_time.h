// UTC time as text: ISO 8601 stamps in manifests, sweeps, studies and caches, and the
// <yyyymmdd-hhmmss> prefix of run, sweep and study folders. Torch-free, Qt-free.
#pragma once

#include <cstdint>
#include <string>

namespace gwb {

constexpr const char* kIsoUtc = "%Y-%m-%dT%H:%M:%SZ";
constexpr const char* kFolderStamp = "%Y%m%d-%H%M%S";

/// `seconds` since the epoch in UTC, formatted by strftime's `format`.
std::string utcText(std::int64_t seconds, const char* format = kIsoUtc);
/// Now, in UTC.
std::string utcNow(const char* format = kIsoUtc);

}  // namespace gwb
