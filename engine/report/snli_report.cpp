// SNLI rows: grouping, matching the reported numbers, and the table formats.
#include "engine/report/snli_report.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "engine/config/tasks.h"
#include "engine/report/report_format.h"
#include "engine/util/error.h"
#include "engine/util/file_io.h"

namespace gwb {
namespace {

using Json = nlohmann::ordered_json;
using namespace report_format;

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
    const std::string mark = r.not_finished ? " *" : "";
    std::vector<std::string> line = {
        r.family,
        r.arch,
        r.tokenizer,
        r.pair_encoding,
        std::to_string(r.params),
        r.frozen ? std::to_string(r.frozen) : "",
        std::to_string(r.seeds.size()) +
            (r.not_finished ? " (" + std::to_string(r.not_finished) + " not finished)" : ""),
        meanStd(r.best_valid_accuracy, 2, pm) + mark,
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
  for (int k = 0; k < 3; ++k) per[snliClassName(k)] = statJson(r.test_per_class[k]);
  j["test_per_class_accuracy"] = per;
  j["reported"] = Json::array();
  for (const auto& ref : r.references) {
    Json x = {{"source", ref.source}, {"label", ref.label}, {"val", ref.val}, {"test", ref.test}};
    if (!ref.test_per_class.empty()) {
      Json pc = Json::object();
      for (int k = 0; k < 3; ++k) pc[snliClassName(k)] = ref.test_per_class[k];
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
    if (!run.config || run.task() != "snli") continue;
    const std::string key = configGroupKey(*run.config);
    if (!groups.count(key)) order.push_back(key);
    groups[key].push_back(&run);
  }
  std::vector<SnliReportRow> rows;
  for (const std::string& key : order) {
    const auto& members = groups[key];
    const RunConfig& c = *members.front()->config;
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
    const auto percent = [](const std::optional<double>& f) {
      return f && *f >= 0 ? 100 * *f : NAN;
    };
    for (const RunRecord* r : members) {
      row.seeds.push_back(r->config->seed);
      row.run_dirs.push_back(r->dir);
      row.statuses.push_back(statusName(r->status));
      row.steps.push_back(r->numbers.step());
      if (r->status != RunStatus::Finished) ++row.not_finished;
      if (r->summary) {
        if (r->summary->params) row.params = r->summary->params;  // trained (the backbone apart)
        row.frozen = std::max(row.frozen, r->summary->frozen_params);
      }
      valid.push_back(percent(r->bestValid()));
      test.push_back(percent(r->test()));
      const std::vector<double> per_class = r->testPerClass();
      for (std::size_t k = 0; k < 3 && k < per_class.size(); ++k)
        per[k].push_back(percent(per_class[k]));
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

SnliComparisonBars snliComparisonBars(const std::vector<SnliReportRow>& rows) {
  SnliComparisonBars bars;
  bars.sources = {"ours", "paper", "reproduction"};
  bars.values.resize(bars.sources.size());
  for (const SnliReportRow& row : rows) {
    const std::string label = row.arch + " " + row.family.substr(0, row.family.find(" ("));
    for (int part = 0; part <= kSnliClasses; ++part) {
      bars.categories.push_back(part == 0 ? label : snliClassLetter(part - 1));
      bars.parts.push_back(part == 0 ? "all" : snliClassName(part - 1));
      const Stat& mine = part == 0 ? row.test_accuracy : row.test_per_class[part - 1];
      bars.values[0].push_back(mine.n ? mine.mean : NAN);
      for (std::size_t s = 1; s < bars.sources.size(); ++s) {
        double v = NAN;
        for (const auto& ref : row.references) {
          if (ref.source != bars.sources[s]) continue;
          v = part == 0 ? ref.test
                        : (ref.test_per_class.size() == kSnliClasses ? ref.test_per_class[part - 1]
                                                                     : NAN);
        }
        bars.values[s].push_back(v);
      }
    }
  }
  return bars;
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

CsvTable report_format::snliCsvTable(const std::vector<SnliReportRow>& rows) {
  CsvTable t;
  t.header = {"architecture",
              "tokenizer",
              "status",
              "steps",
              "parameters",
              "runs",
              "seeds",
              "family",
              "encoding",
              "pooling",
              "frozen_parameters",
              "best_valid_accuracy_mean",
              "best_valid_accuracy_std",
              "test_accuracy_mean",
              "test_accuracy_std",
              "test_entailment",
              "test_neutral",
              "test_contradiction",
              "paper_val",
              "paper_test",
              "gap_paper_test_points",
              "reproduction_val",
              "reproduction_test",
              "gap_reproduction_test_points"};
  for (const SnliReportRow& r : rows) {
    std::string seeds, steps;
    for (std::size_t i = 0; i < r.seeds.size(); ++i) {
      seeds += (i ? " " : "") + std::to_string(r.seeds[i]);
      steps += (i ? " " : "") + std::to_string(r.steps[i]);
    }
    std::vector<std::string> line = {
        r.arch,
        r.tokenizer,
        r.not_finished ? std::to_string(r.not_finished) + " not finished" : "finished",
        steps,
        std::to_string(r.params),
        std::to_string(r.seeds.size()),
        seeds,
        r.family,
        r.pair_encoding,
        r.pooling,
        std::to_string(r.frozen),
        fmt(r.best_valid_accuracy.mean, 4),
        fmt(r.best_valid_accuracy.std, 4),
        fmt(r.test_accuracy.mean, 4),
        fmt(r.test_accuracy.std, 4)};
    for (int k = 0; k < 3; ++k) line.push_back(fmt(r.test_per_class[k].mean, 4));
    for (const char* source : kSources) {
      const auto* ref = refOf(r, source);
      line.push_back(ref ? fmt(ref->val) : "");
      line.push_back(ref ? fmt(ref->test) : "");
      line.push_back(ref && std::isfinite(ref->gap_test) ? fmt(ref->gap_test, 2) : "");
    }
    t.rows.push_back(line);
  }
  return t;
}

std::string snliReportCsv(const std::vector<SnliReportRow>& rows) {
  return csvText(snliCsvTable(rows));
}

std::string combinedCsv(const std::vector<ReportRow>& lm, const std::vector<SnliReportRow>& snli) {
  // One table: task, the Wikitext-2 table's columns, then the SNLI table's own; each row fills its
  // task's columns (those of the same name are shared: architecture, tokenizer, parameters...).
  const CsvTable a = reportCsvTable(lm), b = snliCsvTable(snli);
  CsvTable out;
  out.header = {"task"};
  out.header.insert(out.header.end(), a.header.begin(), a.header.end());
  for (const std::string& column : b.header) {
    if (std::find(out.header.begin(), out.header.end(), column) == out.header.end())
      out.header.push_back(column);
  }
  const auto place = [&](const char* task, const CsvTable& t) {
    for (const auto& row : t.rows) {
      std::vector<std::string> line(out.header.size());
      line[0] = task;
      for (std::size_t i = 0; i < t.header.size(); ++i) {
        const auto at = std::find(out.header.begin(), out.header.end(), t.header[i]);
        line[static_cast<std::size_t>(at - out.header.begin())] = row[i];
      }
      out.rows.push_back(line);
    }
  };
  place("wikitext2", a);
  place("snli", b);
  return csvText(out);
}

std::string combinedJson(const std::vector<ReportRow>& lm, const std::vector<SnliReportRow>& snli,
                         int indent) {
  Json out = Json::parse(reportJson(lm));  // each row carries "task" already
  for (const SnliReportRow& r : snli) out.push_back(snliRowJson(r));
  return out.dump(indent);
}

}  // namespace gwb
