// Event -> JSON by the field lists of event_fields.h (nlohmann::ordered_json, keys in the
// contract's order); the writer observer.
#include "engine/runs/metrics_json.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <nlohmann/json.hpp>

#include "engine/runs/event_fields.h"
#include "engine/runs/metrics_parse.h"
#include "engine/util/durable.h"
#include "engine/util/error.h"

namespace gwb {
namespace {

using Json = nlohmann::ordered_json;

// JSON has no NaN or infinity: a non-finite number is written as null.
Json number(double v) { return std::isfinite(v) ? Json(v) : Json(nullptr); }

// Writes each visited field into `out`. In summary.json a missing value is null and a few keys
// are left out when empty; in an event a missing optional value is left out.
struct Writer {
  Json& out;
  bool summary = false;

  void operator()(const char* key, const double& v) { out[key] = number(v); }
  void operator()(const char* key, const std::int64_t& v) {
    if (summary && v == 0 && std::strcmp(key, "frozen_params") == 0) return;
    out[key] = v;
  }
  void operator()(const char* key, const std::string& v) {
    if (summary && v.empty() && (!std::strcmp(key, "recipe") || !std::strcmp(key, "error"))) return;
    out[key] = v;
  }
  void operator()(const char* key, const std::optional<double>& v) {
    if (v) {
      out[key] = number(*v);
    } else if (summary) {
      out[key] = nullptr;
    }
  }
  void operator()(const char* key, const std::vector<double>& v) {
    Json a = Json::array();
    for (const double x : v) a.push_back(number(x));
    out[key] = a;
  }
  void operator()(const char* key, const std::vector<std::int64_t>& v) { out[key] = v; }
  void operator()(const char* key, const std::vector<std::vector<std::int64_t>>& v) {
    out[key] = v;
  }
  void operator()(const char* key, const detail::PerClass& v) {
    if (v.values.empty() && summary) {
      out[key] = nullptr;
      return;
    }
    Json j = Json::object();
    for (int k = 0; k < kClasses && k < static_cast<int>(v.values.size()); ++k)
      j[snliClassName(k)] = number(v.values[static_cast<std::size_t>(k)]);
    out[key] = j;
  }
};

template <typename E>
std::string line(const char* event, const E& e) {
  Json j;
  j["event"] = event;
  Writer w{j};
  detail::fields(w, const_cast<E&>(e));  // the writer only reads
  return j.dump();
}

Json summaryJson(const RunSummary& s) {
  Json j;
  Writer w{j, /*summary=*/true};
  detail::fields(w, const_cast<RunSummary&>(s));
  return j;
}

}  // namespace

std::string toJsonLine(const StepEvent& e) { return line("step", e); }
std::string toJsonLine(const EvalEvent& e) { return line("eval", e); }
std::string toJsonLine(const AlphaEvent& e) { return line("alpha", e); }
std::string toJsonLine(const PluckerEvent& e) { return line("plucker", e); }
std::string toJsonLine(const CheckpointEvent& e) { return line("checkpoint", e); }
std::string toJsonLine(const LogEvent& e) { return line("log", e); }
std::string toJsonLine(const SpikeEvent& e) { return line("spike", e); }
std::string toJsonLine(const ResumedEvent& e) { return line("resumed", e); }
std::string toJsonLine(const FailedEvent& e) { return line("failed", e); }

std::string toJsonLine(const FinishedEvent& e) {
  Json j;
  j["event"] = "finished";
  Writer w{j};
  detail::baseFields(w, const_cast<FinishedEvent&>(e));
  j["summary"] = summaryJson(e.summary);
  return j.dump();
}

std::string summaryToJson(const RunSummary& summary, int indent) {
  return summaryJson(summary).dump(indent);
}

RunSummary summaryFromJson(const std::string& text, const std::string& source) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {  // also a number that overflows
    throw InputError({source}, expectedGot("summary JSON", e.what()));
  }
  if (j.contains("summary")) j = j["summary"];
  if (!j.is_object()) throw InputError({source}, expectedGot("a summary object", j.type_name()));
  return detail::readSummary(j);
}

std::vector<double> perClassAccuracyFromJson(const std::string& text) {
  try {
    return detail::perClassFrom(nlohmann::json::parse(text));
  } catch (const nlohmann::json::exception&) {
    return {};
  }
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
