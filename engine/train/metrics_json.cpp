// Event <-> JSON with nlohmann::ordered_json, keys in the order CONTRACTS.md lists them.
#include "engine/train/metrics_json.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <nlohmann/json.hpp>

#include "engine/util/durable.h"
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

const char* const kClassNames[kClasses] = {"entailment", "neutral", "contradiction"};

// {"entailment": .., "neutral": .., "contradiction": ..} of a per-class vector.
Json perClass(const std::vector<double>& values) {
  Json j = Json::object();
  for (int k = 0; k < kClasses && k < static_cast<int>(values.size()); ++k)
    j[kClassNames[k]] = number(values[static_cast<std::size_t>(k)]);
  return j;
}

std::vector<double> perClassFrom(const Json& j) {
  std::vector<double> out;
  if (!j.is_object()) return out;
  for (const char* name : kClassNames) {
    const auto it = j.find(name);
    out.push_back(it != j.end() && it->is_number() ? it->get<double>() : NAN);
  }
  return out;
}

Json summaryJson(const RunSummary& s) {
  Json j;
  j["status"] = s.status;
  j["task"] = s.task;
  j["params"] = s.params;
  if (s.frozen_params > 0) j["frozen_params"] = s.frozen_params;
  if (s.task == "snli") {
    j["best_valid_accuracy"] = s.best_valid_accuracy >= 0 ? number(s.best_valid_accuracy) : Json();
    j["best_step"] = s.best_step;
    j["test_accuracy"] = s.test_accuracy >= 0 ? number(s.test_accuracy) : Json();
    j["test_per_class_accuracy"] =
        s.test_per_class_accuracy.empty() ? Json() : perClass(s.test_per_class_accuracy);
    j["final_valid_accuracy"] =
        s.final_valid_accuracy >= 0 ? number(s.final_valid_accuracy) : Json();
  } else {
    j["best_valid_ppl"] = number(s.best_valid_ppl);
    j["best_step"] = s.best_step;
    j["test_ppl"] = number(s.test_ppl);
    j["final_valid_ppl"] = number(s.final_valid_ppl);
  }
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
  if (e.classification) {
    j["accuracy"] = number(e.accuracy);
    j["per_class_accuracy"] = perClass(e.per_class_accuracy);
    j["confusion"] = e.confusion;
    j["examples"] = e.examples;
    j["truncated"] = e.truncated;
    return j.dump();
  }
  j["ppl"] = number(e.ppl);
  j["eval_tokens"] = e.eval_tokens;
  Json positions = Json::array();
  for (double v : e.loss_by_position) positions.push_back(number(v));
  j["loss_by_position"] = positions;
  return j.dump();
}

std::vector<double> perClassAccuracyFromJson(const std::string& text) {
  try {
    return perClassFrom(Json::parse(text));
  } catch (const Json::exception&) {
    return {};
  }
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
  } catch (const Json::exception& e) {  // also a number that overflows
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
    if (j.contains(key) && j[key].is_number_integer()) out = j[key].get<std::int64_t>();
  };
  str("status", s.status);
  str("task", s.task);
  if (s.task == "wikitext") s.task = "wikitext2";
  integer("params", s.params);
  integer("frozen_params", s.frozen_params);
  num("best_valid_accuracy", s.best_valid_accuracy);
  num("test_accuracy", s.test_accuracy);
  num("final_valid_accuracy", s.final_valid_accuracy);
  if (j.contains("test_per_class_accuracy"))
    s.test_per_class_accuracy = perClassFrom(j["test_per_class_accuracy"]);
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
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0)
    throw InputError({path}, expectedGot("a writable metrics file", std::strerror(errno)));
  // A crash mid-write leaves a last line without its newline: cut it, so that the next line
  // starts a line of its own (ending it with a newline would make it a malformed line).
  const off_t size = ::lseek(fd_, 0, SEEK_END);
  off_t keep = size;
  char buffer[4096];
  while (keep > 0) {
    const off_t from = std::max<off_t>(0, keep - static_cast<off_t>(sizeof buffer));
    const ssize_t n = ::pread(fd_, buffer, static_cast<std::size_t>(keep - from), from);
    if (n <= 0) break;
    const char* nl = static_cast<const char*>(memrchr(buffer, '\n', static_cast<std::size_t>(n)));
    if (nl) {
      keep = from + (nl - buffer) + 1;
      break;
    }
    keep = from;
  }
  if (keep < size) {
    if (::ftruncate(fd_, keep) != 0) {
      const std::string reason = std::strerror(errno);
      ::close(fd_);
      throw InputError({path},
                       expectedGot("a metrics file whose torn last line can be cut", reason));
    }
    cut_ = static_cast<std::size_t>(size - keep);
  }
}

MetricsWriter::~MetricsWriter() {
  if (fd_ >= 0) ::close(fd_);
}

void MetricsWriter::write(const std::string& line) {
  const WriteScope scope;
  std::string text = line;
  text += '\n';
  writeAll(fd_, text, path_);  // O_APPEND: one write(2) per line
}

void MetricsWriter::sync() {
  if (::fsync(fd_) != 0)
    throw InputError({path_}, expectedGot("a synced metrics file", std::strerror(errno)));
}

}  // namespace gwb
