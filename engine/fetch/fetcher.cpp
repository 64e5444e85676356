// fetchItem: lock, download, verify, stage, swap.
#include "engine/fetch/fetcher.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include <fcntl.h>
#include <unistd.h>

#include "engine/catalog/file_lock.h"
#include "engine/catalog/verify.h"
#include "engine/fetch/extract.h"
#include "engine/util/build_info.h"
#include "engine/util/error.h"

namespace fs = std::filesystem;

namespace gwb {
namespace {

void log(const FetchOptions& o, const std::string& line) {
  if (o.download.log) o.download.log(line);
}

void syncFolder(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

/// Removes what an interrupted fetch of `name` left beside the target (we hold the lock).
void removeLeftovers(const std::string& home, const std::string& name) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(home, ec)) {
    const std::string file = entry.path().filename().string();
    if (file.rfind("." + name + ".staging-", 0) == 0 || file.rfind("." + name + ".old-", 0) == 0) {
      fs::remove_all(entry.path(), ec);
    }
  }
}

/// A temporary folder that is removed unless it was installed.
class Staging {
 public:
  Staging(const std::string& home, const std::string& name) {
    std::string pattern = (fs::path(home) / ("." + name + ".staging-XXXXXX")).string();
    if (!::mkdtemp(pattern.data())) {
      throw InputError({home}, expectedGot("a writable folder", std::strerror(errno)));
    }
    path_ = pattern;
    std::error_code ec;
    fs::permissions(path_, fs::perms(0755), ec);  // mkdtemp makes it 0700
  }
  ~Staging() {
    if (path_.empty()) return;
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }
  void release() { path_.clear(); }

