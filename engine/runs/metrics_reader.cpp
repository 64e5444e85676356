// JSON lines back into events, by the field lists of event_fields.h.
#include "engine/runs/metrics_reader.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <tuple>

#include "engine/runs/metrics_json.h"
#include "engine/runs/metrics_parse.h"
#include "engine/util/error.h"

namespace gwb {
namespace {

using Json = nlohmann::json;

constexpr std::size_t kMaxWarnings = 5;  // the first few malformed lines are described

// Runs written before the `spike` and `resumed` events said both in log sentences ("resumed at
// step 40", "loss spike at step 12: 7.3 (z-score 6.1)"): read them as those events.
void olderLogEvent(const LogEvent& log, MetricsEvents& out) {
  const std::string& m = log.message;
  long long step = 0;
  double value = 0, z = 0;
  if (m.rfind("resumed at step ", 0) == 0 &&
      std::sscanf(m.c_str(), "resumed at step %lld", &step) == 1) {
    ResumedEvent e;
    static_cast<EventBase&>(e) = log;
    e.from_step = step;
    out.resumes.push_back(e);
    return;
  }
  for (const char* what : {"loss", "gradient norm"}) {
    const std::string prefix = std::string(what) + " spike at step ";
    if (m.rfind(prefix, 0) != 0) continue;
    if (std::sscanf(m.c_str() + prefix.size(), "%lld: %lf (z-score %lf)", &step, &value, &z) != 3)
      return;
    SpikeEvent e;
    static_cast<EventBase&>(e) = log;
    e.step = step;
    const bool loss = std::string(what) == "loss";
    e.what = loss ? "loss" : "grad_norm";
    e.loss = loss ? value : NAN;
    e.grad_norm = loss ? NAN : value;
    e.ema = e.ratio = NAN;
    e.z = z;
    out.spikes.push_back(e);
    return;
  }
}

template <typename E>
E read(const Json& j) {
  E e;
  detail::Reader r{j};
  detail::fields(r, e);
  return e;
}

void addLine(const Json& j, MetricsEvents& out) {
  const auto it = j.find("event");
  if (it == j.end() || !it->is_string()) return;
  const std::string event = it->get<std::string>();
  if (event == "step") {
    out.steps.push_back(read<StepEvent>(j));
  } else if (event == "eval") {
    EvalEvent e;
    e.classification = j.contains("accuracy");
    detail::Reader r{j};
    detail::fields(r, e);
    out.evals.push_back(e);
  } else if (event == "alpha") {
    out.alphas.push_back(read<AlphaEvent>(j));
  } else if (event == "plucker") {
    out.pluckers.push_back(read<PluckerEvent>(j));
  } else if (event == "checkpoint") {
    out.checkpoints.push_back(read<CheckpointEvent>(j));
  } else if (event == "log") {
    out.logs.push_back(read<LogEvent>(j));
    olderLogEvent(out.logs.back(), out);
  } else if (event == "spike") {
    out.spikes.push_back(read<SpikeEvent>(j));
    if (out.spikes.back().what.empty()) out.spikes.back().what = "loss";
  } else if (event == "resumed") {
    out.resumes.push_back(read<ResumedEvent>(j));
  } else if (event == "finished") {
    FinishedEvent e;
    detail::Reader r{j};
    detail::baseFields(r, e);
    const auto s = j.find("summary");
    if (s != j.end() && s->is_object()) e.summary = detail::readSummary(*s);
    out.finished = e;
  } else if (event == "failed") {
    out.failed = read<FailedEvent>(j);
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
         checkpoints.empty() && logs.empty() && spikes.empty() && resumes.empty() && !finished &&
         !failed && skipped_lines == 0;
}

void MetricsEvents::append(const MetricsEvents& more) {
  steps.insert(steps.end(), more.steps.begin(), more.steps.end());
  evals.insert(evals.end(), more.evals.begin(), more.evals.end());
  alphas.insert(alphas.end(), more.alphas.begin(), more.alphas.end());
  pluckers.insert(pluckers.end(), more.pluckers.begin(), more.pluckers.end());
  checkpoints.insert(checkpoints.end(), more.checkpoints.begin(), more.checkpoints.end());
  logs.insert(logs.end(), more.logs.begin(), more.logs.end());
  spikes.insert(spikes.end(), more.spikes.begin(), more.spikes.end());
  resumes.insert(resumes.end(), more.resumes.begin(), more.resumes.end());
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
  if (!spikes.empty())
    keepLast(spikes, [](const SpikeEvent& e) { return std::make_tuple(e.step, e.what); });
  if (!resumes.empty()) {  // the event and the sentence of one resume: keep the event (first)
    std::vector<ResumedEvent> unique;
    for (const ResumedEvent& r : resumes) {
      if (unique.empty() || unique.back().from_step != r.from_step) unique.push_back(r);
    }
    resumes = std::move(unique);
  }
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
