// Grouping runs, matching reported numbers, pairs, and the table formats.
#include "engine/report/report.h"

#include <cmath>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "engine/config/config_diff.h"
#include "engine/config/tasks.h"
#include "engine/report/report_format.h"
#include "engine/runs/sources.h"

namespace gwb {
namespace {

using Json = nlohmann::ordered_json;
using namespace report_format;

// Our number on the reference's metric: the best validation PPL, or the test PPL.
double ours(const ReportRow& row, const std::string& metric) {
  const Stat& s = metric == "test_ppl" ? row.test_ppl : row.best_valid_ppl;
  return s.n > 0 ? s.mean : NAN;
}

std::string withoutSeedSuffix(const std::string& name) {
  const auto dash = name.rfind("-s");
  if (dash == std::string::npos || dash + 2 >= name.size()) return name;
  for (std::size_t i = dash + 2; i < name.size(); ++i)
    if (name[i] < '0' || name[i] > '9') return name;
  return name.substr(0, dash);
}

// The keys two configurations may differ in and still be a Grassmann–Transformer pair: the
// architecture and the keys of one architecture only.
bool pairOf(const RunConfig& g, const RunConfig& t) {
  for (const std::string& key : differingKeys(g, t, DiffScope::Experiment)) {
    if (key != "model.arch") return false;
  }
  return true;
}

}  // namespace

Stat statOf(const std::vector<std::optional<double>>& values) {
  std::vector<double> present;
  for (const auto& v : values)
    if (v && std::isfinite(*v)) present.push_back(*v);
  return statOf(present);
}

Stat statOf(const std::vector<double>& values) {
  Stat s;
  s.mean = NAN;
  double sum = 0;
  for (const double v : values) {
    if (!std::isfinite(v)) continue;
    sum += v;
    ++s.n;
  }
  if (s.n == 0) return s;
  s.mean = sum / s.n;
  if (s.n > 1) {
    double sq = 0;
    for (const double v : values)
      if (std::isfinite(v)) sq += (v - s.mean) * (v - s.mean);
    s.std = std::sqrt(sq / (s.n - 1));
  }
  return s;
}

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

std::string ReportRow::statusText() const {
  if (not_finished == 0) return "finished";
  std::string running;
  for (std::size_t i = 0; i < statuses.size(); ++i) {
    if (statuses[i] == "finished") continue;
    running += (running.empty() ? "" : ", ") + statuses[i] + " at step " + std::to_string(steps[i]);
  }
  return std::to_string(not_finished) + " of " + std::to_string(statuses.size()) +
         " not finished (" + running + ")";
}

std::vector<ReportRow> buildReport(const std::vector<RunRecord>& runs,
                                   const std::vector<ReportedNumber>& numbers) {
  std::vector<std::string> order;
  std::map<std::string, std::vector<const RunRecord*>> groups;
  for (const RunRecord& run : runs) {
    if (!run.config || run.task() != "wikitext2") continue;  // SNLI: snli_report.h
    const std::string key = configGroupKey(*run.config);
    if (!groups.count(key)) order.push_back(key);
    groups[key].push_back(&run);
  }
  std::vector<ReportRow> rows;
  for (const std::string& key : order) {
    const auto& members = groups[key];
    const RunConfig& c = *members.front()->config;
    ReportRow row;
    row.recipe = c.recipe;
    row.arch = c.model.arch;
    row.n_layers = c.model.n_layers;
    row.seq_len = c.data.seq_len;
    row.tokenizer = c.data.tokenizer;
    row.name = withoutSeedSuffix(c.name);
    std::vector<std::optional<double>> valid, loss, test, speed;
    for (const RunRecord* r : members) {
      row.seeds.push_back(r->config->seed);
      row.run_dirs.push_back(r->dir);
      row.statuses.push_back(statusName(r->status));
      row.steps.push_back(r->numbers.step());
      if (r->status != RunStatus::Finished) ++row.not_finished;
      if (r->status == RunStatus::Running) ++row.in_progress;
      if (r->params) row.params = r->params;
      if (!r->corpus.empty() && row.corpus != "v1") row.corpus = r->corpus;
      valid.push_back(r->bestValid());
      loss.push_back(r->bestValidLoss());
      test.push_back(r->test());
      speed.push_back(r->numbers.recentTokensPerSecond());
      if (!speed.back() && r->summary) speed.back() = r->summary->tokens_per_s;
    }
    row.best_valid_ppl = statOf(valid);
    row.best_valid_loss = statOf(loss);
    row.test_ppl = statOf(test);
    row.tokens_per_s = statOf(speed);
    for (const ReportedMatch& m : matchReported(numbers, c)) {
      ReportRow::Reference ref{m.number.source, m.number.recipe, m.number.label,
                               m.number.metric, m.value,         NAN,
                               m.own_recipe};
      const double mine = ours(row, ref.metric);
      if (std::isfinite(mine) && ref.value > 0)
        ref.gap_percent = 100.0 * (mine - ref.value) / ref.value;
      row.references.push_back(ref);
    }
    rows.push_back(row);
  }
  return rows;
}

std::vector<PairGap> pairGaps(const std::vector<ReportRow>& rows,
                              const std::vector<RunRecord>& runs) {
  std::map<std::string, const RunRecord*> by_dir;
  for (const RunRecord& r : runs) by_dir[r.dir] = &r;
  const auto config = [&](const ReportRow& row) -> const RunConfig* {
    const auto it = by_dir.find(row.run_dirs.front());
    return it == by_dir.end() || !it->second->config ? nullptr : &*it->second->config;
  };
  std::vector<PairGap> out;
  for (std::size_t gi = 0; gi < rows.size(); ++gi) {
    const ReportRow& g = rows[gi];
    if (g.arch != "grassmann" || !config(g)) continue;
    for (std::size_t ti = 0; ti < rows.size(); ++ti) {
      const ReportRow& t = rows[ti];
      if (t.arch != "transformer" || !config(t) || !pairOf(*config(g), *config(t))) continue;
      PairGap pair;
      pair.grassmann = gi;
      pair.transformer = ti;
      double pg = NAN, pt = NAN;
      if (g.not_finished == 0 && t.not_finished == 0) {
        pg = g.best_valid_ppl.n ? g.best_valid_ppl.mean : NAN;
        pt = t.best_valid_ppl.n ? t.best_valid_ppl.mean : NAN;
        pair.note = "best validation perplexities (every run finished)";
      } else {
        // The latest validation step every run of the pair has, and the mean there.
        std::optional<std::set<std::int64_t>> common;
        for (const ReportRow* row : {&g, &t}) {
          for (const std::string& dir : row->run_dirs) {
            std::set<std::int64_t> steps;
            if (by_dir.count(dir))
              for (const auto& [step, v] : by_dir[dir]->numbers.validations()) steps.insert(step);
            if (!common) {
              common = steps;
            } else {
              std::set<std::int64_t> both;
              for (const std::int64_t s : steps)
                if (common->count(s)) both.insert(s);
              common = both;
            }
          }
        }
        if (!common || common->empty()) continue;  // nothing to compare yet
        pair.common_step = *common->rbegin();
        const auto meanAt = [&](const ReportRow& row) {
          std::vector<double> values;
          for (const std::string& dir : row.run_dirs)
            values.push_back(by_dir[dir]->numbers.validations().at(*pair.common_step).value);
          return statOf(values).mean;
        };
        pg = meanAt(g);
        pt = meanAt(t);
        pair.note = "at step " + std::to_string(*pair.common_step) +
                    ", the latest validation every run of the pair has (not all finished)";
      }
      if (!std::isfinite(pg) || !std::isfinite(pt) || pt <= 0) continue;
      pair.gap_percent = 100.0 * (pg / pt - 1.0);
      for (const auto& gr : g.references) {
        for (const auto& tr : t.references) {
          if (gr.source == tr.source && gr.recipe == tr.recipe && gr.metric == tr.metric &&
              gr.label == tr.label && tr.value > 0)
            pair.reported.push_back({gr.label, 100.0 * (gr.value / tr.value - 1.0)});
        }
      }
      out.push_back(pair);
    }
  }
  return out;
}

ComparisonBars comparisonBars(const std::vector<ReportRow>& rows) {
  ComparisonBars bars;
  for (const ReportRow& row : rows) {
    std::string label = configLabel(row.arch, row.n_layers, row.seq_len, row.tokenizer);
    if (!row.recipe.empty()) label = row.recipe + " " + label;
    bars.categories.push_back(label);
  }
  for (const SourceStyle& style : sourceStyles()) {
    if (style.source == "majority") continue;
    std::vector<double> values;
    bool any = false;
    for (const ReportRow& row : rows) {
      double v = NAN;
      if (style.source == "ours") {
        v = row.best_valid_ppl.n ? row.best_valid_ppl.mean : NAN;
      } else {
        for (const auto& ref : row.references) {
          // Validation numbers only: a test perplexity is another metric than our bar's.
          if (ref.source == style.source && ref.metric == "valid_ppl" && std::isnan(v))
            v = ref.value;
        }
      }
      any = any || std::isfinite(v);
      values.push_back(v);
    }
    if (!any && style.source != "ours") continue;
    bars.sources.push_back(style.source);
    bars.values.push_back(values);
  }
  return bars;
}

namespace {

const ReportRow::Reference* ownReference(const ReportRow& row) {
  for (const auto& r : row.references)
    if (r.own_recipe) return &r;
  return nullptr;
}

std::string otherReferences(const ReportRow& row) {
  std::string out;
  for (const auto& r : row.references) {
    if (r.own_recipe) continue;
    out += (out.empty() ? "" : "; ") + r.label + " " + fmt(r.value) +
           (std::isfinite(r.gap_percent) ? " (" + gap(r.gap_percent) + ")" : "");
  }
  return out;
}

std::string corpusText(const ReportRow& row) {
  return row.corpus == "v1" ? "v1 (not the recipe's)" : row.corpus;
}

std::vector<std::vector<std::string>> table(const std::vector<ReportRow>& rows, const char* pm) {
  std::vector<std::vector<std::string>> out = {
      {"recipe", "architecture", "N", "L", "tokenizer", "corpus", "status", "parameters", "runs",
       "best valid PPL", "test PPL", "tokens/s", "reported (its recipe)", "gap",
       "other reported (gap)"}};
  for (const ReportRow& r : rows) {
    const auto* own = ownReference(r);
    const std::string mark = r.not_finished ? " *" : "";
    out.push_back({r.recipe.empty() ? "-" : r.recipe, r.arch, std::to_string(r.n_layers),
                   std::to_string(r.seq_len), r.tokenizer, corpusText(r), r.statusText(),
                   r.params ? std::to_string(r.params) : "", std::to_string(r.seeds.size()),
                   meanStd(r.best_valid_ppl, 2, pm) + mark, meanStd(r.test_ppl, 2, pm),
                   meanStd(r.tokens_per_s, 0, pm), own ? own->label + " " + fmt(own->value) : "",
                   own && std::isfinite(own->gap_percent) ? gap(own->gap_percent) : "",
                   otherReferences(r)});
  }
  return out;
}

bool anyNotFinished(const std::vector<ReportRow>& rows) {
  for (const ReportRow& r : rows)
    if (r.not_finished) return true;
  return false;
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
      for (std::size_t k = 0; k < t[0].size(); ++k) out += k < 7 ? "---|" : "---:|";
      out += "\n";
    }
  }
  if (anyNotFinished(rows))
    out += "\n\\* not finished: the numbers so far (its latest evaluations), not final\n";
  return out;
}

