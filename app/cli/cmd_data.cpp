// `gwb data stats|list|fetch|verify` (CONTRACTS.md). stats loads every split through the token
// cache and prints the counts, saying which copy it read (data.dir > installed > embedded); list,
// fetch and verify are the data manager's front end over engine/data/fetch/: JSON on stdout,
// progress (bytes, rate, ETA) on stderr, exit 2 for unknown names and failed checks, 130 when a
// signal stopped a fetch (its partial download is kept and resumed next time).
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>

#include "app/cli/cli_common.h"
#include "app/cli/train_support.h"
#include "engine/catalog/installed.h"
#include "engine/catalog/verify.h"
#include "engine/data/data_source.h"
#include "engine/data/data_stats.h"
#include "engine/data/feature_cache.h"
#include "engine/data/snli.h"
#include "engine/fetch/fetcher.h"
#include "engine/tokenizers/tokenizer.h"
#include "engine/util/error.h"
#include "engine/util/paths.h"

namespace gwb::cli {
namespace {

using Json = nlohmann::ordered_json;

Json toJson(const DataStats& stats) {
  Json out;
  out["task"] = stats.task;
  out["tokenizer"] = stats.tokenizer;
  out["dir"] = stats.dir;
  out["source"] = stats.source;
  out["provenance"] = stats.provenance;
  if (stats.task == "wikitext2") {
    out["seq_len"] = stats.seq_len;
    if (stats.targets != "shift") out["targets"] = stats.targets;  // chunks of L + 1 counted
  }
  out["splits"] = Json::object();
  for (const SplitStats& s : stats.splits) {
    Json split;
    split["file"] = s.file;
    if (stats.task == "wikitext2") {
      split["lines"] = s.lines;
      split["nonempty_lines"] = s.nonempty_lines;
      split["tokens"] = s.tokens;
      split["chunks"] = s.chunks;
    } else {
      split["pairs"] = s.pairs;
      split["dropped"] = s.dropped;
      split["kept"] = s.kept;
      for (int k = 0; k < kSnliClasses; ++k) split["labels"][snliClassName(k)] = s.labels[k];
      split["tokens"] = s.tokens;
    }
    out["splits"][s.split] = split;
  }
  return out;
}

int runStats(const DataStatsRequest& request) {
  // Validate here first so that errors name the command-line flags.
  canonicalTask(request.task, "--task");
  parseTokenizerKind(request.tokenizer, "--tokenizer");
  if (request.seq_len < 2) {
    throw InputError({"", 0, "--seq-len"},
                     expectedGot("an integer >= 2", std::to_string(request.seq_len)));
  }
  if (request.targets != "shift" && request.targets != "next")
    throw InputError({"", 0, "--targets"},
                     expectedGot("shift or next", "\"" + request.targets + "\""));
  if (request.gpt2_rows != "file" && request.gpt2_rows != "nonempty") {
    throw InputError({"", 0, "--gpt2-rows"},
                     expectedGot("file or nonempty", "\"" + request.gpt2_rows + "\""));
  }
  // Which copy it reads, before the (possibly long) tokenising; --dir says that itself.
  const DataResolution copy = resolveTaskData(request.task, request.dir, request.format);
  if (copy.source != DataSource::Configured) progress(copy.note);
  const DataStats stats = computeDataStats(
      request,
      [&](const SplitStats& s) {
        progress(canonicalTask(request.task) + " " + s.split + ": " + std::to_string(s.tokens) +
                 " tokens" + (s.from_cache ? " (cached)" : ""));
        return true;
      },
      progress);
  printJson(toJson(stats));
  return kExitOk;
}

// --- the data manager ---

struct ManagerRequest {
  std::vector<std::string> names;
  std::string dir;
  bool force = false;
};

/// "12.3 MB" (decimal units, as download sizes are usually quoted).
std::string megabytes(double bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, bytes < 1e5 ? "%.0f kB" : "%.1f MB",
                bytes < 1e5 ? bytes / 1e3 : bytes / 1e6);
  return buf;
}

std::string duration(double seconds) {
  const long s = std::lround(seconds);
  char buf[32];
  if (s >= 3600) {
    std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%ld:%02ld", s / 60, s % 60);
  }
  return buf;
}

/// Prints a download's progress at most once a second, and always its last bytes.
class ProgressLines {
 public:
  explicit ProgressLines(std::string item) : item_(std::move(item)) {}
  void operator()(const DownloadProgress& p) {
    const auto now = std::chrono::steady_clock::now();
    if (p.received < p.total && p.file == file_ && now - last_ < std::chrono::seconds(1)) return;
    last_ = now;
    file_ = p.file;
    std::string line = item_ + ": " + p.file + " " + megabytes(static_cast<double>(p.received)) +
                       " of " + megabytes(static_cast<double>(p.total));
    char pct[16];
    std::snprintf(pct, sizeof pct, " (%.0f%%)",
                  100.0 * static_cast<double>(p.received) / static_cast<double>(p.total));
    line += pct;
    if (p.bytes_per_s > 0) line += ", " + megabytes(p.bytes_per_s) + "/s";
    if (p.eta_s >= 0 && p.received < p.total) line += ", ETA " + duration(p.eta_s);
    progress(line);
  }

