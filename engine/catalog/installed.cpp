// Installed items: their folder and the check that refuses a damaged one.
#include "engine/catalog/installed.h"

#include <cstdlib>
#include <filesystem>
#include <vector>

#include "engine/catalog/verify.h"
#include "engine/util/error.h"
#include "engine/util/paths.h"

namespace fs = std::filesystem;

namespace gwb {
namespace {

std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value ? std::string(value) : std::string();
}

std::string joinLines(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& l : lines) out += (out.empty() ? "" : "; ") + l;
  return out;
}

}  // namespace

std::optional<Manifest> usableInstalled(const std::string& name, const std::string& home,
                                        std::string& dir) {
  dir = (fs::path(home) / name).string();
  const std::string path = (fs::path(dir) / kManifestFile).string();
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) return std::nullopt;
  const std::string advice = " (run `gwb data verify " + name + "`; `gwb data fetch " + name +
                             " --force` installs it again; a data.dir chooses another copy)";
  Manifest manifest;
  try {
    manifest = readManifest(path);
  } catch (const InputError& e) {
    throw InputError({path}, expectedGot("a readable manifest of the installed " + name,
                                         std::string(e.what()) + advice));
  }
  const std::vector<std::string> sizes = sizeProblems(dir, manifest);
  if (!sizes.empty()) {
    throw InputError({path}, expectedGot("the installed files at the sizes it lists",
                                         joinLines(sizes) + advice));
  }
  bool stamped = false;
  const std::vector<std::string> changed = changedSinceVerified(dir, manifest, &stamped);
  if (!changed.empty()) {
    throw InputError({path}, expectedGot("the installed files as they were verified",
                                         joinLines(changed) + advice));
  }
  return manifest;
}

std::string installedProvenance(const std::string& name, const std::string& dir,
                                const Manifest& m) {
  std::string out = "installed " + name + " (" + dir + ", installed_at " + m.installed_at;
  if (!m.files.empty()) out += ", from " + m.files.front().url;
  return out + ")";
}

std::string fetchedDataDir(const std::string& cli_dir) {
  const auto folder = [](const std::string& path) {
    std::string out = absolutePath(path);
    while (out.size() > 1 && out.back() == '/') out.pop_back();
    return out;
  };
  if (!cli_dir.empty()) return folder(cli_dir);
  const std::string home_env = env("GWB_DATA_HOME");
  if (!home_env.empty()) return folder(home_env);
  const std::string xdg = env("XDG_DATA_HOME");
  if (!xdg.empty()) return folder((fs::path(xdg) / "grassmann-workbench/fetched").string());
  const std::string home = env("HOME");
  if (!home.empty())
    return folder((fs::path(home) / ".local/share/grassmann-workbench/fetched").string());
  return folder(".local/share/grassmann-workbench/fetched");
}

}  // namespace gwb
