// Listing and following a runs folder.
#include "engine/runs/run_folder.h"

#include <algorithm>
#include <filesystem>

#include "engine/util/paths.h"

namespace fs = std::filesystem;

namespace gwb {

bool isRunFolderName(const std::string& name) {
  return !name.empty() && name[0] != '.' && name != "sweeps" && name != "studies" &&
         name.find(".tmp-") == std::string::npos;
}

RunFolder::RunFolder(std::string dir) : dir_(absolutePath(dir)) {}

RunFolder::Changes RunFolder::refresh() {
  Changes changes;
  std::vector<std::string> present;
  std::error_code ec;
  for (fs::directory_iterator it(dir_, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (!isRunFolderName(name) || !it->is_directory(ec)) continue;
    const std::string run = it->path().string();
    // A run directory has its config.json from the start (run_dir.h builds it before renaming).
    if (!readers_.count(run) && !fs::exists(it->path() / "config.json", ec)) continue;
    present.push_back(run);
  }
  std::sort(present.begin(), present.end());
  for (auto it = readers_.begin(); it != readers_.end();) {
    if (!std::binary_search(present.begin(), present.end(), it->first)) {
      changes.removed.push_back(it->first);
      it = readers_.erase(it);
    } else {
      ++it;
    }
  }
  for (const std::string& run : present) {
    auto& reader = readers_[run];
    if (!reader) reader = std::make_unique<RunReader>(run, /*keep_events=*/false, /*light=*/true);
    if (reader->poll()) changes.changed.push_back(run);
  }
  return changes;
}

std::vector<const RunRecord*> RunFolder::records() const {
  std::vector<const RunRecord*> out;
  for (const auto& [dir, reader] : readers_) out.push_back(&reader->record());
  std::stable_sort(out.begin(), out.end(), [](const RunRecord* a, const RunRecord* b) {
    return a->started != b->started ? a->started > b->started : a->folder > b->folder;
  });
  return out;
}

const RunRecord* RunFolder::record(const std::string& dir) const {
  const auto it = readers_.find(absolutePath(dir));
  return it == readers_.end() ? nullptr : &it->second->record();
}

std::vector<RunRecord> readRunFolder(const std::string& dir) {
  std::vector<RunRecord> out;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (!isRunFolderName(it->path().filename().string()) || !it->is_directory(ec)) continue;
    if (!fs::exists(it->path() / "config.json", ec)) continue;
    out.push_back(readRun(it->path().string()));
  }
  std::sort(out.begin(), out.end(),
            [](const RunRecord& a, const RunRecord& b) { return a.folder < b.folder; });
  return out;
}

}  // namespace gwb
