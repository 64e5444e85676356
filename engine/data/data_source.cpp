// The precedence rule for runs: configured > installed > embedded.
#include "engine/data/data_source.h"

#include <filesystem>
#include <optional>

#include "engine/catalog/installed.h"
#include "engine/config/tasks.h"
#include "engine/data/wikitext.h"
#include "engine/util/error.h"
#include "engine/util/paths.h"

namespace fs = std::filesystem;

namespace gwb {

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

namespace {

// Whether `dir` ("" = the embedded data) holds raw Wikitext-2 train files.
bool hasRawWikitext(const std::string& dir) {
  try {
    findWikitextFile(dir, "train", "raw");
    return true;
  } catch (const InputError&) {
    return false;
  }
}

constexpr const char* kV1Note =
    ": the recipe trained on wikitext-2-raw-v1; this run reads the tokenized v1 (with <unk>), so "
    "its perplexities are not the recipe's (gwb data fetch wikitext2-raw installs the raw corpus)";

}  // namespace

DataResolution resolveTaskData(const std::string& task, const std::string& data_dir,
                               const std::string& format, const std::string& home,
                               bool prefer_raw) {
  const std::string t = canonicalTask(task);
  if (prefer_raw && t == "wikitext2" && format == "auto") {
    DataResolution r;
    const std::string installed_home = home.empty() ? fetchedDataDir() : absolutePath(home);
    std::string dir;
    if (!data_dir.empty()) {
      r = resolveTaskData(t, data_dir, format, home);
    } else if (const std::optional<Manifest> m =
                   usableInstalled("wikitext2-raw", installed_home, dir)) {
      r.source = DataSource::Installed;
      r.dir = dir;
      r.item = "wikitext2-raw";
      r.note = t + ": the installed wikitext2-raw in " + dir + " (gwb data fetch, " +
               m->installed_at + "; the recipe's corpus)";
      r.provenance = installedProvenance("wikitext2-raw", dir, *m);
    } else {
      r = resolveTaskData(t, data_dir, "tokens", home);
    }
    r.format = hasRawWikitext(r.dir) ? "raw" : "tokens";
    r.v1_not_raw = r.format == "tokens";
    if (r.v1_not_raw) r.note += kV1Note;
    return r;
  }
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
