// SNLI rows: grouping, matching the reported numbers, and the table formats.
#include "engine/report/snli_report.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "engine/report/report_format.h"
#include "engine/util/error.h"
#include "engine/util/file_io.h"

namespace gwb {
namespace {

using Json = nlohmann::ordered_json;
using namespace report_format;

const char* const kClassNames[3] = {"entailment", "neutral", "contradiction"};

ReportedSnli::Numbers numbersFrom(const Json& j) {
  ReportedSnli::Numbers n;
  n.val = j.at("val").get<double>();
  n.test = j.at("test").get<double>();
  if (j.contains("test_per_class")) {
    for (const char* name : kClassNames) n.test_per_class.push_back(j["test_per_class"].at(name));
  }
  return n;
}

// Points: ours - reported (NaN when either is missing).
double points(const Stat& ours, double reported) {
  return ours.n > 0 && reported > 0 ? ours.mean - reported : NAN;
}

std::string pointsText(double p) {
  if (!std::isfinite(p)) return "";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%+.2f", p);
  return buf;
}

std::string perClassText(const std::array<Stat, 3>& s) {
  if (s[0].n == 0) return "";
  return fmt(s[0].mean) + " / " + fmt(s[1].mean) + " / " + fmt(s[2].mean);
}

const SnliReportRow::Reference* refOf(const SnliReportRow& row, const char* source) {
  for (const auto& r : row.references) {
    if (r.source == source) return &r;
  }
  return nullptr;
}

const char* const kSources[] = {"paper", "reproduction"};

std::vector<std::vector<std::string>> table(const std::vector<SnliReportRow>& rows,
                                            const char* pm) {
  std::vector<std::vector<std::string>> out = {
      {"family", "architecture", "tokenizer", "encoding", "trained parameters", "frozen parameters",
       "runs", "best valid acc %", "test acc %", "test E / N / C %", "paper val / test",
       "gap vs paper (test, points)", "reproduction val / test",
       "gap vs reproduction (test, points)"}};
  for (const SnliReportRow& r : rows) {
    bool running = false;
    for (bool b : r.in_progress) running = running || b;
    std::vector<std::string> line = {
        r.family,
        r.arch,
        r.tokenizer,
        r.pair_encoding,
        std::to_string(r.params),
        r.frozen ? std::to_string(r.frozen) : "",
        std::to_string(r.seeds.size()) + (running ? " (in progress)" : ""),
        meanStd(r.best_valid_accuracy, 2, pm),
        meanStd(r.test_accuracy, 2, pm),
        perClassText(r.test_per_class)};
    for (const char* source : kSources) {
      const auto* ref = refOf(r, source);
      line.push_back(ref ? fmt(ref->val) + " / " + fmt(ref->test) : "");
      line.push_back(ref ? pointsText(ref->gap_test) : "");
    }
    out.push_back(line);
  }
  return out;
}

Json statJson(const Stat& s) {
  return Json{{"mean", s.n > 0 && std::isfinite(s.mean) ? Json(s.mean) : Json(nullptr)},
              {"std", s.std},
              {"n", s.n}};
}

Json snliRowJson(const SnliReportRow& r) {
  Json j;
  j["task"] = "snli";
  j["family"] = r.family;
  j["architecture"] = r.arch;
  j["tokenizer"] = r.tokenizer;
  j["pair_encoding"] = r.pair_encoding;
  j["pooling"] = r.pooling;
  j["name"] = r.name;
  j["parameters"] = r.params;
  j["frozen_parameters"] = r.frozen;
  j["seeds"] = r.seeds;
  j["run_dirs"] = r.run_dirs;
  j["best_valid_accuracy"] = statJson(r.best_valid_accuracy);
  j["test_accuracy"] = statJson(r.test_accuracy);
  Json per = Json::object();
  for (int k = 0; k < 3; ++k) per[kClassNames[k]] = statJson(r.test_per_class[k]);
  j["test_per_class_accuracy"] = per;
  j["reported"] = Json::array();
  for (const auto& ref : r.references) {
    Json x = {{"source", ref.source}, {"label", ref.label}, {"val", ref.val}, {"test", ref.test}};
    if (!ref.test_per_class.empty()) {
      Json pc = Json::object();
      for (int k = 0; k < 3; ++k) pc[kClassNames[k]] = ref.test_per_class[k];
      x["test_per_class"] = pc;
    }
    x["gap_val_points"] = std::isfinite(ref.gap_val) ? Json(ref.gap_val) : Json(nullptr);
    x["gap_test_points"] = std::isfinite(ref.gap_test) ? Json(ref.gap_test) : Json(nullptr);
    j["reported"].push_back(x);
  }
  return j;
}

std::string markdownOf(const std::vector<std::vector<std::string>>& t, std::size_t text_columns) {
  std::string out;
  for (std::size_t i = 0; i < t.size(); ++i) {
    out += "|";
    for (const std::string& cell : t[i]) out += " " + cell + " |";
    out += "\n";
    if (i == 0) {
      out += "|";
      for (std::size_t k = 0; k < t[0].size(); ++k) out += k < text_columns ? "---|" : "---:|";
      out += "\n";
    }
  }
  return out;
}

}  // namespace

std::vector<ReportedSnli> loadReportedSnli(const std::string& path) {
  Json j;
  try {
    j = Json::parse(readFileBytes(path));
  } catch (const Json::exception& e) {  // also a number that overflows
    throw InputError({path}, expectedGot("reported numbers JSON", e.what()));
  }
  std::vector<ReportedSnli> out;
  if (!j.contains("snli")) return out;
  try {
    for (const auto& row : j.at("snli")) {
      ReportedSnli n;
      n.source = row.at("source");
      n.label = row.at("label");
      n.backbone = row.value("backbone", "distilbert");
      n.head_variant = row.value("head_variant", "paper");
      n.transformer = numbersFrom(row.at("transformer"));
      n.grassmann = numbersFrom(row.at("grassmann"));
      out.push_back(n);
    }
  } catch (const Json::exception& e) {
    throw InputError({path, 0, "snli"},
                     expectedGot("rows of source, label, backbone, head_variant, transformer and "
                                 "grassmann {val, test}",
                                 e.what()));
  }
  return out;
}

std::optional<ReportedSnli> matchReportedSnli(const std::vector<ReportedSnli>& numbers,
                                              const RunConfig& config) {
  for (const ReportedSnli& n : numbers) {
    if (n.backbone == config.model.backbone && n.head_variant == config.model.head_variant)
      return n;
  }
  return std::nullopt;
}

std::string snliFamily(const RunConfig& config) {
  if (!config.model.hasBackbone()) return "scratch";
  return config.model.head_variant == "reference"
             ? "reference heads (degenerate: Plücker(z, z) = 0)"
             : "paper heads";
}

std::vector<SnliReportRow> buildSnliReport(const std::vector<RunRecord>& runs,
                                           const std::vector<ReportedSnli>& numbers) {
  std::vector<std::string> order;
  std::map<std::string, std::vector<const RunRecord*>> groups;
  for (const RunRecord& run : runs) {
    if (!run.config.data.isSnli()) continue;
    const std::string key = configGroupKey(run.config);
    if (!groups.count(key)) order.push_back(key);
    groups[key].push_back(&run);
  }
  std::vector<SnliReportRow> rows;
  for (const std::string& key : order) {
    const auto& members = groups[key];
    const RunConfig& c = members.front()->config;
    SnliReportRow row;
    row.family = snliFamily(c);
    row.arch = c.model.arch;
    row.tokenizer = c.data.tokenizer;
    row.pair_encoding = c.data.pair_encoding;
    row.pooling = c.model.hasBackbone() ? "" : c.model.pooling;
    row.name = c.name;
    row.params = countTrainedParameters(c);
    std::vector<double> valid, test;
    std::array<std::vector<double>, 3> per;
    const auto percent = [](double f) { return f >= 0 ? 100 * f : NAN; };
    for (const RunRecord* r : members) {
      row.seeds.push_back(r->config.seed);
      row.run_dirs.push_back(r->dir);
      row.in_progress.push_back(r->in_progress);
      if (r->summary.params) row.params = r->summary.params;
      row.frozen = std::max(row.frozen, r->summary.frozen_params);
      valid.push_back(percent(r->summary.best_valid_accuracy));
      test.push_back(percent(r->summary.test_accuracy));
      for (std::size_t k = 0; k < 3 && k < r->summary.test_per_class_accuracy.size(); ++k)
        per[k].push_back(percent(r->summary.test_per_class_accuracy[k]));
    }
    row.best_valid_accuracy = statOf(valid);
    row.test_accuracy = statOf(test);
    for (int k = 0; k < 3; ++k) row.test_per_class[k] = statOf(per[k]);
    for (const ReportedSnli& n : numbers) {
      if (n.backbone != c.model.backbone || n.head_variant != c.model.head_variant) continue;
      const ReportedSnli::Numbers& v = n.of(c.model.arch);
      SnliReportRow::Reference ref{n.source,
                                   n.label,
                                   v.val,
                                   v.test,
                                   v.test_per_class,
                                   points(row.best_valid_accuracy, v.val),
                                   points(row.test_accuracy, v.test)};
      row.references.push_back(ref);
    }
    rows.push_back(row);
  }
  return rows;
}

std::string snliReportMarkdown(const std::vector<SnliReportRow>& rows) {
  return markdownOf(table(rows, " ± "), 4);
}

std::string snliReportLatex(const std::vector<SnliReportRow>& rows) {
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

std::string snliReportJson(const std::vector<SnliReportRow>& rows, int indent) {
  Json out = Json::array();
  for (const SnliReportRow& r : rows) out.push_back(snliRowJson(r));
  return out.dump(indent);
}

std::string combinedMarkdown(const std::vector<ReportRow>& lm,
                             const std::vector<SnliReportRow>& snli) {
  std::string out;
  if (!lm.empty() || snli.empty()) out += reportMarkdown(lm);
  if (!snli.empty()) out += (out.empty() ? "" : "\n") + snliReportMarkdown(snli);
  return out;
}

std::string combinedLatex(const std::vector<ReportRow>& lm,
                          const std::vector<SnliReportRow>& snli) {
  std::string out;
  if (!lm.empty() || snli.empty()) out += reportLatex(lm);
  if (!snli.empty()) out += (out.empty() ? "" : "\n") + snliReportLatex(snli);
  return out;
}

namespace {

// The SNLI table's own CSV columns and a row's cells in them.
const char* const kSnliCsvHeader =
    "family,encoding,pooling,frozen_parameters,best_valid_accuracy_mean,best_valid_accuracy_std,"
    "test_accuracy_mean,test_accuracy_std,test_entailment,test_neutral,test_contradiction,"
    "paper_val,paper_test,gap_paper_test_points,reproduction_val,reproduction_test,"
    "gap_reproduction_test_points";

std::string snliCells(const SnliReportRow& r) {
  std::string line = csvField(r.family) + "," + r.pair_encoding + "," + r.pooling + "," +
                     std::to_string(r.frozen) + "," + fmt(r.best_valid_accuracy.mean, 4) + "," +
                     fmt(r.best_valid_accuracy.std, 4) + "," + fmt(r.test_accuracy.mean, 4) + "," +
                     fmt(r.test_accuracy.std, 4);
  for (int k = 0; k < 3; ++k) line += "," + fmt(r.test_per_class[k].mean, 4);
  for (const char* source : kSources) {
    const auto* ref = refOf(r, source);
    line += "," + (ref ? fmt(ref->val) : "") + "," + (ref ? fmt(ref->test) : "") + "," +
            (ref && std::isfinite(ref->gap_test) ? fmt(ref->gap_test, 2) : "");
  }
  return line;
}

std::string seedsText(const std::vector<std::int64_t>& seeds) {
  std::string out;
  for (std::size_t i = 0; i < seeds.size(); ++i) out += (i ? " " : "") + std::to_string(seeds[i]);
  return out;
}

std::size_t columnsOf(const std::string& header) {
  return static_cast<std::size_t>(std::count(header.begin(), header.end(), ',')) + 1;
}

}  // namespace

std::string snliReportCsv(const std::vector<SnliReportRow>& rows) {
  std::string out =
      std::string("architecture,tokenizer,parameters,runs,seeds,") + kSnliCsvHeader + "\n";
  for (const SnliReportRow& r : rows) {
    out += csvField(r.arch) + "," + csvField(r.tokenizer) + "," + std::to_string(r.params) + "," +
           std::to_string(r.seeds.size()) + "," + seedsText(r.seeds) + "," + snliCells(r) + "\n";
  }
  return out;
}

std::string combinedCsv(const std::vector<ReportRow>& lm, const std::vector<SnliReportRow>& snli) {
  // The Wikitext-2 table's columns, then the SNLI table's own; a row fills its task's columns
  // (the leading architecture .. seeds columns are shared).
  const std::string lm_csv = reportCsv(lm);
  const std::string lm_header = lm_csv.substr(0, lm_csv.find('\n'));
  const std::string empty_snli(columnsOf(kSnliCsvHeader), ',');
  std::string out = "task," + lm_header + "," + kSnliCsvHeader + "\n";
  std::size_t start = lm_csv.find('\n') + 1;
  while (start < lm_csv.size()) {
    const std::size_t end = lm_csv.find('\n', start);
    out += "wikitext2," + lm_csv.substr(start, end - start) + empty_snli + "\n";
    start = end + 1;
  }
  for (const SnliReportRow& r : snli) {
    // architecture, n_layers, seq_len, tokenizer, parameters, runs, seeds; the rest empty.
    std::string line = "snli," + csvField(r.arch) + ",,," + csvField(r.tokenizer) + "," +
                       std::to_string(r.params) + "," + std::to_string(r.seeds.size()) + "," +
                       seedsText(r.seeds);
    line += std::string(columnsOf(lm_header) - 7, ',');
    out += line + "," + snliCells(r) + "\n";
  }
  return out;
}

std::string combinedJson(const std::vector<ReportRow>& lm, const std::vector<SnliReportRow>& snli,
                         int indent) {
  Json out = Json::parse(reportJson(lm));
  for (auto& row : out) {
    Json tagged = {{"task", "wikitext2"}};
    for (auto& [k, v] : row.items()) tagged[k] = v;
    row = tagged;
  }
  for (const SnliReportRow& r : snli) out.push_back(snliRowJson(r));
  return out.dump(indent);
}

}  // namespace gwb
