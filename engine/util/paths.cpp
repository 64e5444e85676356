// The path rules of CONTRACTS.md.
#include "engine/util/paths.h"

#include <cstdlib>
#include <filesystem>
#include <system_error>

#include "engine/util/error.h"

namespace fs = std::filesystem;

namespace gwb {
namespace {

std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value ? std::string(value) : std::string();
}

}  // namespace

std::string executableDir() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::current_path().string() : exe.parent_path().string();
}

std::string shareDir() {
  const fs::path dir = fs::path(executableDir()) / ".." / "share" / "grassmann-workbench";
  std::error_code ec;
  return fs::is_directory(dir, ec) ? fs::canonical(dir).string() : dir.lexically_normal().string();
}

std::string presetsDir() { return (fs::path(shareDir()) / "presets").string(); }

std::string reportedNumbersPath() {
  return (fs::path(shareDir()) / "reported_numbers.json").string();
}

std::string embeddedDataDir() {
  const std::string from_env = env("GWB_DATA_DIR");
  if (!from_env.empty()) {
    std::error_code ec;
    if (!fs::is_directory(from_env, ec)) {
      throw InputError({from_env, 0, "GWB_DATA_DIR"}, expectedGot("a data folder", "no folder"));
    }
    return absolutePath(from_env);
  }
  const fs::path candidate =
      fs::path(executableDir()) / ".." / "share" / "grassmann-workbench" / "data";
  std::error_code ec;
  if (fs::is_directory(candidate, ec)) return fs::canonical(candidate).string();
  throw InputError({candidate.lexically_normal().string()},
                   expectedGot("the embedded data folder (or GWB_DATA_DIR)", "no folder"));
}

std::string embeddedDir(const std::string& name) {
  return (fs::path(embeddedDataDir()) / name).string();
}

std::string cacheDir() {
  const std::string explicit_dir = env("GWB_CACHE_DIR");
  if (!explicit_dir.empty()) return absolutePath(explicit_dir);
  const std::string xdg = env("XDG_CACHE_HOME");
  if (!xdg.empty()) return absolutePath((fs::path(xdg) / "grassmann-workbench").string());
  const std::string home = env("HOME");
  if (!home.empty()) return (fs::path(home) / ".cache" / "grassmann-workbench").string();
  return absolutePath(".cache/grassmann-workbench");
}

std::string runsDir(const std::string& cli_value) {
  if (!cli_value.empty()) return absolutePath(cli_value);
  const std::string from_env = env("GWB_RUNS_DIR");
  if (!from_env.empty()) return absolutePath(from_env);
  return absolutePath("runs");
}

std::string absolutePath(const std::string& path) {
  return fs::absolute(path).lexically_normal().string();
}

}  // namespace gwb