 private:
  std::string path_;
};

/// Puts a verified plain download at `to` inside the staging folder: a hard link (same file
/// system, no copy), else a copy.
void placeFile(const std::string& from, const std::string& to) {
  std::error_code ec;
  fs::create_directories(fs::path(to).parent_path(), ec);
  if (::link(from.c_str(), to.c_str()) == 0) return;
  fs::copy_file(from, to, fs::copy_options::overwrite_existing, ec);
  if (ec) throw InputError({to}, expectedGot("a copy of " + from, ec.message()));
  const int fd = ::open(to.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

/// Makes `staging` the folder `target`, atomically where the file system can swap two names.
void swapIn(const std::string& staging, const std::string& target, const std::string& home,
            const std::string& name) {
  std::error_code ec;
  if (!fs::exists(target, ec)) {
    if (std::rename(staging.c_str(), target.c_str()) != 0) {
      throw InputError({target}, expectedGot("a successful rename", std::strerror(errno)));
    }
    return;
  }
  if (::renameat2(AT_FDCWD, staging.c_str(), AT_FDCWD, target.c_str(), RENAME_EXCHANGE) == 0) {
    fs::remove_all(staging, ec);  // now the previous installation
    return;
  }
  // No RENAME_EXCHANGE here (some file systems): move the old one aside first.
  std::string old = (fs::path(home) / ("." + name + ".old-XXXXXX")).string();
  if (!::mkdtemp(old.data())) {
    throw InputError({home}, expectedGot("a writable folder", std::strerror(errno)));
  }
  fs::remove(old, ec);
  if (std::rename(target.c_str(), old.c_str()) != 0) {
    throw InputError({target}, expectedGot("a successful rename", std::strerror(errno)));
  }
  if (std::rename(staging.c_str(), target.c_str()) != 0) {
    const std::string reason = std::strerror(errno);
    std::rename(old.c_str(), target.c_str());
    throw InputError({target}, expectedGot("a successful rename", reason));
  }
  fs::remove_all(old, ec);
}

std::string hashPrefix(const CatalogFile& file) { return file.sha256.substr(0, 16); }

}  // namespace

std::string missingForFetch(const CatalogItem& item) {
  std::string missing;
  if (!downloadsAvailable()) missing = "libcurl (libcurl4-openssl-dev)";
  bool archives = false;
  for (const CatalogFile& f : item.files) archives = archives || f.isArchive();
  if (archives && !extractionAvailable()) {
    missing += (missing.empty() ? "" : " and ") + std::string("libarchive (libarchive-dev)");
  }
  return missing;
}

FetchResult fetchItem(const CatalogItem& item, const FetchOptions& options) {
  const std::string home = options.home;
  std::error_code ec;
  fs::create_directories(home, ec);
  if (!fs::is_directory(home, ec)) {
    throw InputError({home}, expectedGot("a folder for installed data", "none could be created"));
  }
  const std::atomic<bool>* cancel = options.download.cancel;
  FileLock lock((fs::path(home) / ".locks" / (item.name + ".lock")).string());
  lock.lock(
      [&](const std::string& pid) {
        log(options, item.name + ": waiting for another fetch of it" +
                         (pid.empty() ? std::string() : " (process " + pid + ")") + " to finish");
      },
      cancel);
  removeLeftovers(home, item.name);

  FetchResult result;
  result.dir = (fs::path(home) / item.name).string();
  const std::string manifest_path = (fs::path(result.dir) / kManifestFile).string();
  if (fs::exists(result.dir, ec) && !fs::exists(manifest_path, ec)) {
    throw InputError({result.dir}, expectedGot("an installation (with " +
                                                   std::string(kManifestFile) + ") or nothing",
                                               "a folder without one: move it away first"));
  }
  if (!options.force && fs::exists(manifest_path, ec)) {
    ItemStatus status = itemStatus(item, home);
    if (!status.verified) status = verifyItem(item, home, options.download.log, cancel);
    if (status.verified) {
      log(options, item.name + ": installed and verified in " + result.dir +
                       ", nothing to download (--force downloads it again)");
      result.manifest = readManifest(manifest_path);
      return result;
    }
    std::string why;
    for (const std::string& p : status.problems) why += (why.empty() ? "" : "; ") + p;
    log(options,
        item.name + ": the installed copy does not verify (" + why + "): fetching it again");
  }
  const std::string missing = missingForFetch(item);
  if (!missing.empty()) {
    std::string urls;
    for (const CatalogFile& f : item.files) urls += " " + f.urls.front();
    throw InputError({"", 0, "gwb data fetch " + item.name},
                     expectedGot("a build with " + missing,
                                 "one without: install it, configure and build again, or download"
                                 " by hand:" +
                                     urls));
  }

  // 1. Downloads, each verified (size, then SHA-256) before anything is installed.
  const fs::path downloads = fs::path(home) / ".downloads" / item.name;
  std::vector<DownloadResult> got;
  for (const CatalogFile& file : item.files) {
    const std::string base = (downloads / (hashPrefix(file) + "-" + file.fileName())).string();
    got.push_back(downloadFile(file, base + ".part", base, options.download));
  }
  // 2. The new installation, beside the target.
  Staging staging(home, item.name);
  Manifest manifest;
  manifest.name = item.name;
  manifest.description = item.description;
  manifest.licence = item.licence;
  manifest.installed_by =
      std::string("grassmann-workbench ") + projectVersion() + " (" + gitCommit() + ")";
  for (std::size_t i = 0; i < item.files.size(); ++i) {
    const CatalogFile& file = item.files[i];
    if (cancel && cancel->load()) throw Cancelled(item.name);
    if (file.isArchive()) {
      log(options, item.name + ": extracting " + std::to_string(file.extract.size()) +
                       " members of " + file.fileName());
      for (const ExtractedFile& e :
           extractMembers(got[i].path, file, staging.path(), got[i].url, cancel)) {
        manifest.files.push_back({e.to, e.bytes, e.sha256, got[i].url, e.member, file.sha256});
      }
    } else {
      placeFile(got[i].path, (fs::path(staging.path()) / file.to).string());
      manifest.files.push_back({file.to, file.bytes, file.sha256, got[i].url, "", file.sha256});
    }
  }
  manifest.installed_at = utcTimestamp();
  writeManifest((fs::path(staging.path()) / kManifestFile).string(), manifest);
  writeVerifiedStamp(staging.path(), manifest);
  syncFolder(staging.path());
  if (cancel && cancel->load()) throw Cancelled(item.name);
  // 3. One rename makes it current.
  swapIn(staging.path(), result.dir, home, item.name);
  staging.release();
  syncFolder(home);
  fs::remove_all(downloads, ec);
  fs::remove(downloads.parent_path(), ec);  // .downloads, if no other item has partial files
  log(options, item.name + ": installed in " + result.dir);
  result.manifest = manifest;
  result.downloaded = true;
  return result;
}

}  // namespace gwb