 private:
  std::string item_, file_;
  std::chrono::steady_clock::time_point last_{};
};

/// The installed items' folder for --dir; never inside the embedded data's folder (compared
/// with links resolved: the build tree links the embedded data to the sources).
std::string managerHome(const std::string& dir) {
  const std::string home = fetchedDataDir(dir);
  std::error_code ec;
  const std::string real = std::filesystem::weakly_canonical(home, ec).string();
  std::string embedded;
  try {
    embedded = embeddedDataDir();  // canonical
  } catch (const InputError&) {
    return home;  // no embedded data to protect
  }
  if (!ec && (real == embedded || real.rfind(embedded + "/", 0) == 0)) {
    throw InputError({home, 0, "--dir"},
                     expectedGot("a folder outside the embedded data", "one inside it"));
  }
  return home;
}

std::vector<const CatalogItem*> chosenItems(const Catalog& catalog,
                                            const std::vector<std::string>& names) {
  std::vector<const CatalogItem*> items;
  for (const std::string& name : names) items.push_back(&catalog.require(name));
  if (names.empty()) {
    for (const CatalogItem& item : catalog.items) items.push_back(&item);
  }
  return items;
}

int runList(const ManagerRequest& request) {
  const Catalog catalog = loadCatalog();
  const std::string home = managerHome(request.dir);
  Json out;
  out["dir"] = home;
  out["catalog"] = catalog.path;
  out["items"] = Json::array();
  for (const CatalogItem& item : catalog.items) {
    const ItemStatus s = itemStatus(item, home);
    Json j;
    j["name"] = item.name;
    j["installed"] = s.installed;
    j["verified"] = s.verified;
    j["bytes"] = item.downloadBytes();
    j["source"] = item.source();
    j["description"] = item.description;
    j["licence"] = item.licence;
    j["path"] = s.dir;
    if (s.installed) {
      j["installed_at"] = s.installed_at;
      j["installed_bytes"] = s.installed_bytes;
    }
    j["problems"] = s.problems;
    out["items"].push_back(j);
  }
  printJson(out);
  return kExitOk;
}

int runVerify(const ManagerRequest& request) {
  const Catalog catalog = loadCatalog();
  const std::string home = managerHome(request.dir);
  std::vector<const CatalogItem*> items = chosenItems(catalog, request.names);
  Json out;
  out["dir"] = home;
  out["items"] = Json::array();
  bool all_ok = true;
  for (const CatalogItem* item : items) {
    // Without names: the items that are installed (verifying nothing installed is no failure).
    if (request.names.empty() && !itemStatus(*item, home).installed) continue;
    const ItemStatus s = verifyItem(*item, home, progress);
    for (const std::string& p : s.problems) progress(item->name + ": " + p);
    all_ok = all_ok && s.verified;
    out["items"].push_back({{"name", item->name}, {"ok", s.verified}, {"problems", s.problems}});
  }
  printJson(out);
  return all_ok ? kExitOk : kExitBadInput;
}

int runFetch(const ManagerRequest& request) {
  const Catalog catalog = loadCatalog();
  const std::string home = managerHome(request.dir);
  const std::vector<const CatalogItem*> items = chosenItems(catalog, request.names);
  installStopHandlers();
  for (const CatalogItem* item : items) {
    FetchOptions options;
    options.home = home;
    options.force = request.force;
    options.download = downloadOptionsFromEnvironment();
    options.download.cancel = &stopFlag();
    options.download.log = progress;
    auto lines = std::make_shared<ProgressLines>(item->name);
    options.download.progress = [lines](const DownloadProgress& p) { (*lines)(p); };
    try {
      const FetchResult result = fetchItem(*item, options);
      std::cout << manifestToJson(result.manifest) << '\n' << std::flush;
    } catch (const Cancelled&) {
      progress(item->name + ": stopped; the partial download is kept in " + home +
               "/.downloads and the same command resumes it");
      return kExitStopped;
    }
  }
  return kExitOk;
}

}  // namespace

// What --feature-caches / --remove-feature-cache ask for.
struct FeatureCacheRequest {
  bool list = false;
  std::vector<std::string> remove;  // file names as listed, or "all"
};

