// Run directory creation and trainer_state.json.
#include "engine/runs/run_dir.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "engine/util/durable.h"
#include "engine/util/error.h"
#include "engine/util/file_io.h"
#include "engine/util/paths.h"
#include "engine/util/utc_time.h"

namespace fs = std::filesystem;

namespace gwb {

namespace {

constexpr const char* kTmpRunPrefix = ".tmp-run-";

// A fresh temporary folder in `parent` holding config.json and checkpoints/.
std::string stageRunDir(const std::string& parent, const std::string& config_json) {
  std::string tmp = (fs::path(parent) / (std::string(kTmpRunPrefix) + "XXXXXX")).string();
  if (!::mkdtemp(tmp.data()))
    throw InputError({parent}, expectedGot("a writable runs folder", std::strerror(errno)));
  try {
    ::chmod(tmp.c_str(), 0755);
    writeFileAtomic(tmp + "/config.json", config_json);
    fs::create_directory(tmp + "/checkpoints");
    syncDirectory(tmp);
  } catch (const std::exception& e) {
    std::error_code ec;
    fs::remove_all(tmp, ec);
    throw;
  }
  return tmp;
}

// rename(2) that refuses to replace an existing entry (an empty folder included).
bool renameNoReplace(const std::string& from, const std::string& to) {
  if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) return true;
  if (errno != EINVAL && errno != ENOSYS) return false;
  // File systems without the flag (some NFS): rename(2) replaces only an empty folder, so a
  // folder another run has filled is never replaced.
  std::error_code ec;
  if (fs::exists(to, ec)) {
    errno = EEXIST;
    return false;
  }
  return ::rename(from.c_str(), to.c_str()) == 0;
}

}  // namespace

std::string createRunDir(const std::string& runs_dir, const std::string& name,
                         const std::string& config_json) {
  std::error_code ec;
  fs::create_directories(runs_dir, ec);
  if (ec) throw InputError({runs_dir}, expectedGot("a writable runs folder", ec.message()));
  const std::string base = (fs::path(runs_dir) / (utcNow(kFolderStamp) + "-" + name)).string();
  const WriteScope scope;
  const std::string tmp = stageRunDir(runs_dir, config_json);
  for (int n = 1; n < 10000; ++n) {
    const std::string dir = n == 1 ? base : base + "-" + std::to_string(n);
    if (renameNoReplace(tmp, dir)) {  // atomic: fails if another run took the name
      syncDirectory(runs_dir);
      return absolutePath(dir);
    }
    if (errno != EEXIST && errno != ENOTEMPTY) {
      const std::string reason = std::strerror(errno);
      fs::remove_all(tmp, ec);
      throw InputError({dir}, expectedGot("a new run folder", reason));
    }
  }
  fs::remove_all(tmp, ec);
  throw InputError({base}, expectedGot("a free run folder name", "10000 taken"));
}

void createRunDirAt(const std::string& dir, const std::string& config_json) {
  const fs::path target = fs::absolute(dir).lexically_normal();
  std::error_code ec;
  fs::create_directories(target.parent_path(), ec);
  if (ec) throw InputError({dir}, expectedGot("a writable parent folder", ec.message()));
  if (fs::is_directory(target, ec) && fs::is_empty(target, ec)) fs::remove(target, ec);
  const WriteScope scope;
  const std::string tmp = stageRunDir(target.parent_path().string(), config_json);
  if (!renameNoReplace(tmp, target.string())) {
    const std::string reason = std::strerror(errno);
    fs::remove_all(tmp, ec);
    throw InputError({dir}, expectedGot("a new or empty run folder", reason));
  }
  syncDirectory(target.parent_path().string());
}

int cleanRunsFolder(const std::string& runs_dir) {
  int removed = 0;
  std::error_code ec;
  const auto day_ago = fs::file_time_type::clock::now() - std::chrono::hours(24);
  for (const auto& entry : fs::directory_iterator(runs_dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(kTmpRunPrefix, 0) != 0 || !entry.is_directory(ec)) continue;
    if (entry.last_write_time(ec) > day_ago) continue;  // may be another process's, in progress
    fs::remove_all(entry.path(), ec);
    ++removed;
  }
  return removed;
}

