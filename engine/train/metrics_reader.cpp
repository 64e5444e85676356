// JSON lines back into events.
#include "engine/train/metrics_reader.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <tuple>

#include "engine/train/metrics_json.h"
#include "engine/util/error.h"

namespace gwb {
namespace {

using Json = nlohmann::json;

constexpr std::size_t kMaxWarnings = 5;  // the first few malformed lines are described

double number(const Json& j, const char* key) {
  const auto it = j.find(key);
  return it == j.end() || !it->is_number() ? NAN : it->get<double>();  // null: a non-finite value
}

// An integer field: integers as they are, integral floats within range converted, else 0 (a
// float such as 2e35 has no int64 value: converting it would be undefined).
std::int64_t toInteger(const Json& v) {
  if (v.is_number_integer()) return v.get<std::int64_t>();
  if (v.is_number_float()) {
    const double d = v.get<double>();
    if (std::isfinite(d) && std::abs(d) < 9.2e18) return static_cast<std::int64_t>(d);
  }
  return 0;
}

std::int64_t integer(const Json& j, const char* key) {
  const auto it = j.find(key);
  return it == j.end() ? 0 : toInteger(*it);
}

template <typename T>
std::vector<T> list(const Json& j, const char* key) {
  std::vector<T> out;
  const auto it = j.find(key);
  if (it == j.end() || !it->is_array()) return out;
  for (const auto& v : *it) {
    if constexpr (std::is_integral_v<T>) {
      out.push_back(toInteger(v));
    } else {
      out.push_back(v.is_number() ? v.get<T>() : static_cast<T>(NAN));
    }
  }
  return out;
}

void readBase(const Json& j, EventBase& e) {
  e.step = integer(j, "step");
  e.epoch = integer(j, "epoch");
  e.tokens = integer(j, "tokens");
  e.time = number(j, "time");
}

std::string text(const Json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

void addLine(const Json& j, MetricsEvents& out) {
  const std::string event = text(j, "event");
  if (event == "step") {
    StepEvent e;
    readBase(j, e);
    e.loss = number(j, "loss");
    e.lr = number(j, "lr");
    e.grad_norm = number(j, "grad_norm");
    e.tokens_per_s = number(j, "tokens_per_s");
    e.step_ms = number(j, "step_ms");
    out.steps.push_back(e);
  } else if (event == "eval") {
    EvalEvent e;
    readBase(j, e);
    e.split = text(j, "split");
    e.loss = number(j, "loss");
    e.ppl = number(j, "ppl");
    e.eval_tokens = integer(j, "eval_tokens");
    e.loss_by_position = list<double>(j, "loss_by_position");
    if (j.contains("accuracy")) {
      e.classification = true;
      e.accuracy = number(j, "accuracy");
      if (j.contains("per_class_accuracy"))
        e.per_class_accuracy = perClassAccuracyFromJson(j["per_class_accuracy"].dump());
      const auto it = j.find("confusion");
      if (it != j.end() && it->is_array()) {
        for (const auto& row : *it) {
          std::vector<std::int64_t> r;
          if (row.is_array()) {
            for (const auto& v : row)
              r.push_back(v.is_number_integer() ? v.get<std::int64_t>() : 0);
          }
          e.confusion.push_back(r);
        }
      }
      e.examples = integer(j, "examples");
      e.truncated = integer(j, "truncated");
    }
    out.evals.push_back(e);
  } else if (event == "alpha") {
    AlphaEvent e;
    readBase(j, e);
    e.layer = integer(j, "layer");
    e.edges = list<double>(j, "edges");
    e.counts = list<std::int64_t>(j, "counts");
    e.mean = number(j, "mean");
    e.share_above = number(j, "share_above_0.95");
    e.share_below = number(j, "share_below_0.05");
    out.alphas.push_back(e);
  } else if (event == "plucker") {
    PluckerEvent e;
    readBase(j, e);
    e.layer = integer(j, "layer");
    e.offset = integer(j, "offset");
    e.norm_edges = list<double>(j, "norm_edges");
    e.norm_counts = list<std::int64_t>(j, "norm_counts");
    e.angle_edges = list<double>(j, "angle_edges");
    e.angle_counts = list<std::int64_t>(j, "angle_counts");
    e.degenerate_share = number(j, "degenerate_share");
    e.effective_rank = number(j, "effective_rank");
    out.pluckers.push_back(e);
  } else if (event == "checkpoint") {
    CheckpointEvent e;
    readBase(j, e);
    e.kind = text(j, "kind");
    e.path = text(j, "path");
    out.checkpoints.push_back(e);
  } else if (event == "log") {
    LogEvent e;
    readBase(j, e);
    e.message = text(j, "message");
    out.logs.push_back(e);
  } else if (event == "finished") {
    FinishedEvent e;
    readBase(j, e);
    if (j.contains("summary")) e.summary = summaryFromJson(j["summary"].dump(), "metrics.jsonl");
    out.finished = e;
  } else if (event == "failed") {
    FailedEvent e;
    readBase(j, e);
    e.error = text(j, "error");
    out.failed = e;
  }
}

// Keeps the last of each key, ordered by step (stable for equal steps).
template <typename T, typename Key>
void keepLast(std::vector<T>& v, Key key) {
  std::map<decltype(key(v.front())), std::size_t> last;
  for (std::size_t i = 0; i < v.size(); ++i) last[key(v[i])] = i;
  std::vector<T> out;
  out.reserve(last.size());
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (last[key(v[i])] == i) out.push_back(v[i]);
  }
  std::stable_sort(out.begin(), out.end(), [](const T& a, const T& b) { return a.step < b.step; });
  v = std::move(out);
}

}  // namespace

bool MetricsEvents::empty() const {
  return steps.empty() && evals.empty() && alphas.empty() && pluckers.empty() &&
         checkpoints.empty() && logs.empty() && !finished && !failed && skipped_lines == 0;
}

void MetricsEvents::append(const MetricsEvents& more) {
  steps.insert(steps.end(), more.steps.begin(), more.steps.end());
  evals.insert(evals.end(), more.evals.begin(), more.evals.end());
  alphas.insert(alphas.end(), more.alphas.begin(), more.alphas.end());
  pluckers.insert(pluckers.end(), more.pluckers.begin(), more.pluckers.end());
  checkpoints.insert(checkpoints.end(), more.checkpoints.begin(), more.checkpoints.end());
  logs.insert(logs.end(), more.logs.begin(), more.logs.end());
  if (more.finished) finished = more.finished;
  if (more.failed) failed = more.failed;
  skipped_lines += more.skipped_lines;
  for (const std::string& w : more.warnings) {
    if (warnings.size() < kMaxWarnings) warnings.push_back(w);
  }
}

void MetricsEvents::dedupe() {
  if (!steps.empty()) keepLast(steps, [](const StepEvent& e) { return e.step; });
  if (!evals.empty())
    keepLast(evals, [](const EvalEvent& e) { return std::make_tuple(e.step, e.split); });
  if (!alphas.empty())
    keepLast(alphas, [](const AlphaEvent& e) { return std::make_tuple(e.step, e.layer); });
  if (!pluckers.empty()) {
    keepLast(pluckers,
             [](const PluckerEvent& e) { return std::make_tuple(e.step, e.layer, e.offset); });
  }
  if (!checkpoints.empty())
    keepLast(checkpoints, [](const CheckpointEvent& e) { return std::make_tuple(e.step, e.kind); });
}

std::size_t parseMetrics(std::string_view text, MetricsEvents& out, const std::string& source,
                         long first_line) {
  std::size_t start = 0;
  long line = first_line;
  while (start < text.size()) {
    const std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) break;  // incomplete last line: not yet written
    const std::string_view content = text.substr(start, end - start);
    if (!content.empty()) {
      std::string problem;
      try {
        const Json j = Json::parse(content);
        if (j.is_object()) {
          addLine(j, out);
        } else {
          problem = expectedGot("a JSON object", j.type_name());
        }
      } catch (const Json::exception& e) {
        problem = expectedGot("a JSON event", e.what());
      } catch (const InputError& e) {
        problem = e.detail();
      }
      if (!problem.empty()) {
        ++out.skipped_lines;
        if (out.warnings.size() < kMaxWarnings)
          out.warnings.push_back(InputError({source, line}, problem).what());
      }
    }
    start = end + 1;
    ++line;
  }
  return start;
}

MetricsEvents readMetricsFile(const std::string& path) {
  MetricsFollower follower(path);
  MetricsEvents events = follower.poll();
  events.dedupe();
  return events;
}

MetricsFollower::MetricsFollower(std::string path) : path_(std::move(path)) {}

MetricsEvents MetricsFollower::poll() {
  MetricsEvents out;
  std::ifstream in(path_, std::ios::binary);
  if (!in) return out;
  in.seekg(0, std::ios::end);
  const auto size = static_cast<std::uint64_t>(in.tellg());
  if (size < offset_) {  // rewritten: start again
    offset_ = 0;
    line_ = 1;
    ended_ = false;
  }
  if (size == offset_) return out;
  std::string text(size - offset_, '\0');
  in.seekg(static_cast<std::streamoff>(offset_));
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  const std::size_t used = parseMetrics(text, out, path_, line_);
  line_ += static_cast<long>(
      std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(used), '\n'));
  offset_ += used;
  if (out.finished || out.failed) ended_ = true;
  return out;
}

}  // namespace gwb
