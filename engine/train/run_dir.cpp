// Run directory creation and trainer_state.json.
#include "engine/train/run_dir.h"

#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "engine/util/error.h"
#include "engine/util/file_io.h"
#include "engine/util/paths.h"

namespace fs = std::filesystem;

namespace gwb {

std::string createRunDir(const std::string& runs_dir, const std::string& name) {
  std::error_code ec;
  fs::create_directories(runs_dir, ec);
  if (ec) throw InputError({runs_dir}, expectedGot("a writable runs folder", ec.message()));
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &utc);
  const std::string base = (fs::path(runs_dir) / (std::string(stamp) + "-" + name)).string();
  for (int n = 1; n < 10000; ++n) {
    const std::string dir = n == 1 ? base : base + "-" + std::to_string(n);
    if (fs::create_directory(dir, ec)) {  // atomic: fails if another run took the name
      fs::create_directory(dir + "/checkpoints", ec);
      return absolutePath(dir);
    }
    if (ec) throw InputError({dir}, expectedGot("a new run folder", ec.message()));
  }
  throw InputError({base}, expectedGot("a free run folder name", "10000 taken"));
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

void writeTrainerState(const std::string& path, const TrainerState& s) {
  nlohmann::ordered_json j;
  j["step"] = s.step;
  j["epoch"] = s.epoch;
  j["position"] = s.position;
  j["time"] = s.time;
  j["best_valid_ppl"] = s.best_valid_ppl;
  j["best_step"] = s.best_step;
  j["final_valid_ppl"] = s.final_valid_ppl;
  j["train_seconds"] = s.train_seconds;
  j["timed_tokens"] = s.timed_tokens;
  j["rng_cpu"] = s.rng_cpu;
  j["rng_cuda"] = s.rng_cuda;
  writeFileAtomic(path, j.dump(2) + "\n");
}

TrainerState readTrainerState(const std::string& path) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(readFileBytes(path));
  } catch (const nlohmann::json::parse_error& e) {
    throw InputError({path}, expectedGot("trainer state JSON", e.what()));
  }
  TrainerState s;
  try {
    s.step = j.at("step").get<std::int64_t>();
    s.epoch = j.at("epoch").get<std::int64_t>();
    s.position = j.at("position").get<std::int64_t>();
    s.time = j.at("time").get<double>();
    s.best_valid_ppl = j.at("best_valid_ppl").get<double>();
    s.best_step = j.at("best_step").get<std::int64_t>();
    s.final_valid_ppl = j.value("final_valid_ppl", 0.0);
    s.train_seconds = j.value("train_seconds", 0.0);
    s.timed_tokens = j.value("timed_tokens", std::int64_t{0});
    s.rng_cpu = j.at("rng_cpu").get<std::string>();
    s.rng_cuda = j.value("rng_cuda", std::string());
  } catch (const nlohmann::json::exception& e) {
    throw InputError(
        {path},
        expectedGot("step, epoch, position, time, best_valid_ppl, best_step, rng_cpu", e.what()));
  }
  return s;
}

}  // namespace gwb
