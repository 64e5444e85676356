// extractMembers over libarchive's reader (zip via its central directory, tar, gzip/bzip2/xz).
#include <archive.h>
#include <archive_entry.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>

#include <fcntl.h>
#include <unistd.h>

#include "engine/catalog/verify.h"
#include "engine/fetch/extract.h"
#include "engine/util/error.h"

namespace fs = std::filesystem;

namespace gwb {
namespace {

std::string kindOf(const archive_entry* entry) {
  switch (archive_entry_filetype(const_cast<archive_entry*>(entry))) {
    case AE_IFDIR:
      return "a folder";
    case AE_IFLNK:
      return "a symbolic link";
    case AE_IFCHR:
    case AE_IFBLK:
      return "a device";
    case AE_IFIFO:
      return "a FIFO";
    case AE_IFSOCK:
      return "a socket";
    default:
      return archive_entry_hardlink(const_cast<archive_entry*>(entry)) ? "a hard link"
                                                                       : "not a regular file";
  }
}

/// Writes the current entry's data to a new file at `path`, at most `bound` bytes.
ExtractedFile writeEntry(archive* a, const ExtractMember& m, const std::string& path,
                         std::int64_t bound, const std::string& where,
                         const std::atomic<bool>* cancel) {
  std::error_code ec;
  fs::create_directories(fs::path(path).parent_path(), ec);
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd < 0) throw InputError({path}, expectedGot("a new file", std::strerror(errno)));
  std::unique_ptr<int, void (*)(int*)> guard(new int(fd), [](int* f) {
    ::close(*f);
    delete f;
  });
  ExtractedFile out;
  out.member = m.member;
  out.to = m.to;
  Sha256Stream sha;
  std::vector<char> buffer(1 << 18);
  for (;;) {
    if (cancel && cancel->load()) throw Cancelled("cancelled while extracting " + m.member);
    const la_ssize_t n = archive_read_data(a, buffer.data(), buffer.size());
    if (n < 0) {
      throw InputError(
          {where, 0, m.member},
          expectedGot("a readable member",
                      archive_error_string(a) ? archive_error_string(a) : "a read error"));
    }
    if (n == 0) break;
    if (out.bytes + n > bound) {
      throw InputError({where, 0, m.member}, expectedGot("at most " + std::to_string(bound) +
                                                             " bytes (the catalogue's bound)",
                                                         "more"));
    }
    std::size_t done = 0;
    while (done < static_cast<std::size_t>(n)) {
      const ssize_t w = ::write(fd, buffer.data() + done, static_cast<std::size_t>(n) - done);
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) throw InputError({path}, expectedGot("a successful write", std::strerror(errno)));
      done += static_cast<std::size_t>(w);
    }
    sha.update(buffer.data(), static_cast<std::size_t>(n));
    out.bytes += n;
  }
  if (::fsync(fd) != 0) {
    throw InputError({path}, expectedGot("a successful flush", std::strerror(errno)));
  }
  out.sha256 = sha.hexDigest();
  return out;
}

}  // namespace

bool extractionAvailable() { return true; }

std::vector<ExtractedFile> extractMembers(const std::string& archive_path, const CatalogFile& file,
                                          const std::string& target_dir, const std::string& source,
                                          const std::atomic<bool>* cancel) {
  std::unique_ptr<archive, int (*)(archive*)> a(archive_read_new(), archive_read_free);
  archive_read_support_format_zip(a.get());
  archive_read_support_format_tar(a.get());
  archive_read_support_filter_gzip(a.get());
  archive_read_support_filter_bzip2(a.get());
  archive_read_support_filter_xz(a.get());
  const std::string where = source.empty() ? archive_path : source;
  if (archive_read_open_filename(a.get(), archive_path.c_str(), 1 << 16) != ARCHIVE_OK) {
    throw InputError({where}, expectedGot("a zip or tar archive", archive_error_string(a.get())));
  }
  std::map<std::string, const ExtractMember*> wanted;
  for (const ExtractMember& m : file.extract) wanted[m.member] = &m;
  std::map<std::string, ExtractedFile> found;
  long entries = 0;
  for (;;) {
    archive_entry* entry = nullptr;
    const int r = archive_read_next_header(a.get(), &entry);
    if (r == ARCHIVE_EOF) break;
    if (r < ARCHIVE_WARN) {
      throw InputError({where},
                       expectedGot("a readable archive", archive_error_string(a.get())
                                                             ? archive_error_string(a.get())
                                                             : "a read error"));
    }
    ++entries;
    const char* raw = archive_entry_pathname(entry);
    const std::string name = raw ? raw : "";
    const auto it = wanted.find(name);
    if (it == wanted.end()) continue;  // not named: never extracted (the next header skips it)
    const ExtractMember& m = *it->second;
    if (found.count(name)) {
      throw InputError({where, 0, name}, expectedGot("the member once", "it twice"));
    }
    if (archive_entry_filetype(entry) != AE_IFREG || archive_entry_hardlink(entry)) {
      throw InputError({where, 0, name}, expectedGot("a regular file", kindOf(entry)));
    }
    const std::int64_t bound = file.memberBound(m);
    if (archive_entry_size_is_set(entry) && archive_entry_size(entry) > bound) {
      throw InputError(
          {where, 0, name},
          expectedGot("at most " + std::to_string(bound) + " bytes (the catalogue's bound)",
                      std::to_string(archive_entry_size(entry)) + " bytes"));
    }
    const std::string path = (fs::path(target_dir) / m.to).string();
    found[name] = writeEntry(a.get(), m, path, bound, where, cancel);
  }
  std::vector<ExtractedFile> out;
  for (const ExtractMember& m : file.extract) {
    const auto it = found.find(m.member);
    if (it == found.end()) {
      throw InputError({where, 0, m.member},
                       expectedGot("the member in the archive",
                                   "none among its " + countOf(entries, "entry", "entries")));
    }
    out.push_back(it->second);
  }
  return out;
}

}  // namespace gwb
