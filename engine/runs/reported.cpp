// Loading and matching reported numbers.
#include "engine/runs/reported.h"

#include <algorithm>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <tuple>

#include "engine/config/tasks.h"
#include "engine/util/error.h"
#include "engine/util/file_io.h"
#include "engine/util/paths.h"

namespace gwb {
namespace {

using Json = nlohmann::json;

std::optional<double> optionalNumber(const Json& row, const char* key) {
  const auto it = row.find(key);
  if (it == row.end() || it->is_null()) return std::nullopt;
  return it->get<double>();
}

ReportedSnli::Numbers snliNumbers(const Json& j) {
  ReportedSnli::Numbers n;
  n.val = j.at("val").get<double>();
  n.test = j.at("test").get<double>();
  if (j.contains("test_per_class")) {
    for (int k = 0; k < kSnliClasses; ++k)
      n.test_per_class.push_back(j["test_per_class"].at(snliClassName(k)).get<double>());
  }
  return n;
}

}  // namespace

ReportedNumbers loadReportedNumbers(const std::string& path) {
  Json j;
  try {
    j = Json::parse(readFileBytes(path));
  } catch (const Json::exception& e) {  // also a number that overflows
    throw InputError({path}, expectedGot("reported numbers JSON", e.what()));
  }
  ReportedNumbers out;
  std::size_t row_index = 0;
  try {
    for (const auto& row : j.at("wikitext2")) {
      ReportedNumber n;
      n.source = row.at("source").get<std::string>();
      n.recipe = row.value("recipe", std::string());
      n.label = row.at("label").get<std::string>();
      n.metric = row.at("metric").get<std::string>();
      n.tokenizer = row.at("tokenizer").get<std::string>();
      n.n_layers = row.at("n_layers").get<std::int64_t>();
      n.seq_len = row.at("seq_len").get<std::int64_t>();
      if (row.contains("windows")) n.windows = row.at("windows").get<std::vector<std::int64_t>>();
      n.transformer = optionalNumber(row, "transformer");
      n.grassmann = optionalNumber(row, "grassmann");
      out.wikitext2.push_back(n);
      ++row_index;
    }
  } catch (const Json::exception& e) {
    throw InputError({path, 0, "wikitext2[" + std::to_string(row_index) + "]"},
                     expectedGot("source, recipe, label, metric, tokenizer, n_layers, seq_len, "
                                 "transformer and grassmann (a number or null)",
                                 e.what()));
  }
  row_index = 0;
  try {
    if (j.contains("snli")) {
      for (const auto& row : j.at("snli")) {
        ReportedSnli n;
        n.source = row.at("source").get<std::string>();
        n.label = row.at("label").get<std::string>();
        n.backbone = row.value("backbone", std::string("distilbert"));
        n.head_variant = row.value("head_variant", std::string("paper"));
        n.transformer = snliNumbers(row.at("transformer"));
        n.grassmann = snliNumbers(row.at("grassmann"));
        out.snli.push_back(n);
        ++row_index;
      }
    }
  } catch (const Json::exception& e) {
    throw InputError({path, 0, "snli[" + std::to_string(row_index) + "]"},
                     expectedGot("source, label, backbone, head_variant and the two models' "
                                 "val / test (test_per_class) percentages",
                                 e.what()));
  }
  return out;
}

const ReportedNumbers& reportedNumbers(std::string* error) {
  static std::once_flag once;
  static ReportedNumbers numbers;
  static std::string problem;
  std::call_once(once, [] {
    try {
      numbers = loadReportedNumbers(reportedNumbersPath());
    } catch (const std::exception& e) {
      problem = e.what();
    }
  });
  if (error) *error = problem;
  return numbers;
}

std::vector<ReportedMatch> matchReported(const std::vector<ReportedNumber>& numbers,
                                         const RunConfig& config) {
  if (canonicalTaskOrEmpty(config.data.task) != "wikitext2") return {};
  // Per (source, recipe, metric): the row whose schedule is the run's, else the first.
  std::map<std::tuple<std::string, std::string, std::string>, std::size_t> chosen;
  std::vector<std::size_t> order;
  for (std::size_t i = 0; i < numbers.size(); ++i) {
    const ReportedNumber& n = numbers[i];
    if (n.tokenizer != config.data.tokenizer || n.n_layers != config.model.n_layers ||
        n.seq_len != config.data.seq_len || !n.value(config.model.arch))
      continue;
    const auto key = std::make_tuple(n.source, n.recipe, n.metric);
    const auto it = chosen.find(key);
    if (it == chosen.end()) {
      chosen[key] = i;
      order.push_back(i);
    } else if (!n.windows.empty() && n.windows == config.model.windows &&
               numbers[it->second].windows != config.model.windows) {
      std::replace(order.begin(), order.end(), it->second, i);
      it->second = i;
    }
  }
  std::vector<ReportedMatch> out;
  for (const bool own : {true, false}) {
    for (const std::size_t i : order) {
      const ReportedNumber& n = numbers[i];
      const bool is_own = !config.recipe.empty() && n.recipe == config.recipe;
      if (is_own != own) continue;
      out.push_back({n, *n.value(config.model.arch), is_own});
    }
  }
  return out;
}

std::optional<ReportedSnli> matchReportedSnli(const std::vector<ReportedSnli>& numbers,
                                              const RunConfig& config) {
  if (canonicalTaskOrEmpty(config.data.task) != "snli" || !config.model.hasBackbone()) return {};
  for (const ReportedSnli& n : numbers) {
    if (n.backbone == config.model.backbone && n.head_variant == config.model.head_variant)
      return n;
  }
  return std::nullopt;
}

std::string corpusMark(const std::string& corpus) {
  return corpus == "v1" ? "v1, not the recipe's corpus" : "";
}

}  // namespace gwb
