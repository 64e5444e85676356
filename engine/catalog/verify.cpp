// Sha256Stream over OpenSSL's EVP interface, and the quick and full checks of an installation.
#include "engine/catalog/verify.h"

#include <openssl/evp.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>

#include <fcntl.h>
#include <unistd.h>

#include "engine/util/error.h"
#include "engine/util/file_io.h"

namespace fs = std::filesystem;

namespace gwb {

Sha256Stream::Sha256Stream() : ctx_(EVP_MD_CTX_new()) {
  if (!ctx_ || EVP_DigestInit_ex(static_cast<EVP_MD_CTX*>(ctx_), EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("OpenSSL SHA-256 initialisation failed");
  }
}

Sha256Stream::~Sha256Stream() { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_)); }

void Sha256Stream::update(const void* data, std::size_t size) {
  if (EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(ctx_), data, size) != 1) {
    throw std::runtime_error("OpenSSL SHA-256 update failed");
  }
}

std::string Sha256Stream::hexDigest() {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(ctx_), digest, &len) != 1) {
    throw std::runtime_error("OpenSSL SHA-256 finalisation failed");
  }
  return lowerHex(digest, len);
}

std::string sha256File(const std::string& path, const std::function<void(std::int64_t)>& on_bytes,
                       const std::atomic<bool>* cancel) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw InputError({path}, expectedGot("a readable file", std::strerror(errno)));
  Sha256Stream sha;
  std::vector<char> buffer(1 << 20);
  std::int64_t total = 0;
  for (;;) {
    if (cancel && cancel->load()) {
      ::close(fd);
      throw Cancelled("cancelled while hashing " + path);
    }
    const ssize_t n = ::read(fd, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const std::string reason = std::strerror(errno);
      ::close(fd);
      throw InputError({path}, expectedGot("a readable file", reason));
    }
    if (n == 0) break;
    sha.update(buffer.data(), static_cast<std::size_t>(n));
    total += n;
    if (on_bytes) on_bytes(total);
  }
  ::close(fd);
  return sha.hexDigest();
}

std::vector<std::string> catalogueProblems(const CatalogItem& item, const Manifest& manifest) {
  std::vector<std::string> problems;
  std::map<std::string, const ManifestFile*> by_target;
  for (const ManifestFile& f : manifest.files) by_target[f.to] = &f;
  std::size_t expected = 0;
  for (const CatalogFile& file : item.files) {
    std::vector<std::string> targets;
    if (file.isArchive()) {
      for (const ExtractMember& m : file.extract) targets.push_back(m.to);
    } else {
      targets.push_back(file.to);
    }
    for (const std::string& to : targets) {
      ++expected;
      const auto it = by_target.find(to);
      if (it == by_target.end()) {
        problems.push_back(to + ": not in " + std::string(kManifestFile) +
                           " (the catalogue names it: gwb data fetch " + item.name + " --force)");
      } else if (it->second->source_sha256 != file.sha256) {
        problems.push_back(to + ": installed from a download with sha256 " +
                           it->second->source_sha256 + ", the catalogue pins " + file.sha256 +
                           " (gwb data fetch " + item.name + " --force)");
      }
    }
  }
  if (manifest.files.size() != expected) {
    for (const ManifestFile& f : manifest.files) {
      bool named = false;
      for (const CatalogFile& file : item.files) {
        if (file.to == f.to) named = true;
        for (const ExtractMember& m : file.extract) named = named || m.to == f.to;
      }
      if (!named) problems.push_back(f.to + ": installed but no longer in the catalogue");
    }
  }
  return problems;
}

namespace {

/// Reads the manifest of an installed item into `status`; false if there is none.
bool readInstalled(const CatalogItem& item, const std::string& home, ItemStatus& status,
                   Manifest& manifest) {
  status.name = item.name;
  status.dir = (fs::path(home) / item.name).string();
  const std::string path = (fs::path(status.dir) / kManifestFile).string();
  std::error_code ec;
  if (!fs::exists(path, ec)) return false;
  status.installed = true;
  try {
    manifest = readManifest(path);
  } catch (const InputError& e) {
    status.problems.push_back(e.what());
    return false;
  }
  status.installed_at = manifest.installed_at;
  status.installed_bytes = manifest.totalBytes();
  if (manifest.name != item.name) {
    status.problems.push_back(std::string(kManifestFile) + ": expected the name \"" + item.name +
                              "\", got \"" + manifest.name + "\"");
  }
  return true;
}

}  // namespace

ItemStatus itemStatus(const CatalogItem& item, const std::string& home) {
  ItemStatus status;
  Manifest manifest;
  if (!readInstalled(item, home, status, manifest)) return status;
  for (const std::string& p : sizeProblems(status.dir, manifest)) status.problems.push_back(p);
  for (const std::string& p : catalogueProblems(item, manifest)) status.problems.push_back(p);
  bool stamped = false;
  for (const std::string& p : changedSinceVerified(status.dir, manifest, &stamped)) {
    status.problems.push_back(p);
  }
  if (!stamped && status.problems.empty()) {
    status.problems.push_back("not verified since it was installed (gwb data verify " + item.name +
                              ")");
  }
  status.verified = status.problems.empty();
  return status;
}

ItemStatus verifyItem(const CatalogItem& item, const std::string& home,
                      const std::function<void(const std::string&)>& progress,
                      const std::atomic<bool>* cancel) {
  ItemStatus status;
  Manifest manifest;
  if (!readInstalled(item, home, status, manifest)) {
    if (!status.installed) {
      status.problems.push_back("not installed in " + home + " (gwb data fetch " + item.name + ")");
    }
    return status;
  }
  for (const std::string& p : catalogueProblems(item, manifest)) status.problems.push_back(p);
  for (const ManifestFile& f : manifest.files) {
    const std::string path = (fs::path(status.dir) / f.to).string();
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) {
      status.problems.push_back(f.to + ": missing");
      continue;
    }
    const auto size = static_cast<std::int64_t>(fs::file_size(path, ec));
    if (size != f.bytes) {
      status.problems.push_back(f.to + ": " + std::to_string(size) + " bytes, " + kManifestFile +
                                " says " + std::to_string(f.bytes));
      continue;
    }
    if (progress) progress(item.name + ": checking " + f.to);
    const std::string digest = sha256File(path, {}, cancel);
    if (digest != f.sha256) {
      status.problems.push_back(f.to + ": sha256 " + digest + ", " + kManifestFile + " says " +
                                f.sha256);
    }
  }
  status.verified = status.problems.empty();
  writeVerifiedStamp(status.dir, manifest, status.problems);
  return status;
}

}  // namespace gwb
