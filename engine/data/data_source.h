// Which copy of a data set, or of the DistilBERT weights, a run uses (CONTRACTS.md): the folder a
// configuration names (data.dir / model.backbone_dir) > an installed copy (`gwb data fetch`,
// catalog/installed.h) whose files have the sizes its MANIFEST.json lists > the embedded data. The
// trainer, `gwb data stats` and the workbench call these; they read MANIFEST.json and stat() files
// only, so they are cheap. Torch-free, Qt-free.
#pragma once

#include <string>

namespace gwb {

enum class DataSource {
  Configured,  ///< data.dir / model.backbone_dir named a folder
  Installed,   ///< an installed catalogue item
  Embedded,    ///< the data shipped with the workbench (dir is "")
  None,        ///< nothing to use (a backbone with neither a folder nor an installed copy)
};
/// "configured", "installed", "embedded", "none".
const char* dataSourceName(DataSource source);

/// The answer: which folder, and why, in words for the log and for config.json's provenance.
struct DataResolution {
  std::string dir;  ///< absolute folder to read; "" for the embedded data (or none)
  DataSource source = DataSource::Embedded;
  std::string item;        ///< the catalogue item used ("snli", "wikitext2-raw"; Installed only)
  std::string note;        ///< one line for the log, e.g. "snli: the installed copy ... (full ...)"
  std::string provenance;  ///< e.g. "installed snli (DIR, installed_at T, from URL)", "embedded"
  std::string error;       ///< None only: why there is no folder, naming both ways to get one
  /// Wikitext-2 with `prefer_raw`: the files to read, "raw" or "tokens" ("" = data.format as
  /// configured), and whether that is the tokenized v1 instead of the raw corpus a recipe used.
  std::string format;
  bool v1_not_raw = false;
};

/// The catalogue item that holds `task`'s data in `format`: "wikitext2" (format auto / tokens),
/// "wikitext2-raw" (raw), "snli" (auto / jsonl / txt); "" when no item has that format (tsv).
/// `task` may be the alias "wikitext".
std::string taskDataItem(const std::string& task, const std::string& format);

/// The folder a run of `task` (data.task) with `data_dir` (data.dir, "" = none) and `format`
/// (data.format) reads. `home` is the installed items' folder ("" = fetchedDataDir()).
/// Throws InputError when the installed item it would use is damaged (a file missing, a size that
/// differs from MANIFEST.json, a file changed since its digests were last checked, or a failed
/// `gwb data verify`; the message names `gwb data verify NAME`), and when format "raw" finds
/// neither an installed wikitext2-raw nor raw files in the embedded data.
/// `prefer_raw` (a recipe's configuration with data.format auto, SPEC §8): for Wikitext-2 the raw
/// corpus the reproductions trained on where one is given (raw files in data_dir) or installed
/// (wikitext2-raw), else the tokenized v1 (data_dir's, the installed, the embedded), saying so in
/// `note` and setting v1_not_raw.
DataResolution resolveTaskData(const std::string& task, const std::string& data_dir,
                               const std::string& format, const std::string& home = "",
                               bool prefer_raw = false);

/// The DistilBERT folder (config.json, model.safetensors, vocab.txt) for model.backbone_dir
/// (`backbone_dir`, "" = none): that folder, else an installed distilbert-base-uncased, else
/// source None with `error` set (a run with backbone distilbert must stop with it). Throws
/// InputError for a damaged installed copy, as resolveTaskData does.
DataResolution resolveBackboneDir(const std::string& backbone_dir, const std::string& home = "");

}  // namespace gwb
