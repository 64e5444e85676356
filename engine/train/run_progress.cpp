// RunProgressReader.
#include "engine/train/run_progress.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

namespace fs = std::filesystem;

namespace gwb {
namespace {

constexpr std::size_t kPaceWindow = 20;      ///< step events the pace is measured over
constexpr std::size_t kReadBlock = 1 << 20;  ///< bytes read from metrics.jsonl at a time

double numberOr(const nlohmann::json& o, const char* key, double fallback) {
  const auto it = o.find(key);
  return it != o.end() && it->is_number() ? it->get<double>() : fallback;
}

}  // namespace

RunProgressReader::RunProgressReader(std::string run_dir) : dir_(std::move(run_dir)) {}

void RunProgressReader::readLine(const std::string& line) {
  const nlohmann::json o = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (!o.is_object() || !o.contains("event") || !o["event"].is_string()) return;
  const std::string event = o["event"].get<std::string>();
  const auto step = static_cast<std::int64_t>(numberOr(o, "step", 0));
  if (event == "step") {
    progress_.step = step;
    progress_.time = numberOr(o, "time", progress_.time);
    recent_.push_back({step, progress_.time});
    if (recent_.size() > kPaceWindow) recent_.erase(recent_.begin());
  } else if (event == "eval" && o.value("split", std::string()) == "valid") {
    if (o.contains("ppl") && o["ppl"].is_number()) {
      const double v = o["ppl"].get<double>();
      progress_.best_metric = "valid_ppl";
      if (!progress_.best || v < *progress_.best) progress_.best = v;
    } else if (o.contains("accuracy") && o["accuracy"].is_number()) {
      const double v = o["accuracy"].get<double>();
      progress_.best_metric = "valid_accuracy";
      if (!progress_.best || v > *progress_.best) progress_.best = v;
    }
  } else if (event == "log" && o.value("message", std::string()).rfind("resumed", 0) == 0) {
    ++progress_.resumes;
    recent_.clear();  // the pace of the new process, not across the pause
    progress_.status.clear();
    progress_.error.clear();
  } else if (event == "finished") {
    const auto summary = o.find("summary");
    progress_.status = summary != o.end() && summary->is_object()
                           ? summary->value("status", std::string("finished"))
                           : std::string("finished");
  } else if (event == "failed") {
    progress_.status = "failed";
    progress_.error = o.value("error", std::string());
  }
}

RunProgress RunProgressReader::poll() {
  std::error_code ec;
  const fs::path dir(dir_);
  const fs::path metrics = dir / "metrics.jsonl";
  progress_.exists =
      fs::is_regular_file(dir / "config.json", ec) || fs::is_regular_file(metrics, ec);
  const auto size = fs::file_size(metrics, ec);
  if (!ec && size < offset_) {  // rewritten: start again
    const bool existed = progress_.exists;
    progress_ = RunProgress{};
    progress_.exists = existed;
    recent_.clear();
    offset_ = 0;
  }
  if (!ec && size > offset_) {
    // In blocks (a long run's probes make the file large); only complete lines count: a final
    // line without a newline is still being written.
    std::ifstream in(metrics, std::ios::binary);
    in.seekg(static_cast<std::streamoff>(offset_));
    std::string pending;
    std::vector<char> block(kReadBlock);
    std::uint64_t left = size - offset_;
    while (left > 0 && in) {
      in.read(block.data(),
              static_cast<std::streamsize>(std::min<std::uint64_t>(left, kReadBlock)));
      const auto got = static_cast<std::size_t>(in.gcount());
      if (got == 0) break;
      left -= got;
      pending.append(block.data(), got);
      std::size_t begin = 0;
      for (std::size_t nl; (nl = pending.find('\n', begin)) != std::string::npos; begin = nl + 1) {
        readLine(pending.substr(begin, nl - begin));
      }
      offset_ += begin;
      pending.erase(0, begin);
    }
  }
  RunProgress out = progress_;
  if (recent_.size() >= 2 && recent_.back().step > recent_.front().step) {
    out.seconds_per_step = (recent_.back().time - recent_.front().time) /
                           static_cast<double>(recent_.back().step - recent_.front().step);
  }
  // summary.json belongs to the last session that ended; while a resumed run trains it is stale.
  std::ifstream summary_file(dir / "summary.json", std::ios::binary);
  if (summary_file && !out.status.empty()) {
    const std::string text((std::istreambuf_iterator<char>(summary_file)),
                           std::istreambuf_iterator<char>());
    const nlohmann::json s = nlohmann::json::parse(text, nullptr, false);
    if (s.is_object()) {
      if (s.contains("error") && s["error"].is_string() && !s["error"].get<std::string>().empty())
        out.error = s["error"].get<std::string>();
      if (numberOr(s, "best_valid_ppl", 0) > 0) {
        out.best_metric = "valid_ppl";
        out.best = numberOr(s, "best_valid_ppl", 0);
      } else if (numberOr(s, "best_valid_accuracy", 0) > 0) {
        out.best_metric = "valid_accuracy";
        out.best = numberOr(s, "best_valid_accuracy", 0);
      }
    }
  }
  return out;
}

RunProgress readRunProgress(const std::string& run_dir) {
  RunProgressReader reader(run_dir);
  return reader.poll();
}

}  // namespace gwb