CsvTable report_format::reportCsvTable(const std::vector<ReportRow>& rows) {
  CsvTable t;
  t.header = {"architecture",
              "n_layers",
              "seq_len",
              "tokenizer",
              "recipe",
              "corpus",
              "status",
              "steps",
              "parameters",
              "runs",
              "seeds",
              "best_valid_ppl_mean",
              "best_valid_ppl_std",
              "best_valid_loss_mean",
              "test_ppl_mean",
              "test_ppl_std",
              "tokens_per_s_mean",
              "reported_label",
              "reported",
              "gap_percent",
              "other_reported"};
  for (const ReportRow& r : rows) {
    std::string seeds, steps;
    for (std::size_t i = 0; i < r.seeds.size(); ++i) {
      seeds += (i ? " " : "") + std::to_string(r.seeds[i]);
      steps += (i ? " " : "") + std::to_string(r.steps[i]);
    }
    const auto* own = ownReference(r);
    t.rows.push_back({r.arch,
                      std::to_string(r.n_layers),
                      std::to_string(r.seq_len),
                      r.tokenizer,
                      r.recipe,
                      r.corpus,
                      r.statusText(),
                      steps,
                      std::to_string(r.params),
                      std::to_string(r.seeds.size()),
                      seeds,
                      fmt(r.best_valid_ppl.mean, 4),
                      fmt(r.best_valid_ppl.std, 4),
                      fmt(r.best_valid_loss.mean, 6),
                      fmt(r.test_ppl.mean, 4),
                      fmt(r.test_ppl.std, 4),
                      fmt(r.tokens_per_s.mean, 1),
                      own ? own->label : "",
                      own ? fmt(own->value) : "",
                      own && std::isfinite(own->gap_percent) ? fmt(own->gap_percent, 2) : "",
                      otherReferences(r)});
  }
  return t;
}