std::string toHex(const std::string& bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

std::string fromHex(const std::string& hex, const std::string& source) {
  if (hex.size() % 2)
    throw InputError({source},
                     expectedGot("an even number of hex digits", std::to_string(hex.size())));
  const auto value = [&](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    throw InputError({source}, expectedGot("hex digits", std::string("'") + c + "'"));
  };
  std::string out(hex.size() / 2, '\0');
  for (std::size_t i = 0; i < out.size(); ++i)
    out[i] = static_cast<char>(value(hex[2 * i]) * 16 + value(hex[2 * i + 1]));
  return out;
}

std::string trainerStateToJson(const TrainerState& s) {
  nlohmann::ordered_json j;
  j["step"] = s.step;
  j["epoch"] = s.epoch;
  j["position"] = s.position;
  j["time"] = s.time;
  j["tokens"] = s.tokens;
  j["best_valid_ppl"] = s.best_valid_ppl;
  if (s.best_valid_loss) j["best_valid_loss"] = *s.best_valid_loss;
  j["best_valid_accuracy"] = s.best_valid_accuracy;
  j["best_step"] = s.best_step;
  j["final_valid_ppl"] = s.final_valid_ppl;
  j["final_valid_accuracy"] = s.final_valid_accuracy;
  j["train_seconds"] = s.train_seconds;
  j["timed_tokens"] = s.timed_tokens;
  j["timed_steps"] = s.timed_steps;
  j["rng_cpu"] = s.rng_cpu;
  j["rng_cuda"] = s.rng_cuda;
  return j.dump(2) + "\n";
}

TrainerState parseTrainerState(const std::string& text, const std::string& source) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {  // also a number that overflows
    throw InputError({source}, expectedGot("trainer state JSON", e.what()));
  }
  if (!j.is_object()) throw InputError({source}, expectedGot("a JSON object", j.type_name()));
  const auto bad = [&](const char* key, const std::string& expected) {
    const auto it = j.find(key);
    throw InputError({source, 0, key},
                     expectedGot(expected, it == j.end() ? "none" : it->dump().substr(0, 40)));
  };
  // Counts: integers in [0, 2^62] (required unless a default is given).
  const auto count = [&](const char* key, std::int64_t& out, bool required, std::int64_t lowest) {
    const auto it = j.find(key);
    if (it == j.end() && !required) return;
    if (it == j.end() || !it->is_number_integer()) bad(key, "an integer");
    const auto v = it->get<std::int64_t>();
    if (v < lowest || v > (std::int64_t{1} << 62))
      bad(key, "an integer in [" + std::to_string(lowest) + ", 2^62]");
    out = v;
  };
  const auto real = [&](const char* key, double& out, bool required, double lowest) {
    const auto it = j.find(key);
    if (it == j.end() && !required) return;
    if (it == j.end() || !it->is_number()) bad(key, "a number");
    const double v = it->get<double>();
    if (!std::isfinite(v) || v < lowest) bad(key, "a finite number >= " + std::to_string(lowest));
    out = v;
  };
  const auto hex = [&](const char* key, std::string& out, bool required) {
    const auto it = j.find(key);
    if (it == j.end() && !required) return;
    if (it == j.end() || !it->is_string()) bad(key, "a string of hex digits");
    out = it->get<std::string>();
    fromHex(out, source + ": " + key);  // validates
  };
  TrainerState s;
  count("step", s.step, true, 0);
  count("epoch", s.epoch, true, 0);
  count("position", s.position, true, 0);
  real("time", s.time, true, 0);
  count("tokens", s.tokens, false, -1);
  real("best_valid_ppl", s.best_valid_ppl, true, 0);
  if (j.contains("best_valid_loss")) {
    double loss = 0;
    real("best_valid_loss", loss, true, 0);
    s.best_valid_loss = loss;
  }
  real("best_valid_accuracy", s.best_valid_accuracy, false, -1);
  count("best_step", s.best_step, true, 0);
  real("final_valid_ppl", s.final_valid_ppl, false, 0);
  real("final_valid_accuracy", s.final_valid_accuracy, false, -1);
  real("train_seconds", s.train_seconds, false, 0);
  count("timed_tokens", s.timed_tokens, false, 0);
  count("timed_steps", s.timed_steps, false, 0);
  hex("rng_cpu", s.rng_cpu, true);
  hex("rng_cuda", s.rng_cuda, false);
  if (s.best_step > s.step) bad("best_step", "at most step " + std::to_string(s.step));
  return s;
}

TrainerState readTrainerState(const std::string& path) {
  return parseTrainerState(readFileBytes(path), path);
}

}  // namespace gwb
