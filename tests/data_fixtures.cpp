// Implementation of data_fixtures.h (libarchive writes the zips).
#include "data_fixtures.h"

#include <archive.h>
#include <archive_entry.h>

#include <QByteArray>
#include <filesystem>
#include <random>
#include <stdexcept>

#include "engine/util/file_io.h"
#include "engine/util/paths.h"
#include "test_support.h"

namespace fs = std::filesystem;

namespace gwb::test {

void writeZip(const std::string& path, const std::vector<ZipEntry>& entries) {
  archive* a = archive_write_new();
  archive_write_set_format_zip(a);
  if (archive_write_open_filename(a, path.c_str()) != ARCHIVE_OK) {
    throw std::runtime_error(std::string("zip: ") + archive_error_string(a));
  }
  for (const ZipEntry& e : entries) {
    archive_entry* entry = archive_entry_new();
    archive_entry_set_pathname(entry, e.name.c_str());
    archive_entry_set_mtime(entry, 1700000000, 0);
    if (e.kind == ZipEntry::Folder) {
      archive_entry_set_filetype(entry, AE_IFDIR);
      archive_entry_set_perm(entry, 0755);
    } else if (e.kind == ZipEntry::Symlink) {
      archive_entry_set_filetype(entry, AE_IFLNK);
      archive_entry_set_perm(entry, 0777);
      archive_entry_set_symlink(entry, e.link.c_str());
    } else {
      archive_entry_set_filetype(entry, AE_IFREG);
      archive_entry_set_perm(entry, 0644);
      archive_entry_set_size(entry, static_cast<la_int64_t>(e.content.size()));
    }
    if (archive_write_header(a, entry) != ARCHIVE_OK) {
      throw std::runtime_error(std::string("zip header: ") + archive_error_string(a));
    }
    if (e.kind == ZipEntry::File && !e.content.empty() &&
        archive_write_data(a, e.content.data(), e.content.size()) < 0) {
      throw std::runtime_error(std::string("zip data: ") + archive_error_string(a));
    }
    archive_entry_free(entry);
  }
  archive_write_close(a);
  archive_write_free(a);
}

std::string zipBytes(const std::vector<ZipEntry>& entries) {
  QTemporaryDir dir;
  const std::string path = dir.path().toStdString() + "/a.zip";
  writeZip(path, entries);
  return readFileBytes(path);
}

std::string randomBytes(std::size_t size, unsigned seed) {
  std::mt19937 rng(seed);
  std::string out(size, '\0');
  for (char& c : out) c = static_cast<char>(rng() & 0xff);
  return out;
}

std::string embeddedText(const std::string& folder, const std::string& file) {
  const std::string path = embeddedDir(folder) + "/" + file + ".gz";
  return gunzip(readFileBytes(path), path);
}

std::string snliZip() {
  return zipBytes({
      {"snli_1.0/", "", ZipEntry::Folder},
      {"snli_1.0/README.txt", "SNLI 1.0 (a test archive made from the embedded files)\n"},
      {"snli_1.0/Icon\r", ""},
      {"snli_1.0/snli_1.0_dev.jsonl", embeddedText("snli", "snli_1.0_dev.jsonl")},
      {"__MACOSX/", "", ZipEntry::Folder},
      {"__MACOSX/snli_1.0/._snli_1.0_dev.jsonl", std::string("\0\5\26\7 AppleDouble", 16)},
      {"snli_1.0/snli_1.0_test.jsonl", embeddedText("snli", "snli_1.0_test.jsonl")},
      {"../escape.txt", "outside the target\n"},
      {"snli_1.0/../../escape2.txt", "outside the target\n"},
      {"snli_1.0/snli_1.0_train.jsonl", embeddedText("snli", "snli_1.0_train_0.01.jsonl")},
      {"__MACOSX/snli_1.0/._snli_1.0_train.jsonl", std::string("\0\5\26\7 AppleDouble", 16)},
  });
}

std::vector<std::pair<std::string, std::string>> snliMembers() {
  return {{"snli_1.0/snli_1.0_train.jsonl", "snli_1.0_train.jsonl"},
          {"snli_1.0/snli_1.0_dev.jsonl", "snli_1.0_dev.jsonl"},
          {"snli_1.0/snli_1.0_test.jsonl", "snli_1.0_test.jsonl"},
          {"snli_1.0/README.txt", "README.txt"}};
}

nlohmann::json plainFile(const std::vector<std::string>& urls, const std::string& bytes,
                         const std::string& to) {
  return {{"urls", urls}, {"bytes", bytes.size()}, {"sha256", sha256Hex(bytes)}, {"to", to}};
}

nlohmann::json archiveFile(const std::vector<std::string>& urls, const std::string& archive,
                           const std::vector<std::pair<std::string, std::string>>& members) {
  nlohmann::json extract = nlohmann::json::array();
  for (const auto& [member, to] : members) extract.push_back({{"member", member}, {"to", to}});
  return {{"urls", urls},
          {"bytes", archive.size()},
          {"sha256", sha256Hex(archive)},
          {"extract", extract}};
}

nlohmann::json catalogItem(const std::string& name, const std::vector<nlohmann::json>& files) {
  nlohmann::json item = nlohmann::json::object();
  item["name"] = name;
  item["description"] = "test item " + name;
  item["licence"] = "test licence";
  item["files"] = files;
  return item;
}

FetchFixture::FetchFixture() {
  work = dir_.path().toStdString();
  served = work + "/serve";
  home = work + "/home";
  cache = work + "/cache";
  catalog = work + "/catalog.json";
  fs::create_directories(served);
  server_ = std::make_unique<HttpTestServer>(served);
  reset();
}

FetchFixture::~FetchFixture() {
  server_.reset();
  for (const char* name : {"GWB_DATA_CATALOG", "GWB_FETCH_BACKOFF_MS", "GWB_FETCH_RETRIES",
                           "GWB_FETCH_STALL_TIMEOUT_S"}) {
    qunsetenv(name);
  }
}

std::string FetchFixture::serve(const std::string& path, const std::string& bytes) {
  writeFile(served + path, bytes);
  return server_->url(path);
}

void FetchFixture::writeCatalog(const std::vector<nlohmann::json>& items) {
  nlohmann::json root = nlohmann::json::object();
  root["items"] = items;
  writeFile(catalog, root.dump(2));
}

void FetchFixture::reset() {
  std::error_code ec;
  fs::remove_all(home, ec);
  for (const auto& entry : fs::directory_iterator(served, ec)) fs::remove_all(entry.path(), ec);
  server_->releaseStalls();
  server_->clearRules();
  server_->clearRequests();
  qputenv("GWB_DATA_HOME", QByteArray::fromStdString(home));
  qputenv("GWB_DATA_CATALOG", QByteArray::fromStdString(catalog));
  qputenv("GWB_FETCH_BACKOFF_MS", "20");
  qputenv("GWB_FETCH_RETRIES", "2");
  qunsetenv("GWB_FETCH_STALL_TIMEOUT_S");
  for (const char* name : {"http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY",
                           "all_proxy", "no_proxy", "NO_PROXY"}) {
    qunsetenv(name);
  }
}

}  // namespace gwb::test
