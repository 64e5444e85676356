// The precedence rule for runs, and the check that refuses a damaged installed copy.
#include "engine/data/fetch/installed.h"

#include <cstdlib>
#include <filesystem>
#include <optional>

#include "engine/data/data_stats.h"
#include "engine/data/fetch/manifest.h"
#include "engine/data/wikitext.h"
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

/// The manifest of the installed item `name` if there is one whose files look intact: all
/// present at the sizes listed and, if a verification stamp exists, unchanged since.
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

}  // namespace

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

const char* dataSourceName(DataSource source) {
  switch (source) {
    case DataSource::Configured:
      return "configured";
    case DataSource::Installed:
      return "installed";
    case DataSource::Embedded:
      return "embedded";
    case DataSource::None:
      return "none";
  }
  return "none";
}

std::string taskDataItem(const std::string& task, const std::string& format) {
  const std::string t = canonicalTask(task);
  if (t == "snli") return format == "tsv" ? std::string() : "snli";
  return format == "raw" ? "wikitext2-raw" : "wikitext2";
}

DataResolution resolveTaskData(const std::string& task, const std::string& data_dir,
                               const std::string& format, const std::string& home) {
  const std::string t = canonicalTask(task);
  DataResolution r;
  if (!data_dir.empty()) {
    r.source = DataSource::Configured;
    r.dir = absolutePath(data_dir);
    r.note = t + ": the folder data.dir names, " + r.dir;
    r.provenance = "data.dir " + r.dir;
    return r;
  }
  const std::string item = taskDataItem(t, format);
  const std::string installed_home = home.empty() ? fetchedDataDir() : absolutePath(home);
  std::string dir;
  if (!item.empty()) {
    if (const std::optional<Manifest> m = usableInstalled(item, installed_home, dir)) {
      r.source = DataSource::Installed;
      r.dir = dir;
      r.item = item;
      r.note = t + ": the installed " + item + " in " + dir + " (gwb data fetch, " +
               m->installed_at + (item == "snli" ? "; the full training split)" : ")");
      r.provenance = installedProvenance(item, dir, *m);
      return r;
    }
  }
  if (t == "wikitext2" && format == "raw") {
    try {
      findWikitextFile("", "train", "raw");
    } catch (const InputError&) {
      throw InputError({"", 0, "data.format"},
                       expectedGot("raw Wikitext-2: an installed copy (gwb data fetch "
                                   "wikitext2-raw, into " +
                                       installed_home + ") or a data.dir with wiki.*.raw",
                                   "neither (the embedded copy has only the tokenized files)"));
    }
  }
  r.source = DataSource::Embedded;
  r.provenance = "embedded";
  r.note = t == "snli" ? "snli: the embedded copy (its train split is the 1% sample; `gwb data "
                         "fetch snli` installs the full one)"
                       : t + ": the embedded copy";
  return r;
}

DataResolution resolveBackboneDir(const std::string& backbone_dir, const std::string& home) {
  DataResolution r;
  if (!backbone_dir.empty()) {
    r.source = DataSource::Configured;
    r.dir = absolutePath(backbone_dir);
    r.note = "backbone: the folder model.backbone_dir names, " + r.dir;
    r.provenance = "model.backbone_dir " + r.dir;
    return r;
  }
  const std::string name = "distilbert-base-uncased";
  const std::string installed_home = home.empty() ? fetchedDataDir() : absolutePath(home);
  std::string dir;
  if (const std::optional<Manifest> m = usableInstalled(name, installed_home, dir)) {
    r.source = DataSource::Installed;
    r.dir = dir;
    r.item = name;
    r.note = "backbone: the installed " + name + " in " + dir + " (gwb data fetch, " +
             m->installed_at + ")";
    r.provenance = installedProvenance(name, dir, *m);
    return r;
  }
  r.source = DataSource::None;
  r.provenance = "none";
  r.error = InputError({"", 0, "model.backbone_dir"},
                       expectedGot("a DistilBERT folder (config.json, model.safetensors): set "
                                   "model.backbone_dir, or run `gwb data fetch " +
                                       name + "` to install one in " + installed_home,
                                   "neither"))
                .what();
  return r;
}

}  // namespace gwb
