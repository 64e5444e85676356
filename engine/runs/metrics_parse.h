// Internal to engine/runs: JSON -> event by the field lists of event_fields.h, tolerant of what a
// crash, an older version or another writer may leave (a null for a non-finite number, a missing
// field, a float where an integer belongs). Shared by metrics_reader.cpp and metrics_json.cpp.
#pragma once

#include <cmath>
#include <cstring>
#include <nlohmann/json.hpp>

#include "engine/runs/event_fields.h"

namespace gwb::detail {

/// An integer field: integers as they are, integral floats within range converted, else 0 (a
/// float such as 2e35 has no int64 value: converting it would be undefined).
inline std::int64_t toInteger(const nlohmann::json& v) {
  if (v.is_number_integer()) return v.get<std::int64_t>();
  if (v.is_number_float()) {
    const double d = v.get<double>();
    if (std::isfinite(d) && std::abs(d) < 9.2e18) return static_cast<std::int64_t>(d);
  }
  return 0;
}

/// A per-class object ({"entailment": .., ...}) in class order (NaN for a missing class; empty if
/// `j` is not an object).
inline std::vector<double> perClassFrom(const nlohmann::json& j) {
  std::vector<double> out;
  if (!j.is_object()) return out;
  for (int k = 0; k < kClasses; ++k) {
    const auto it = j.find(snliClassName(k));
    out.push_back(it != j.end() && it->is_number() ? it->get<double>() : NAN);
  }
  return out;
}

/// Reads each visited field of `in`. Events: a missing or null number is NaN (no value), a missing
/// integer 0. summary.json (`summary`): a missing field keeps its default.
struct Reader {
  const nlohmann::json& in;
  bool summary = false;

  const nlohmann::json* find(const char* key) const {
    const auto it = in.find(key);
    return it == in.end() ? nullptr : &*it;
  }
  void operator()(const char* key, double& v) const {
    const nlohmann::json* j = find(key);
    if (j && j->is_number()) {
      v = j->get<double>();
    } else if (!summary) {
      v = NAN;
    }
  }
  void operator()(const char* key, std::int64_t& v) const {
    if (const nlohmann::json* j = find(key)) v = toInteger(*j);
  }
  void operator()(const char* key, std::string& v) const {
    const nlohmann::json* j = find(key);
    if (j && j->is_string()) v = j->get<std::string>();
  }
  void operator()(const char* key, std::optional<double>& v) const {
    const nlohmann::json* j = find(key);
    if (j && j->is_number()) v = j->get<double>();
  }
  void operator()(const char* key, std::vector<double>& v) const {
    v.clear();
    const nlohmann::json* j = find(key);
    if (!j || !j->is_array()) return;
    for (const auto& x : *j) v.push_back(x.is_number() ? x.get<double>() : NAN);
  }
  void operator()(const char* key, std::vector<std::int64_t>& v) const {
    v.clear();
    const nlohmann::json* j = find(key);
    if (!j || !j->is_array()) return;
    for (const auto& x : *j) v.push_back(toInteger(x));
  }
  void operator()(const char* key, std::vector<std::vector<std::int64_t>>& v) const {
    v.clear();
    const nlohmann::json* j = find(key);
    if (!j || !j->is_array()) return;
    for (const auto& row : *j) {
      std::vector<std::int64_t> r;
      if (row.is_array())
        for (const auto& x : row) r.push_back(x.is_number_integer() ? x.get<std::int64_t>() : 0);
      v.push_back(r);
    }
  }
  void operator()(const char* key, PerClass& v) const {
    if (const nlohmann::json* j = find(key)) v.values = perClassFrom(*j);
  }
};

/// summary.json (or a finished event's summary) into a RunSummary. Older summaries wrote 0 for
/// a perplexity and -1 for an accuracy not measured: both read as missing.
inline RunSummary readSummary(const nlohmann::json& j) {
  RunSummary s;
  Reader r{j, /*summary=*/true};
  r("task", s.task);
  if (s.task == "wikitext") s.task = "wikitext2";
  fields(r, s);
  if (s.task == "wikitext") s.task = "wikitext2";
  for (std::optional<double>* ppl : {&s.best_valid_ppl, &s.test_ppl, &s.final_valid_ppl})
    if (*ppl && !(**ppl > 0)) ppl->reset();
  for (std::optional<double>* acc :
       {&s.best_valid_accuracy, &s.test_accuracy, &s.final_valid_accuracy})
    if (*acc && !(**acc >= 0)) acc->reset();
  for (std::optional<double>* rate : {&s.tokens_per_s, &s.step_ms})
    if (*rate && !(**rate > 0)) rate->reset();
  if (!s.test_per_class_accuracy.empty() &&
      std::all_of(s.test_per_class_accuracy.begin(), s.test_per_class_accuracy.end(),
                  [](double v) { return std::isnan(v); }))
    s.test_per_class_accuracy.clear();
  return s;
}

}  // namespace gwb::detail
