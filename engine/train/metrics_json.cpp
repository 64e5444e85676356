// Event <-> JSON with nlohmann::ordered_json, keys in the order CONTRACTS.md lists them.
#include "engine/train/metrics_json.h"

#include <cerrno>
#include <cmath>
#include <cstring>
#include <nlohmann/json.hpp>

#include "engine/util/error.h"

namespace gwb {
namespace {

using Json = nlohmann::ordered_json;

Json base(const char* event, const EventBase& e) {
  Json j;
  j["event"] = event;
  j["step"] = e.step;
  j["epoch"] = e.epoch;
  j["tokens"] = e.tokens;
  j["time"] = e.time;
  return j;
}

// JSON has no NaN or infinity: a non-finite number is written as null.
Json number(double v) { return std::isfinite(v) ? Json(v) : Json(nullptr); }

Json summaryJson(const RunSummary& s) {
  Json j;
  j["status"] = s.status;
  j["params"] = s.params;
  j["best_valid_ppl"] = number(s.best_valid_ppl);
  j["best_step"] = s.best_step;
  j["test_ppl"] = number(s.test_ppl);
  j["final_valid_ppl"] = number(s.final_valid_ppl);
  j["tokens_per_s"] = number(s.tokens_per_s);
  j["step_ms"] = number(s.step_ms);
  j["device"] = s.device;
  j["libtorch_version"] = s.libtorch_version;
  j["project_version"] = s.project_version;
  j["git_commit"] = s.git_commit;
  j["wall_s"] = number(s.wall_s);
  if (!s.error.empty()) j["error"] = s.error;
  return j;
}

}  // namespace

std::string toJsonLine(const StepEvent& e) {
  Json j = base("step", e);
  j["loss"] = number(e.loss);
  j["lr"] = e.lr;
  j["grad_norm"] = number(e.grad_norm);
  j["tokens_per_s"] = number(e.tokens_per_s);
  j["step_ms"] = number(e.step_ms);
  return j.dump();
}

std::string toJsonLine(const EvalEvent& e) {
  Json j = base("eval", e);
  j["split"] = e.split;
  j["loss"] = number(e.loss);
  j["ppl"] = number(e.ppl);
  j["eval_tokens"] = e.eval_tokens;
  Json positions = Json::array();
  for (double v : e.loss_by_position) positions.push_back(number(v));
  j["loss_by_position"] = positions;
  return j.dump();
}

std::string toJsonLine(const AlphaEvent& e) {
  Json j = base("alpha", e);
  j["layer"] = e.layer;
  j["edges"] = e.edges;
  j["counts"] = e.counts;
  j["mean"] = number(e.mean);
  j["share_above_0.95"] = number(e.share_above);
  j["share_below_0.05"] = number(e.share_below);
  return j.dump();
}

std::string toJsonLine(const PluckerEvent& e) {
  Json j = base("plucker", e);
  j["layer"] = e.layer;
  j["offset"] = e.offset;
  j["norm_edges"] = e.norm_edges;
  j["norm_counts"] = e.norm_counts;
  j["angle_edges"] = e.angle_edges;
  j["angle_counts"] = e.angle_counts;
  j["degenerate_share"] = number(e.degenerate_share);
  j["effective_rank"] = number(e.effective_rank);
  return j.dump();
}

std::string toJsonLine(const CheckpointEvent& e) {
  Json j = base("checkpoint", e);
  j["kind"] = e.kind;
  j["path"] = e.path;
  return j.dump();
}

std::string toJsonLine(const LogEvent& e) {
  Json j = base("log", e);
  j["message"] = e.message;
  return j.dump();
}

std::string toJsonLine(const FinishedEvent& e) {
  Json j = base("finished", e);
  j["summary"] = summaryJson(e.summary);
  return j.dump();
}

std::string toJsonLine(const FailedEvent& e) {
  Json j = base("failed", e);
  j["error"] = e.error;
  return j.dump();
}

std::string summaryToJson(const RunSummary& summary, int indent) {
  return summaryJson(summary).dump(indent);
}

RunSummary summaryFromJson(const std::string& text, const std::string& source) {
  Json j;
  try {
    j = Json::parse(text);
  } catch (const Json::parse_error& e) {
    throw InputError({source}, expectedGot("summary JSON", e.what()));
  }
  if (j.contains("summary")) j = j["summary"];
  RunSummary s;
  const auto num = [&](const char* key, double& out) {
    if (j.contains(key) && j[key].is_number()) out = j[key].get<double>();
  };
  const auto str = [&](const char* key, std::string& out) {
    if (j.contains(key) && j[key].is_string()) out = j[key].get<std::string>();
  };
  const auto integer = [&](const char* key, std::int64_t& out) {
    if (j.contains(key) && j[key].is_number()) out = j[key].get<std::int64_t>();
  };
  str("status", s.status);
  integer("params", s.params);
  num("best_valid_ppl", s.best_valid_ppl);
  integer("best_step", s.best_step);
  num("test_ppl", s.test_ppl);
  num("final_valid_ppl", s.final_valid_ppl);
  num("tokens_per_s", s.tokens_per_s);
  num("step_ms", s.step_ms);
  str("device", s.device);
  str("libtorch_version", s.libtorch_version);
  str("project_version", s.project_version);
  str("git_commit", s.git_commit);
  num("wall_s", s.wall_s);
  str("error", s.error);
  return s;
}

MetricsWriter::MetricsWriter(const std::string& path) : path_(path) {
  file_ = std::fopen(path.c_str(), "ab");
  if (!file_)
    throw InputError({path}, expectedGot("a writable metrics file", std::strerror(errno)));
  // A crash mid-write leaves a last line without a newline; end it so new lines stay whole.
  if (std::FILE* in = std::fopen(path.c_str(), "rb")) {
    if (std::fseek(in, -1, SEEK_END) == 0 && std::fgetc(in) != '\n') std::fputc('\n', file_);
    std::fclose(in);
  }
}

MetricsWriter::~MetricsWriter() {
  if (file_) std::fclose(file_);
}

void MetricsWriter::write(const std::string& line) {
  std::fwrite(line.data(), 1, line.size(), file_);
  std::fputc('\n', file_);
  std::fflush(file_);
}

}  // namespace gwb
