// Reading runs, matching reported numbers, grouping and formatting.
#include "engine/report/report.h"

#include "engine/report/report_format.h"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

#include "engine/train/metrics_json.h"
#include "engine/util/error.h"
#include "engine/util/file_io.h"

namespace fs = std::filesystem;

namespace gwb {
namespace {

using Json = nlohmann::ordered_json;
using namespace report_format;

// Our number on the reference's metric: the best validation PPL, or the test PPL.
double ours(const ReportRow& row, const std::string& metric) {
  return metric == "test_ppl" ? row.test_ppl.mean : row.best_valid_ppl.mean;
}

const char* kSources[] = {"paper", "reproduction", "arledge"};

}  // namespace

std::string configGroupKey(const RunConfig& config) {
  RunConfig c = config;
  c.name.clear();
  c.description.clear();
  c.seed = 0;
  c.train.device.clear();
  c.train.threads = 0;
  return runConfigToJson(c, -1);
}

std::string configLabel(const std::string& arch, std::int64_t n_layers, std::int64_t seq_len,
                        const std::string& tokenizer) {
  return arch + " N" + std::to_string(n_layers) + " L" + std::to_string(seq_len) + " " + tokenizer;
}

RunRecord readRunRecord(const std::string& dir) {
  RunRecord record;
  record.dir = dir;
  const std::string config = (fs::path(dir) / "config.json").string();
  if (!fs::is_regular_file(config)) {
    throw InputError({dir},
                     expectedGot("a run directory (config.json, metrics.jsonl)", "no config.json"));
  }
  record.config = loadRunConfig(config);
  const std::string summary = (fs::path(dir) / "summary.json").string();
  if (fs::is_regular_file(summary)) {
    record.summary = summaryFromJson(readFileBytes(summary), summary);
    record.has_summary = true;
  }
  return record;
}

std::vector<ReportedNumber> loadReportedNumbers(const std::string& path) {
  Json j;
  try {
    j = Json::parse(readFileBytes(path));
  } catch (const Json::exception& e) {  // also a number that overflows
    throw InputError({path}, expectedGot("reported numbers JSON", e.what()));
  }
  std::vector<ReportedNumber> out;
  try {
    for (const auto& row : j.at("wikitext2")) {
      ReportedNumber n;
      n.source = row.at("source");
      n.label = row.at("label");
      n.metric = row.at("metric");
      n.tokenizer = row.at("tokenizer");
      n.n_layers = row.at("n_layers");
      n.seq_len = row.at("seq_len");
      if (row.contains("windows")) n.windows = row.at("windows").get<std::vector<std::int64_t>>();
      n.transformer = row.at("transformer");
      n.grassmann = row.at("grassmann");
      out.push_back(n);
    }
  } catch (const Json::exception& e) {
    throw InputError({path, 0, "wikitext2"},
                     expectedGot("rows of source, label, metric, tokenizer, n_layers, "
                                 "seq_len, transformer, grassmann",
                                 e.what()));
  }
  return out;
}

std::optional<ReportedNumber> matchReported(const std::vector<ReportedNumber>& numbers,
                                            const std::string& source, const RunConfig& config) {
  std::optional<ReportedNumber> first;
  for (const ReportedNumber& n : numbers) {
    if (n.source != source || n.tokenizer != config.data.tokenizer ||
        n.n_layers != config.model.n_layers || n.seq_len != config.data.seq_len) {
      continue;
    }
    if (!n.windows.empty() && n.windows == config.model.windows) return n;
    if (!first) first = n;
  }
  return first;
}

Stat statOf(const std::vector<double>& values) {
  Stat s;
  for (double v : values) {
    if (!std::isfinite(v) || v == 0) continue;
    s.mean += v;
    ++s.n;
  }
  if (s.n == 0) return s;
  s.mean /= s.n;
  if (s.n > 1) {
    double sq = 0;
    for (double v : values) {
      if (std::isfinite(v) && v != 0) sq += (v - s.mean) * (v - s.mean);
    }
    s.std = std::sqrt(sq / (s.n - 1));
  }
  return s;
}

std::vector<ReportRow> buildReport(const std::vector<RunRecord>& runs,
                                   const std::vector<ReportedNumber>& numbers) {
  std::vector<std::string> order;
  std::map<std::string, std::vector<const RunRecord*>> groups;
  for (const RunRecord& run : runs) {
    if (run.config.data.isSnli()) continue;  // snli_report.h
    const std::string key = configGroupKey(run.config);
    if (!groups.count(key)) order.push_back(key);
    groups[key].push_back(&run);
  }
  std::vector<ReportRow> rows;
  for (const std::string& key : order) {
    const auto& members = groups[key];
    const RunConfig& c = members.front()->config;
    ReportRow row;
    row.arch = c.model.arch;
    row.n_layers = c.model.n_layers;
    row.seq_len = c.data.seq_len;
    row.tokenizer = c.data.tokenizer;
    row.name = c.name;
    std::vector<double> valid, test, speed;
    for (const RunRecord* r : members) {
      row.seeds.push_back(r->config.seed);
      row.run_dirs.push_back(r->dir);
      row.in_progress += r->in_progress;
      if (r->summary.params) row.params = r->summary.params;
      valid.push_back(r->summary.best_valid_ppl);
      test.push_back(r->summary.test_ppl);
      speed.push_back(r->summary.tokens_per_s);
    }
    row.best_valid_ppl = statOf(valid);
    row.test_ppl = statOf(test);
    row.tokens_per_s = statOf(speed);
    for (const char* source : kSources) {
      if (const auto n = matchReported(numbers, source, c)) {
        ReportRow::Reference ref{n->source, n->label, n->metric, n->value(c.model.arch), 0};
        const double mine = ours(row, n->metric);
        ref.gap_percent = mine > 0 && ref.value > 0 ? 100.0 * (mine - ref.value) / ref.value : NAN;
        row.references.push_back(ref);
      }
    }
    rows.push_back(row);
  }
  return rows;
}

namespace {

const ReportRow::Reference* refOf(const ReportRow& row, const char* source) {
  for (const auto& r : row.references) {
    if (r.source == source) return &r;
  }
  return nullptr;
}

std::vector<std::vector<std::string>> table(const std::vector<ReportRow>& rows, const char* pm) {
  std::vector<std::vector<std::string>> out = {
      {"architecture", "N", "L", "tokenizer", "parameters", "runs", "best valid PPL", "test PPL",
       "tokens/s", "paper", "gap vs paper", "reproduction", "gap vs reproduction", "Arledge (test)",
       "gap vs Arledge"}};
  for (const ReportRow& r : rows) {
    std::vector<std::string> line = {
        r.arch,
        std::to_string(r.n_layers),
        std::to_string(r.seq_len),
        r.tokenizer,
        r.params ? std::to_string(r.params) : "",
        std::to_string(r.seeds.size()) +
            (r.in_progress ? " (" + std::to_string(r.in_progress) + " in progress)" : ""),
        meanStd(r.best_valid_ppl, 2, pm),
        meanStd(r.test_ppl, 2, pm),
        meanStd(r.tokens_per_s, 0, pm)};
    for (const char* source : kSources) {
      const auto* ref = refOf(r, source);
      line.push_back(ref ? fmt(ref->value) : "");
      line.push_back(ref && std::isfinite(ref->gap_percent) ? gap(ref->gap_percent) : "");
    }
    out.push_back(line);
  }
  return out;
}

}  // namespace

std::string reportMarkdown(const std::vector<ReportRow>& rows) {
  const auto t = table(rows, " ± ");
  std::string out;
  for (std::size_t i = 0; i < t.size(); ++i) {
    out += "|";
    for (const std::string& cell : t[i]) out += " " + cell + " |";
    out += "\n";
    if (i == 0) {
      out += "|";
      for (std::size_t k = 0; k < t[0].size(); ++k) out += k < 4 ? "---|" : "---:|";
      out += "\n";
    }
  }
  return out;
}

std::string reportCsv(const std::vector<ReportRow>& rows) {
  std::string out =
      "architecture,n_layers,seq_len,tokenizer,parameters,runs,seeds,best_valid_ppl_mean,best_"
      "valid_ppl_std,"
      "test_ppl_mean,test_ppl_std,tokens_per_s_mean,paper,gap_paper_percent,reproduction,"
      "gap_reproduction_percent,arledge_test,gap_arledge_percent\n";
  for (const ReportRow& r : rows) {
    std::string seeds;
    for (std::size_t i = 0; i < r.seeds.size(); ++i)
      seeds += (i ? " " : "") + std::to_string(r.seeds[i]);
    out += csvField(r.arch) + "," + std::to_string(r.n_layers) + "," + std::to_string(r.seq_len) +
           "," + csvField(r.tokenizer) + "," + std::to_string(r.params) + "," +
           std::to_string(r.seeds.size()) + "," + seeds + "," + fmt(r.best_valid_ppl.mean, 4) +
           "," + fmt(r.best_valid_ppl.std, 4) + "," + fmt(r.test_ppl.mean, 4) + "," +
           fmt(r.test_ppl.std, 4) + "," + fmt(r.tokens_per_s.mean, 1);
    for (const char* source : kSources) {
      const auto* ref = refOf(r, source);
      out += "," + (ref ? fmt(ref->value) : "") + "," +
             (ref && std::isfinite(ref->gap_percent) ? fmt(ref->gap_percent, 2) : "");
    }
    out += "\n";
  }
  return out;
}

std::string reportJson(const std::vector<ReportRow>& rows, int indent) {
  Json out = Json::array();
  const auto stat = [](const Stat& s) {
    return Json{
        {"mean", std::isfinite(s.mean) ? Json(s.mean) : Json(nullptr)}, {"std", s.std}, {"n", s.n}};
  };
  for (const ReportRow& r : rows) {
    Json j;
    j["architecture"] = r.arch;
    j["n_layers"] = r.n_layers;
    j["seq_len"] = r.seq_len;
    j["tokenizer"] = r.tokenizer;
    j["name"] = r.name;
    j["parameters"] = r.params;
    j["seeds"] = r.seeds;
    j["run_dirs"] = r.run_dirs;
    j["in_progress"] = r.in_progress;
    j["best_valid_ppl"] = stat(r.best_valid_ppl);
    j["test_ppl"] = stat(r.test_ppl);
    j["tokens_per_s"] = stat(r.tokens_per_s);
    j["reported"] = Json::array();
    for (const auto& ref : r.references) {
      j["reported"].push_back(
          {{"source", ref.source},
           {"label", ref.label},
           {"metric", ref.metric},
           {"value", ref.value},
           {"gap_percent",
            std::isfinite(ref.gap_percent) ? Json(ref.gap_percent) : Json(nullptr)}});
    }
    out.push_back(j);
  }
  return out.dump(indent);
}

std::string reportLatex(const std::vector<ReportRow>& rows) {
  const auto t = table(rows, " $\\pm$ ");
  std::string out = "\\begin{tabular}{llll" + std::string(t[0].size() - 4, 'r') + "}\n\\toprule\n";
  for (std::size_t i = 0; i < t.size(); ++i) {
    for (std::size_t k = 0; k < t[i].size(); ++k) {
      out += (k ? " & " : "") +
             (t[i][k].find("$\\pm$") != std::string::npos ? t[i][k] : latexEscape(t[i][k]));
    }
    out += " \\\\\n";
    if (i == 0) out += "\\midrule\n";
  }
  return out + "\\bottomrule\n\\end{tabular}\n";
}

}  // namespace gwb
