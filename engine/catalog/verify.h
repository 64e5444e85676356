// Verification of installed items: the quick status `gwb data list` and the GUI show (manifest,
// sizes and the verification stamp, no reading of contents) and the full check of `gwb data
// verify` (every file's size and SHA-256 against MANIFEST.json, and the manifest against the
// catalogue's pins). SHA-256 comes from OpenSSL. Torch-free, Qt-free, no network.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/catalog/catalog.h"
#include "engine/catalog/manifest.h"

namespace gwb {

/// Incremental SHA-256 (OpenSSL EVP).
class Sha256Stream {
 public:
  Sha256Stream();
  ~Sha256Stream();
  Sha256Stream(const Sha256Stream&) = delete;
  Sha256Stream& operator=(const Sha256Stream&) = delete;
  void update(const void* data, std::size_t size);
  /// Lower-case hex digest; the stream is finished afterwards.
  std::string hexDigest();

 private:
  void* ctx_;
};

/// Thrown when a cancel flag stopped a long operation (a download, a hash, an extraction).
class Cancelled : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// SHA-256 of a file, read in blocks. `on_bytes` (optional) sees the bytes read so far;
/// `cancel` (optional) stops it with Cancelled. InputError if it cannot be read.
std::string sha256File(const std::string& path,
                       const std::function<void(std::int64_t)>& on_bytes = {},
                       const std::atomic<bool>* cancel = nullptr);

/// What `gwb data list` says about one item.
struct ItemStatus {
  std::string name;
  std::string dir;         ///< <home>/<name>
  bool installed = false;  ///< a readable MANIFEST.json
  bool verified = false;   ///< installed, digests checked and files unchanged since, as pinned
  std::int64_t installed_bytes = 0;
  std::string installed_at;
  std::vector<std::string> problems;  ///< why not verified (empty when verified or not installed)
};

/// Problems of an installed manifest against the catalogue item: a missing or extra target, or a
/// file that came from a download other than the one pinned now (the catalogue changed).
std::vector<std::string> catalogueProblems(const CatalogItem& item, const Manifest& manifest);

/// The quick status: reads the manifest and the stamp and stat()s the files.
ItemStatus itemStatus(const CatalogItem& item, const std::string& home);

/// The full check: sizes and SHA-256 of every installed file against the manifest and the
/// manifest against the catalogue. Writes the verification stamp either way (a failed one makes
/// runs refuse the item until a check passes or it is fetched again). `progress` (optional) gets
/// lines for people. A missing item is a problem ("not installed").
ItemStatus verifyItem(const CatalogItem& item, const std::string& home,
                      const std::function<void(const std::string&)>& progress = {},
                      const std::atomic<bool>* cancel = nullptr);

}  // namespace gwb
