// Fixtures of the data manager's tests: a loopback HTTP server over a scratch folder, a catalogue
// written for it (GWB_DATA_CATALOG), installed items in a scratch GWB_DATA_HOME, zip archives made
// with libarchive (with macOS debris, `../` names and links where a case wants them), and
// deterministic bytes to serve.
#pragma once

#include <QTemporaryDir>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "http_test_server.h"

namespace gwb::test {

struct ZipEntry {
  enum Kind { File, Folder, Symlink };
  ZipEntry(std::string name_, std::string content_ = {}, Kind kind_ = File, std::string link_ = {})
      : name(std::move(name_)), content(std::move(content_)), kind(kind_), link(std::move(link_)) {}
  std::string name;     ///< as stored (may be "../x", "__MACOSX/...", "dir/Icon\r")
  std::string content;  ///< File only
  Kind kind = File;
  std::string link;  ///< Symlink only: its target
};
/// Writes a zip (deflate) with `entries`, in order.
void writeZip(const std::string& path, const std::vector<ZipEntry>& entries);
/// The bytes of a zip with `entries` (written through a scratch file).
std::string zipBytes(const std::vector<ZipEntry>& entries);

/// `size` bytes from a generator seeded with `seed`.
std::string randomBytes(std::size_t size, unsigned seed);
/// The decompressed content of the embedded `<folder>/<file>.gz` (e.g. "snli",
/// "snli_1.0_dev.jsonl").
std::string embeddedText(const std::string& folder, const std::string& file);

/// A zip shaped like SNLI's: snli_1.0/snli_1.0_{train,dev,test}.jsonl (train: the embedded 1%
/// sample), snli_1.0/README.txt, and the debris of the real one (`__MACOSX/`, `snli_1.0/Icon\r`)
/// plus members whose names try to leave the folder ("../escape.txt",
/// "snli_1.0/../../escape2.txt").
std::string snliZip();
/// The four members the tests' catalogue extracts from it, as (member, to).
std::vector<std::pair<std::string, std::string>> snliMembers();

/// A catalogue file entry for plain bytes served at `urls`.
nlohmann::json plainFile(const std::vector<std::string>& urls, const std::string& bytes,
                         const std::string& to);
/// A catalogue file entry for an archive served at `urls`, extracting (member, to) pairs.
nlohmann::json archiveFile(const std::vector<std::string>& urls, const std::string& archive,
                           const std::vector<std::pair<std::string, std::string>>& members);
nlohmann::json catalogItem(const std::string& name, const std::vector<nlohmann::json>& files);

/// The scratch world of one test suite. Sets GWB_DATA_HOME, GWB_DATA_CATALOG,
/// GWB_FETCH_BACKOFF_MS=20 and GWB_FETCH_RETRIES=2, and removes proxy variables, for this process
/// and the gwb processes it starts.
class FetchFixture {
 public:
  FetchFixture();
  ~FetchFixture();

  HttpTestServer& server() { return *server_; }
  /// Writes `bytes` at `path` (e.g. "/blob.bin") under the served folder; returns its URL.
  std::string serve(const std::string& path, const std::string& bytes);
  /// Writes the catalogue {"items": items}.
  void writeCatalog(const std::vector<nlohmann::json>& items);
  /// Empties the installed items' folder and the served folder, forgets the server's rules and
  /// requests, and sets the environment back to the suite's defaults.
  void reset();

  std::string work, served, home, cache, catalog;

 private:
  QTemporaryDir dir_;
  std::unique_ptr<HttpTestServer> server_;
};

}  // namespace gwb::test
