// Reading a run directory incrementally.
#include "engine/runs/run_reader.h"

#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "engine/config/config_diff.h"
#include "engine/config/config_keys.h"
#include "engine/config/tasks.h"
#include "engine/runs/metrics_json.h"
#include "engine/runs/run_lock.h"
#include "engine/util/error.h"
#include "engine/util/file_io.h"
#include "engine/util/paths.h"

namespace fs = std::filesystem;

namespace gwb {
namespace {

constexpr std::size_t kReadBlock = 1 << 20;   // bytes of metrics.jsonl read at a time
constexpr std::int64_t kTail = 8192;          // bytes a light reader reads of its end
constexpr std::int64_t kRemoteTrainerS = 60;  // metrics grew this recently: someone trains it

std::int64_t steadySeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// <yyyymmdd-hhmmss>-... as UTC seconds, 0 if the name does not start so.
std::int64_t folderTime(const std::string& folder) {
  std::tm tm{};
  if (folder.size() < 15 || folder[8] != '-') return 0;
  if (std::sscanf(folder.c_str(), "%4d%2d%2d-%2d%2d%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
    return 0;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<std::int64_t>(timegm(&tm));
}

}  // namespace

RunNotes readRunNotes(const std::string& run_dir) {
  RunNotes notes;
  std::error_code ec;
  const std::string path = run_dir + "/notes.json";
  if (!fs::is_regular_file(path, ec)) return notes;
  try {
    const nlohmann::json j = nlohmann::json::parse(readFileBytes(path));
    if (j.contains("note") && j["note"].is_string()) notes.note = j["note"].get<std::string>();
    if (j.contains("tags") && j["tags"].is_array()) {
      for (const auto& t : j["tags"])
        if (t.is_string()) notes.tags.push_back(t.get<std::string>());
    }
    if (j.contains("display_name") && j["display_name"].is_string())
      notes.display_name = j["display_name"].get<std::string>();
    if (j.contains("color") && j["color"].is_string()) notes.color = j["color"].get<std::string>();
  } catch (const std::exception&) {
  }
  return notes;
}

void writeRunNotes(const std::string& run_dir, const RunNotes& notes) {
  nlohmann::ordered_json j;
  j["note"] = notes.note;
  j["tags"] = notes.tags;
  if (!notes.display_name.empty()) j["display_name"] = notes.display_name;
  if (!notes.color.empty()) j["color"] = notes.color;
  writeFileAtomic(run_dir + "/notes.json", j.dump(2) + "\n");
}

std::string RunRecord::name() const {
  return config && !config->name.empty() ? config->name : folder;
}

std::string RunRecord::task() const {
  return config ? canonicalTaskOrEmpty(config->data.task) : numbers.task();
}

std::optional<double> RunRecord::bestValid() const {
  if (ended() && summary) {
    if (classification()) return summary->best_valid_accuracy;
    if (summary->best_valid_ppl) return summary->best_valid_ppl;
  }
  if (const auto best = numbers.bestValid()) return best->value;
  return std::nullopt;
}

std::optional<std::int64_t> RunRecord::bestStep() const {
  if (ended() && summary && (summary->best_valid_ppl || summary->best_valid_accuracy))
    return summary->best_step;
  if (const auto best = numbers.bestValid()) return best->step;
  return std::nullopt;
}

std::optional<double> RunRecord::bestValidLoss() const {
  if (ended() && summary && summary->best_valid_loss) return summary->best_valid_loss;
  if (classification()) {
    if (const auto best = numbers.bestValid()) return best->token_loss;
    return std::nullopt;
  }
  return numbers.bestValidTokenLoss();
}

std::optional<double> RunRecord::test() const {
  if (ended() && summary) return classification() ? summary->test_accuracy : summary->test_ppl;
  return numbers.test();
}

std::vector<double> RunRecord::testPerClass() const {
  if (ended() && summary) return summary->test_per_class_accuracy;
  return numbers.testPerClass();
}

RunReader::RunReader(std::string dir, bool keep_events, bool light)
    : keep_events_(keep_events), light_(light) {
  record_.dir = absolutePath(dir);
  record_.folder = fs::path(record_.dir).filename().string();
  record_.started = folderTime(record_.folder);
}

RunReader::Stamp RunReader::stamp(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return {};
  return {static_cast<std::int64_t>(st.st_size),
          static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec};
}

void RunReader::readConfig() {
  const std::string path = record_.dir + "/config.json";
  record_.config.reset();
  record_.problem.clear();
  try {
    const std::string text = readFileBytes(path);
    record_.config = parseRunConfig(text, path);
    const nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_object()) {
      record_.config_sha256 = j.value("config_sha256", std::string());
      const nlohmann::json p = j.value("provenance", nlohmann::json::object());
      if (p.is_object()) {
        record_.precision = p.value("precision", std::string());
        record_.corpus = p.value("corpus", std::string());
        record_.device = p.value("device", std::string());
        if (p.contains("parameters") && p["parameters"].is_number_integer())
          record_.params = p["parameters"].get<std::int64_t>();
      }
    }
  } catch (const std::exception& e) {
    record_.problem = e.what();
  }
}

void RunReader::readSummary() {
  const std::string path = record_.dir + "/summary.json";
  record_.summary.reset();
  if (summary_.size < 0) return;
  try {
    record_.summary = summaryFromJson(readFileBytes(path), path);
    if (record_.summary->params > 0) record_.params = record_.summary->params;
  } catch (const std::exception& e) {
    record_.problem = e.what();
  }
}

void RunReader::readMetrics(std::int64_t size) {
  const std::string path = record_.dir + "/metrics.jsonl";
  if (static_cast<std::uint64_t>(size) < offset_) {  // rewritten: start again
    offset_ = 0;
    line_ = 1;
    record_.numbers = RunNumbers{};
    record_.skipped_lines = 0;
    record_.warnings.clear();
    events_ = MetricsEvents{};
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return;
  in.seekg(static_cast<std::streamoff>(offset_));
  std::string pending;
  std::vector<char> block(kReadBlock);
  std::uint64_t left = static_cast<std::uint64_t>(size) - offset_;
  while (left > 0 && in) {
    in.read(block.data(), static_cast<std::streamsize>(std::min<std::uint64_t>(left, kReadBlock)));
    const auto got = static_cast<std::size_t>(in.gcount());
    if (got == 0) break;
    left -= got;
    pending.append(block.data(), got);
    MetricsEvents chunk;
    const std::size_t used = parseMetrics(pending, chunk, path, line_);
    line_ += static_cast<long>(std::count(pending.begin(), pending.begin() + used, '\n'));
    offset_ += used;
    pending.erase(0, used);
    record_.numbers.add(chunk);
    record_.skipped_lines += chunk.skipped_lines;
    for (const std::string& w : chunk.warnings)
      if (record_.warnings.size() < 5) record_.warnings.push_back(w);
    if (keep_events_) {
      events_.append(chunk);
      new_.append(chunk);
    }
  }
  if (keep_events_) events_.dedupe();
}

void RunReader::readTail(std::int64_t size) {
  // The run ended with its summary: the step of the last event is all the list needs of it.
  std::ifstream in(record_.dir + "/metrics.jsonl", std::ios::binary);
  if (!in) return;
  const std::int64_t from = std::max<std::int64_t>(0, size - kTail);
  in.seekg(from);
  std::string text(static_cast<std::size_t>(size - from), '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (from > 0) {  // drop the partial first line
    const std::size_t nl = text.find('\n');
    text.erase(0, nl == std::string::npos ? text.size() : nl + 1);
  }
  MetricsEvents tail;
  parseMetrics(text, tail, record_.dir + "/metrics.jsonl");
  record_.numbers = RunNumbers{};
  record_.numbers.add(tail);
  offset_ = static_cast<std::uint64_t>(size);
}

void RunReader::updateStatus(bool grew) {
  std::error_code ec;
  if (!fs::is_directory(record_.dir, ec)) {
    record_.status = RunStatus::Deleted;
    return;
  }
  if (grew) last_growth_ = steadySeconds();
  const std::string& ended = record_.numbers.endedAs();
  if (RunLock::isHeld(record_.dir)) {
    record_.status = RunStatus::Running;
  } else if (record_.light && record_.summary) {
    record_.status = record_.summary->status == "failed"    ? RunStatus::Failed
                     : record_.summary->status == "stopped" ? RunStatus::Stopped
                                                            : RunStatus::Finished;
  } else if (!ended.empty()) {  // the events' own end of the last session
    record_.status = ended == "failed"    ? RunStatus::Failed
                     : ended == "stopped" ? RunStatus::Stopped
                                          : RunStatus::Finished;
  } else if (last_growth_ > 0 && steadySeconds() - last_growth_ < kRemoteTrainerS) {
    record_.status = RunStatus::Running;  // a trainer elsewhere (a shared file system)
  } else if (record_.summary && (record_.numbers.empty() || record_.summary->wall_s <= 0 ||
                                 record_.numbers.latestTime() <= record_.summary->wall_s + 1e-6)) {
    // Its summary covers every event read, or does not say how far it got (a run written
    // without its end events, a summary made by hand): the summary's word.
    record_.status = record_.summary->status == "failed"    ? RunStatus::Failed
                     : record_.summary->status == "stopped" ? RunStatus::Stopped
                                                            : RunStatus::Finished;
  } else if (!record_.config && !record_.problem.empty()) {
    record_.status = RunStatus::Unreadable;
  } else {
    record_.status = RunStatus::Killed;  // events but no end, nobody training it: resumable
  }
}

bool RunReader::poll() {
  const RunStatus old_status = record_.status;
  bool changed = false;
  const Stamp config = stamp(record_.dir + "/config.json");
  if (config != config_) {
    config_ = config;
    readConfig();
    // A folder without its time in the name (gwb train --run-dir): config.json is written when
    // the run starts (a list showed metrics.jsonl's last change as the start).
    if (folderTime(record_.folder) == 0 && config.mtime_ns > 0)
      record_.started = config.mtime_ns / 1000000000;
    changed = true;
  }
  const Stamp summary = stamp(record_.dir + "/summary.json");
  if (summary != summary_) {
    summary_ = summary;
    readSummary();
    changed = true;
  }
  const Stamp notes = stamp(record_.dir + "/notes.json");
  if (notes != notes_) {
    notes_ = notes;
    record_.notes = readRunNotes(record_.dir);
    changed = true;
  }
  const Stamp metrics = stamp(record_.dir + "/metrics.jsonl");
  const bool grew = metrics_.size >= 0 && metrics.size > metrics_.size;
  // A list reads only the end of a run that ended with its summary; all of it otherwise, and from
  // the start once such a run trains again (here, or elsewhere: its file grows).
  const bool light = light_ && !keep_events_ && record_.summary && !(record_.light && grew) &&
                     !RunLock::isHeld(record_.dir);
  if (record_.light && !light) {
    record_.light = false;
    offset_ = 0;
    line_ = 1;
    record_.numbers = RunNumbers{};
    metrics_ = Stamp{};  // read it all below
  }
  if (metrics != metrics_) {
    metrics_ = metrics;
    record_.modified = metrics.mtime_ns / 1000000000;
    if (metrics.size >= 0) {
      if (light && (record_.light || offset_ == 0)) {
        record_.light = true;
        readTail(metrics.size);
      } else {
        readMetrics(metrics.size);
      }
    }
    changed = true;
  }
  updateStatus(grew);
  return changed || record_.status != old_status;
}

MetricsEvents RunReader::takeNew() {
  MetricsEvents out = std::move(new_);
  new_ = MetricsEvents{};
  out.dedupe();
  return out;
}

RunRecord readRun(const std::string& dir) {
  RunReader reader(dir);
  reader.poll();
  return reader.record();
}

std::vector<std::pair<std::string, std::string>> differsFromSameName(
    const std::vector<const RunRecord*>& records) {
  std::map<std::string, std::vector<const RunRecord*>> by_name;
  for (const RunRecord* r : records)
    if (r->config) by_name[r->name()].push_back(r);
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [name, group] : by_name) {
    if (group.size() < 2) continue;
    // A run differs from another of its name in a key exactly where the group holds more than
    // one value of it: one pass over the group (a thousand copies of one preset compared pair by
    // pair took seconds).
    std::vector<std::map<std::string, std::string>> flat;
    flat.reserve(group.size());
    for (const RunRecord* r : group) flat.push_back(flattenConfig(*r->config));
    std::vector<std::string> varying;  // in the key table's order
    for (const ConfigKey& key : configKeys()) {
      const std::string& k = key.path;
      if (k == "name" || k == "description" || k == "train.device" || k == "train.threads")
        continue;
      const auto first = flat.front().find(k);
      for (std::size_t i = 1; i < flat.size(); ++i) {
        const auto other = flat[i].find(k);
        if ((other == flat[i].end()) != (first == flat.front().end()) ||
            (other != flat[i].end() && other->second != first->second)) {
          varying.push_back(k);
          break;
        }
      }
    }
    for (std::size_t i = 0; i < group.size(); ++i) {
      std::string text;
      for (const std::string& k : varying) {
        const auto v = flat[i].find(k);
        if (v != flat[i].end()) text += (text.empty() ? "" : ", ") + k + "=" + v->second;
      }
      out.emplace_back(group[i]->dir, text);
    }
  }
  return out;
}

}  // namespace gwb