// `gwb data stats --feature-caches`: the frozen backbone's feature caches beside the token cache
// (one object per file: its key, size, creation time); `--remove-feature-cache NAME|all` removes
// some first and lists what is left.
int runFeatureCaches(const FeatureCacheRequest& request) {
  const std::string dir = cacheDir();
  Json out;
  out["dir"] = dir;
  out["removed"] = Json::array();
  if (!request.remove.empty()) {
    for (const std::string& p : removeFeatureCaches(dir, request.remove))
      out["removed"].push_back(p);
  }
  out["feature_caches"] = Json::array();
  std::int64_t total = 0;
  for (const FeatureCacheInfo& f : listFeatureCaches(dir)) {
    Json j;
    j["file"] = f.file;
    j["bytes"] = f.bytes;
    j["readable"] = f.readable;
    if (f.readable) {
      j["split"] = f.key.split;
      j["kind"] = f.key.kind;
      j["encoding"] = f.key.encoding;
      j["seq_len"] = f.key.seq_len;
      j["precision"] = f.key.precision;
      j["pairs"] = f.key.pairs;
      j["rows"] = f.key.rows;
      j["dim"] = f.key.dim;
      j["backbone_sha256"] = f.key.backbone_sha256;
      j["data_sha256"] = f.key.data_sha256;
      j["created_at"] = f.created_at;
    }
    total += f.bytes;
    out["feature_caches"].push_back(j);
  }
  out["total_bytes"] = total;
  printJson(out);
  return kExitOk;
}

void addDataCommand(CLI::App& app, Action& action) {
  CLI::App* data = app.add_subcommand("data", "Inspect, fetch and verify data sets");
  data->require_subcommand(1);
  auto request = std::make_shared<DataStatsRequest>();
  CLI::App* stats = data->add_subcommand("stats", "Line, token and chunk counts of every split");
  auto caches = std::make_shared<FeatureCacheRequest>();
  stats->add_option("--task", request->task, "wikitext2 (alias wikitext) or snli");
  stats->add_option("--tokenizer", request->tokenizer, "gpt2 or bert");
  stats->add_flag("--feature-caches", caches->list,
                  "List the frozen backbone's feature caches (instead of the counts)");
  stats->add_option("--remove-feature-cache", caches->remove,
                    "Remove a feature cache (its file name as listed, or all); repeatable");
  stats->add_option("--dir", request->dir,
                    "Data folder (default: the installed copy, else the embedded one)");
  stats->add_option("--seq-len", request->seq_len, "Chunk length L for the chunk count (256)");
  stats->add_option("--targets", request->targets,
                    "shift (chunks of L, default) or next (chunks of L + 1): data.targets");
  stats->add_option("--gpt2-rows", request->gpt2_rows,
                    "file (default) or nonempty: data.gpt2_rows of a GPT-2 stream");
  stats->add_option("--format", request->format,
                    "auto, tokens, raw (wikitext2) or jsonl, txt, tsv (snli)");
  stats->add_option("--vocab-dir", request->vocab_dir, "Vocabulary folder (default: embedded)");
  stats->callback([request, caches, &action] {
    action = [request, caches] {
      if (caches->list || !caches->remove.empty()) return runFeatureCaches(*caches);
      if (request->task.empty() || request->tokenizer.empty()) {
        throw InputError({"", 0, request->task.empty() ? "--task" : "--tokenizer"},
                         expectedGot("--task and --tokenizer (or --feature-caches)", "none"));
      }
      return runStats(*request);
    };
  });

  auto manager = std::make_shared<ManagerRequest>();
  const std::string dir_help =
      "Installed items' folder (default $GWB_DATA_HOME, else "
      "$XDG_DATA_HOME/grassmann-workbench/fetched, else "
      "~/.local/share/grassmann-workbench/fetched)";
  CLI::App* list = data->add_subcommand("list", "The catalogue's items and what is installed");
  list->add_option("--dir", manager->dir, dir_help);
  list->callback([manager, &action] { action = [manager] { return runList(*manager); }; });

  CLI::App* fetch = data->add_subcommand(
      "fetch", "Download, verify and install items (snli, wikitext2, wikitext2-raw, ...)");
  fetch->add_option("NAME", manager->names, "Catalogue items (see gwb data list)")->required();
  fetch->add_option("--dir", manager->dir, dir_help);
  fetch->add_flag("--force", manager->force, "Download again even if installed and verified");
  fetch->callback([manager, &action] { action = [manager] { return runFetch(*manager); }; });

  CLI::App* verify = data->add_subcommand(
      "verify", "Check installed items' sizes and SHA-256 (default: every installed item)");
  verify->add_option("NAME", manager->names, "Catalogue items");
  verify->add_option("--dir", manager->dir, dir_help);
  verify->callback([manager, &action] { action = [manager] { return runVerify(*manager); }; });
}

}  // namespace gwb::cli
