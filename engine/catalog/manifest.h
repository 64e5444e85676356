// An installed item's bookkeeping: MANIFEST.json (CONTRACTS.md: name, installed_at, and per file
// `to`, `bytes`, `sha256`, the `url` it came from) and the verification stamp, which records each
// file's size and modification time when its digest was last checked, so that `gwb data list` and
// a run can tell "verified and unchanged since" without reading gigabytes. Torch-free, Qt-free.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace gwb {

/// The manifest's name in an item's folder.
constexpr const char* kManifestFile = "MANIFEST.json";
/// The verification stamp's name in an item's folder.
constexpr const char* kVerifiedStamp = ".verified.json";

struct ManifestFile {
  std::string to;             ///< path relative to the item's folder
  std::int64_t bytes = 0;     ///< size as installed
  std::string sha256;         ///< SHA-256 as installed
  std::string url;            ///< the catalogue URL (mirror) the download came from
  std::string member;         ///< the archive member it was extracted from ("" for a plain file)
  std::string source_sha256;  ///< SHA-256 of the download (equal to sha256 for a plain file)
};

struct Manifest {
  std::string name;
  std::string installed_at;  ///< UTC, "2026-11-29T01:02:03Z"
  std::string description;
  std::string licence;
  std::string installed_by;  ///< "grassmann-workbench 0.1.0 (abc123)"
  std::vector<ManifestFile> files;

  std::int64_t totalBytes() const;
};

/// The manifest as one line of JSON (what `gwb data fetch` prints).
std::string manifestToJson(const Manifest& manifest);
/// Parses a manifest; InputError `PATH: KEY: expected ..., got ...` on anything malformed,
/// including a `to` that leaves the folder.
Manifest parseManifest(const std::string& text, const std::string& path);
Manifest readManifest(const std::string& path);
/// Writes `manifest` to `path` atomically (temporary name, fsync, rename).
void writeManifest(const std::string& path, const Manifest& manifest);

/// Missing files and sizes that differ from the manifest, one line each ("wiki.train.tokens:
/// 10797148 bytes, MANIFEST.json says 10797149"); empty if every file is there at its size.
std::vector<std::string> sizeProblems(const std::string& dir, const Manifest& manifest);

/// Writes the stamp for the files of `manifest` in `dir` as they are now: with no `problems`
/// after their digests were checked, else the problems a check found (a run then refuses the
/// item until a check passes). Returns false if it cannot be written (a read-only folder).
bool writeVerifiedStamp(const std::string& dir, const Manifest& manifest,
                        const std::vector<std::string>& problems = {});
/// What the stamp holds against the files now, one line each: the problems of a failed check,
/// or the files that changed (size or modification time) since a passed one. `*present` tells
/// whether a stamp of this manifest exists at all (none: an empty list).
std::vector<std::string> changedSinceVerified(const std::string& dir, const Manifest& manifest,
                                              bool* present);

/// The current time as "YYYY-MM-DDTHH:MM:SSZ".
std::string utcTimestamp();

}  // namespace gwb