std::string reportCsv(const std::vector<ReportRow>& rows) { return csvText(reportCsvTable(rows)); }

std::string reportJson(const std::vector<ReportRow>& rows, int indent) {
  Json out = Json::array();
  const auto stat = [](const Stat& s) {
    return Json{{"mean", s.n > 0 && std::isfinite(s.mean) ? Json(s.mean) : Json(nullptr)},
                {"std", s.std},
                {"n", s.n}};
  };
  for (const ReportRow& r : rows) {
    Json j;
    j["task"] = "wikitext2";
    j["recipe"] = r.recipe.empty() ? Json(nullptr) : Json(r.recipe);
    j["architecture"] = r.arch;
    j["n_layers"] = r.n_layers;
    j["seq_len"] = r.seq_len;
    j["tokenizer"] = r.tokenizer;
    j["corpus"] = r.corpus.empty() ? Json(nullptr) : Json(r.corpus);
    j["name"] = r.name;
    j["parameters"] = r.params;
    j["seeds"] = r.seeds;
    j["run_dirs"] = r.run_dirs;
    j["statuses"] = r.statuses;
    j["steps"] = r.steps;
    j["not_finished"] = r.not_finished;
    j["best_valid_ppl"] = stat(r.best_valid_ppl);
    j["best_valid_loss"] = stat(r.best_valid_loss);
    j["test_ppl"] = stat(r.test_ppl);
    j["tokens_per_s"] = stat(r.tokens_per_s);
    j["reported"] = Json::array();
    for (const auto& ref : r.references) {
      j["reported"].push_back(
          {{"source", ref.source},
           {"recipe", ref.recipe},
           {"label", ref.label},
           {"metric", ref.metric},
           {"value", ref.value},
           {"own_recipe", ref.own_recipe},
           {"gap_percent",
            std::isfinite(ref.gap_percent) ? Json(ref.gap_percent) : Json(nullptr)}});
    }
    out.push_back(j);
  }
  return out.dump(indent);
}

std::string reportLatex(const std::vector<ReportRow>& rows) {
  const auto t = table(rows, " $\\pm$ ");
  std::string out =
      "\\begin{tabular}{lllllll" + std::string(t[0].size() - 7, 'r') + "}\n\\toprule\n";
  for (std::size_t i = 0; i < t.size(); ++i) {
    for (std::size_t k = 0; k < t[i].size(); ++k) {
      out += (k ? " & " : "") +
             (t[i][k].find("$\\pm$") != std::string::npos ? t[i][k] : latexEscape(t[i][k]));
    }
    out += " \\\\\n";
    if (i == 0) out += "\\midrule\n";
  }
  out += "\\bottomrule\n\\end{tabular}\n";
  if (anyNotFinished(rows)) out += "% * not finished: the numbers so far, not final\n";
  return out;
}

}  // namespace gwb
