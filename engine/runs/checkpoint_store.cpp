// Checkpoint folders, the `last` pointer and its links, and cleaning up after a crash.
#include "engine/runs/checkpoint_store.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <vector>

#include "engine/util/durable.h"
#include "engine/util/error.h"

namespace fs = std::filesystem;

namespace gwb {
namespace {

constexpr const char* kPrefix = "ckpt-";
constexpr const char* kTmpPrefix = ".tmp-";
constexpr const char* kModel = "model.safetensors";
constexpr const char* kOptimizer = "optimizer.safetensors";
constexpr const char* kState = "trainer_state.json";
constexpr const char* kBest = "best.safetensors";
// The names CONTRACTS.md gives, as links through `last` (a link name -> the file in the folder).
constexpr std::pair<const char*, const char*> kLinks[] = {
    {"last.safetensors", kModel}, {"optimizer.safetensors", kOptimizer}, {kState, kState}};

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw InputError({path}, expectedGot(what, std::strerror(errno)));
}

// The serial of a checkpoint folder name, or -1.
long serialOf(const std::string& name) {
  if (name.rfind(kPrefix, 0) != 0 || name.size() == std::strlen(kPrefix)) return -1;
  const std::string digits = name.substr(std::strlen(kPrefix));
  if (digits.find_first_not_of("0123456789") != std::string::npos || digits.size() > 12) return -1;
  return std::strtol(digits.c_str(), nullptr, 10);
}

std::string folderName(long serial) {
  char name[32];
  std::snprintf(name, sizeof name, "%s%08ld", kPrefix, serial);
  return name;
}

// Complete checkpoint folders, by serial.
std::vector<std::pair<long, std::string>> checkpointFolders(const std::string& dir) {
  std::vector<std::pair<long, std::string>> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    const long serial = serialOf(name);
    if (serial >= 0 && entry.is_directory(ec) && !entry.is_symlink(ec))
      out.emplace_back(serial, name);
  }
  std::sort(out.begin(), out.end());
  return out;
}

CheckpointFiles filesIn(const std::string& folder) {
  const std::string best = folder + "/" + kBest;
  std::error_code ec;
  return {folder, folder + "/" + kModel, folder + "/" + kOptimizer, folder + "/" + kState,
          fs::exists(best, ec) ? best : ""};
}

// Makes `name` (in `dir`) a symbolic link to `target`, atomically (a new link renamed over it).
void pointLink(const std::string& dir, const std::string& name, const std::string& target) {
  const std::string path = dir + "/" + name;
  char current[4096];
  const ssize_t n = ::readlink(path.c_str(), current, sizeof current - 1);
  if (n >= 0 && std::string(current, static_cast<std::size_t>(n)) == target) return;
  const std::string tmp = dir + "/" + kTmpPrefix + name + "-" + std::to_string(::getpid());
  ::unlink(tmp.c_str());
  if (::symlink(target.c_str(), tmp.c_str()) != 0) fail(tmp, "a new symbolic link");
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    fail(path, "a successful rename");
  }
}

void pointAt(const std::string& dir, const std::string& folder) {
  pointLink(dir, "last", folder);
  for (const auto& [link, file] : kLinks) pointLink(dir, link, std::string("last/") + file);
}

bool sameFile(const std::string& a, const std::string& b) {
  struct stat sa {
  }, sb{};
  return ::stat(a.c_str(), &sa) == 0 && ::stat(b.c_str(), &sb) == 0 && sa.st_dev == sb.st_dev &&
         sa.st_ino == sb.st_ino;
}

// Links (or, where hard links fail, copies) `from` to a new `to`.
void linkOrCopy(const std::string& from, const std::string& to) {
  if (::link(from.c_str(), to.c_str()) == 0) return;
  std::error_code ec;
  fs::copy_file(from, to, ec);
  if (ec) throw InputError({to}, expectedGot("a copy of " + from, ec.message()));
}

}  // namespace

CheckpointStore::CheckpointStore(std::string checkpoints_dir) : dir_(std::move(checkpoints_dir)) {}

std::optional<CheckpointFiles> CheckpointStore::latest() const {
  const auto folders = checkpointFolders(dir_);
  if (!folders.empty()) return filesIn(dir_ + "/" + folders.back().second);
  // The layout before checkpoint folders: three plain files (their step metadata must agree).
  std::error_code ec;
  const std::string state = dir_ + "/" + kState;
  if (fs::is_regular_file(fs::symlink_status(state, ec))) {
    return CheckpointFiles{"", dir_ + "/last.safetensors", dir_ + "/optimizer.safetensors", state,
                           ""};
  }
  return std::nullopt;
}

int CheckpointStore::clean() const {
  int removed = 0;
  std::error_code ec;
  if (!fs::is_directory(dir_, ec)) return 0;
  const auto folders = checkpointFolders(dir_);
  for (const auto& entry : fs::directory_iterator(dir_, ec)) {
    const std::string name = entry.path().filename().string();
    const bool temporary =
        name.rfind(kTmpPrefix, 0) == 0 || name.find(".tmp-") != std::string::npos;
    const bool older = serialOf(name) >= 0 && !folders.empty() && name != folders.back().second;
    if (temporary || older) {
      fs::remove_all(entry.path(), ec);
      ++removed;
    }
  }
  if (!folders.empty()) {
    WriteScope scope;
    pointAt(dir_, folders.back().second);
    syncDirectory(dir_);
  }
  return removed;
}

CheckpointFiles CheckpointStore::commit(const std::function<void(const CheckpointFiles&)>& fill) {
  const WriteScope scope;  // a second Ctrl-C waits until the checkpoint is whole
  std::error_code ec;
  fs::create_directories(dir_, ec);
  const auto folders = checkpointFolders(dir_);
  const long serial = folders.empty() ? 1 : folders.back().first + 1;
  std::string tmp = dir_ + "/" + kTmpPrefix + "ckpt-XXXXXX";
  if (!::mkdtemp(tmp.data())) fail(dir_, "a writable checkpoints folder");
  ::chmod(tmp.c_str(), 0755);  // mkdtemp makes it 0700
  const std::string final_dir = dir_ + "/" + folderName(serial);
  try {
    CheckpointFiles files = filesIn(tmp);
    fill(files);
    const std::string best = bestPath();
    if (fs::exists(best, ec)) linkOrCopy(best, tmp + "/" + kBest);
    syncDirectory(tmp);
    if (::rename(tmp.c_str(), final_dir.c_str()) != 0) fail(final_dir, "a successful rename");
  } catch (...) {
    fs::remove_all(tmp, ec);
    throw;
  }
  syncDirectory(dir_);  // from here on the new checkpoint is the newest complete one
  pointAt(dir_, folderName(serial));
  for (const auto& [old_serial, name] : folders) fs::remove_all(dir_ + "/" + name, ec);
  syncDirectory(dir_);
  return filesIn(final_dir);
}

void CheckpointStore::restoreBest(const CheckpointFiles& checkpoint) const {
  if (checkpoint.dir.empty()) return;  // the legacy layout kept no copy
  const WriteScope scope;
  const std::string best = bestPath();
  std::error_code ec;
  if (checkpoint.best.empty()) {
    if (fs::exists(best, ec)) fs::remove(best, ec);  // a best the resumed run will find again
  } else if (!sameFile(checkpoint.best, best)) {
    const std::string tmp = best + ".tmp-restore";
    ::unlink(tmp.c_str());
    linkOrCopy(checkpoint.best, tmp);
    if (::rename(tmp.c_str(), best.c_str()) != 0) fail(best, "a successful rename");
  }
  syncDirectory(dir_);
}

}  // namespace gwb
