// The catalogue of downloadable items (`gwb data list / fetch / verify`, CONTRACTS.md): for each
// item the files to download (mirror URLs in order of preference, size, SHA-256) and, for an
// archive, the members to extract and where. It is data (resources/data_catalog.json, replaced by
// $GWB_DATA_CATALOG); this file only reads and checks it. Torch-free, Qt-free, no network.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace gwb {

/// One member of an archive to extract. Nothing that no entry names is extracted.
struct ExtractMember {
  std::string member;          ///< its path inside the archive, exactly as stored
  std::string to;              ///< where it goes, relative to the item's folder (checked safe)
  std::int64_t max_bytes = 0;  ///< bound on its extracted size (0: kDefaultMemberBound x archive)
};

/// One file to download.
struct CatalogFile {
  std::vector<std::string> urls;       ///< http(s) mirrors, tried in this order
  std::int64_t bytes = 0;              ///< exact size of the download
  std::string sha256;                  ///< lower-case hex SHA-256 of the download
  std::string to;                      ///< a plain file: its name in the item's folder
  std::vector<ExtractMember> extract;  ///< an archive: the members to take out of it

  bool isArchive() const { return !extract.empty(); }
  /// The last path segment of the first URL ("snli_1.0.zip"), for messages and download names.
  std::string fileName() const;
  /// Bound on one member's extracted size when the catalogue gives none.
  std::int64_t memberBound(const ExtractMember& m) const;
};

struct CatalogItem {
  std::string name;         ///< "snli", "wikitext2", ...
  std::string description;  ///< one line for people
  std::string licence;      ///< as the data's card states it
  std::string pinned_from;  ///< where the URLs, sizes and digests were taken from
  std::vector<CatalogFile> files;

  /// Sum of the downloads' sizes.
  std::int64_t downloadBytes() const;
  /// The first URL of the first file (where the item comes from, for list and the GUI).
  std::string source() const;
};

/// A member with no `max_bytes` may expand to at most this many times the archive's size.
constexpr std::int64_t kDefaultMemberBound = 32;

struct Catalog {
  std::string path;  ///< the file read
  std::vector<CatalogItem> items;

  /// The item called `name`, or nullptr.
  const CatalogItem* find(const std::string& name) const;
  /// The item called `name`; InputError listing the names otherwise.
  const CatalogItem& require(const std::string& name) const;
  /// "snli, wikitext2, ..." for messages.
  std::string names() const;
};

/// $GWB_DATA_CATALOG if set, else <share>/data_catalog.json (build and install trees).
std::string catalogPath();

/// Parses and checks a catalogue: every key of CONTRACTS.md with its type, names unique and made
/// of [a-z0-9._-], http(s) URLs, a positive size, 64 hex digits, exactly one of `to` / `extract`,
/// and every `to` a relative path inside the item's folder that is not MANIFEST.json and no
/// dot-file (an installation's bookkeeping). InputError `PATH: KEY: expected ..., got ...`.
Catalog parseCatalog(const std::string& text, const std::string& path);
/// Reads and parses `path`.
Catalog loadCatalog(const std::string& path = catalogPath());

/// True if `relative` names a place inside a folder: not empty, not absolute, no "." or ".."
/// segment, no empty segment, no backslash or control byte.
bool isSafeRelativePath(const std::string& relative);

}  // namespace gwb
