// Study reports: outcomes from the runs, the statistics of the design, and four formats.
#include "engine/study/study_report.h"

#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "engine/util/error.h"

namespace gwb::study {
namespace {

using Json = nlohmann::ordered_json;

std::vector<double> finite(const std::vector<double>& values) {
  std::vector<double> out;
  for (const double v : values) {
    if (std::isfinite(v)) out.push_back(v);
  }
  return out;
}

Interval intervalOf(const std::vector<double>& values) {
  const std::vector<double> kept = finite(values);
  if (kept.empty()) {
    Interval none;
    none.method = "none (no finished seed)";
    return none;
  }
  return pairedInterval(kept);
}

Interval gapOf(const Interval& delta) {
  Interval g = delta;
  const auto percent = [](double d) { return 100.0 * std::expm1(d); };
  g.mean = percent(delta.mean);
  if (delta.lo) g.lo = percent(*delta.lo);
  if (delta.hi) g.hi = percent(*delta.hi);
  g.se = kNaN;
  return g;
}

std::string number(double v, int precision) {
  if (!std::isfinite(v)) return "–";
  char text[48];
  std::snprintf(text, sizeof text, "%.*f", precision, v);
  return text;
}

std::string levelsText(const std::vector<std::pair<std::string, std::string>>& levels) {
  std::string out;
  for (const auto& [name, level] : levels) {
    if (level == "B") out += (out.empty() ? "" : "+") + name;
  }
  return out.empty() ? "(all A)" : out;
}

Json intervalJson(const Interval& i) {
  Json j;
  j["mean"] = std::isfinite(i.mean) ? Json(i.mean) : Json(nullptr);
  j["ci"] = i.hasInterval() ? Json::array({*i.lo, *i.hi}) : Json(nullptr);
  j["n"] = i.n;
  j["df"] = i.df;
  return j;
}

std::string latexEscape(const std::string& text) {
  std::string out;
  for (const char c : text) {
    if (c == '_' || c == '&' || c == '%' || c == '#' || c == '$') out += '\\';
    out += c;
  }
  return out;
}

}  // namespace

std::string intervalText(const Interval& i, int precision) {
  if (!std::isfinite(i.mean)) return "–";
  std::string out = number(i.mean, precision);
  if (i.hasInterval()) {
    out += " [" + number(*i.lo, precision) + ", " + number(*i.hi, precision) + "]";
    if (i.containsZero()) out += " (contains 0)";
  } else {
    out += " (n = " + std::to_string(i.n) + ", no interval)";
  }
  return out;
}

StudyReport buildStudyReport(const Study& study, const RecordLookup& lookup_in) {
  const StudyPlan& plan = study.plan;
  StudyReport r;
  r.id = study.id;
  r.design = plan.request.design;
  r.scale = plan.request.scale;
  r.steps = plan.request.scale == "cpu" ? plan.request.steps : 0;
  r.a = plan.a.label;
  r.b = plan.b.label;
  r.seeds = plan.seeds;
  r.notes = plan.notes;
  r.warnings = study.warnings;
  for (const Factor& f : plan.factors) r.factors.push_back(f.name);
  r.orders = plan.path.orders;

  std::map<std::string, std::unique_ptr<RunRecord>> read;
  RecordLookup lookup = lookup_in;
  if (!lookup) {
    lookup = [&read](const std::string& dir) -> const RunRecord* {
      auto it = read.find(dir);
      if (it == read.end()) {
        std::unique_ptr<RunRecord> record;
        if (std::ifstream(dir + "/config.json").good())
          record = std::make_unique<RunRecord>(readRun(dir));
        it = read.emplace(dir, std::move(record)).first;
      }
      return it->second.get();
    };
  }

  // Each distinct run once: its loss, or why it is left out.
  std::map<std::string, double> loss_of;
  std::set<std::string> warned;
  const auto lossOf = [&](const std::string& dir, const StudyCell& cell, const std::string& arch,
                          std::int64_t seed, bool reused) {
    if (const auto it = loss_of.find(dir); it != loss_of.end()) return it->second;
    double loss = kNaN;
    const RunRecord* record = lookup(dir);
    if (!record) {
      // A run the study trains may not have started yet; one it reused existed and is gone.
      if (reused && warned.insert(dir).second)
        r.warnings.push_back(dir + ": no run there (moved or deleted?); cell " + cell.id + ", " +
                             arch + ", seed " + std::to_string(seed) + " is left out");
    } else if (!record->config || record->config->seed != seed ||
               RunIndex::hashOf(*record) != cell.hash(arch)) {
      if (warned.insert(dir).second)
        r.warnings.push_back(dir + ": not the configuration of cell " + cell.id + " (" + arch +
                             ", seed " + std::to_string(seed) +
                             "): another hash or seed; left out");
    } else if (record->status == RunStatus::Finished) {
      if (const std::optional<double> l = record->bestValidLoss()) loss = *l;
    }
    loss_of[dir] = loss;
    return loss;
  };

  std::set<std::string> dirs, finished;
  CellOutcomes delta_out, g_out, t_out;
  std::vector<std::vector<double>> delta_rows, g_rows, t_rows;
  for (std::size_t c = 0; c < plan.cells.size(); ++c) {
    const StudyCell& cell = plan.cells[c];
    CellResult res;
    res.id = cell.id;
    res.levels = cell.levels;
    for (const CellRun& run : study.runs[c]) {
      const double g = lossOf(run.grassmann, cell, "grassmann", run.seed, run.reused_grassmann);
      const double t =
          lossOf(run.transformer, cell, "transformer", run.seed, run.reused_transformer);
      for (const std::string& arch : studyArchs()) {
        dirs.insert(run.dir(arch));
        if (std::isfinite(arch == "grassmann" ? g : t)) finished.insert(run.dir(arch));
      }
      res.unfinished += !std::isfinite(g) + !std::isfinite(t);
      res.grassmann.per_seed.push_back(g);
      res.transformer.per_seed.push_back(t);
      res.delta_per_seed.push_back(std::isfinite(g) && std::isfinite(t) ? g - t : kNaN);
    }
    res.delta = intervalOf(res.delta_per_seed);
    res.gap_percent = gapOf(res.delta);
    for (ArchResult* a : {&res.grassmann, &res.transformer}) {
      a->loss = intervalOf(a->per_seed);
      a->ppl = std::exp(a->loss.mean);
    }
    delta_out[cell.id] = res.delta_per_seed;
    g_out[cell.id] = res.grassmann.per_seed;
    t_out[cell.id] = res.transformer.per_seed;
    delta_rows.push_back(res.delta_per_seed);
    g_rows.push_back(res.grassmann.per_seed);
    t_rows.push_back(res.transformer.per_seed);
    r.cells.push_back(res);
  }
  r.runs_total = static_cast<int>(dirs.size());
  r.runs_finished = static_cast<int>(finished.size());
  r.runs_unfinished = r.runs_total - r.runs_finished;

  if (plan.request.design == "path") {
    const PathContributions d = pathContributions(plan.path, delta_out);
    const PathContributions g = pathContributions(plan.path, g_out);
    const PathContributions t = pathContributions(plan.path, t_out);
    for (std::size_t i = 0; i < d.groups.size(); ++i) {
      StepResult step;
      step.group = d.groups[i].group;
      for (const Factor& f : plan.factors) {
        if (f.name == step.group) {
          step.keys = f.keys;
          step.arch_specific = f.arch_specific;
        }
      }
      step.delta = d.groups[i];
      step.grassmann = g.groups[i].averaged;
      step.transformer = t.groups[i].averaged;
      r.steps_results.push_back(step);
    }
  } else {
    const FactorialEffects d = estimateEffects(plan.factorial, delta_rows);
    const FactorialEffects g = estimateEffects(plan.factorial, g_rows);
    const FactorialEffects t = estimateEffects(plan.factorial, t_rows);
    for (std::size_t i = 0; i < d.effects.size(); ++i)
      r.effects.push_back({d.effects[i], g.effects[i].interval, t.effects[i].interval});
    r.residual = d.residual;
    r.defining_relation = plan.factorial.definingRelation();
    r.resolution = plan.factorial.resolution;
    for (const AliasChain& a : plan.factorial.aliases) {
      if (!a.aliases.empty()) r.aliases.push_back(a.names);
    }
    if (d.seeds_used < d.seeds_total)
      r.warnings.push_back(std::to_string(d.seeds_total - d.seeds_used) + " of " +
                           std::to_string(d.seeds_total) +
                           " seeds left out of the effects: a run of theirs has not finished");
  }
  if (plan.seeds.size() < 2)
    r.notes.push_back("one seed: no intervals (K = 1 gives none; run --seeds 3)");
  return r;
}

std::string reportMarkdown(const StudyReport& r) {
  std::ostringstream out;
  out << "# Study " << r.id << "\n\n";
  out << r.design << " from " << r.a << " to " << r.b << ", scale " << r.scale;
  if (r.steps > 0) out << " (" << r.steps << " steps)";
  out << ", seeds";
  for (std::size_t i = 0; i < r.seeds.size(); ++i) out << (i ? ", " : " ") << r.seeds[i];
  out << "; runs: " << r.runs_finished << " of " << r.runs_total << " finished";
  if (r.runs_unfinished > 0) out << " (" << r.runs_unfinished << " unfinished, left out)";
  out << ".\n\nDelta = best valid loss of Grassmann - of the Transformer with the same seed "
         "(nats, token-weighted); gap % = 100 (exp(Delta) - 1); 95% Student-t intervals on the "
         "paired per-seed values.\n";
  for (const std::string& n : r.notes) out << "\n- " << n;
  for (const std::string& w : r.warnings) out << "\n- ⚠ " << w;
  out << "\n\n## Cells\n\n| Cell | At B | n | Grassmann loss | Transformer loss | Grassmann PPL | "
         "Transformer PPL | Delta (nats) | Gap % |\n|---|---|---|---|---|---|---|---|---|\n";
  for (const CellResult& c : r.cells) {
    out << "| " << c.id << " | " << levelsText(c.levels) << " | " << c.delta.n << " | "
        << intervalText(c.grassmann.loss) << " | " << intervalText(c.transformer.loss) << " | "
        << number(c.grassmann.ppl, 1) << " | " << number(c.transformer.ppl, 1) << " | "
        << intervalText(c.delta) << " | " << intervalText(c.gap_percent, 1) << " |\n";
  }
  if (!r.steps_results.empty()) {
    out << "\n## Steps\n\nOrders:";
    for (const auto& o : r.orders) {
      std::string text;
      for (const std::string& g : o) text += (text.empty() ? "" : " → ") + g;
      out << "\n- " << text;
    }
    out << "\n\n| Group | Keys | n | Change of Delta (nats) | Grassmann loss change | "
           "Transformer loss change | Spread over orders |\n|---|---|---|---|---|---|---|\n";
    for (const StepResult& s : r.steps_results) {
      std::string keys;
      for (const std::string& k : s.keys) keys += (keys.empty() ? "" : ", ") + k;
      out << "| " << s.group << (s.arch_specific ? " (one architecture)" : "") << " | " << keys
          << " | " << s.delta.averaged.n << " | " << intervalText(s.delta.averaged) << " | "
          << intervalText(s.grassmann) << " | " << intervalText(s.transformer) << " | "
          << (r.orders.size() > 1
                  ? number(s.delta.spread_min, 3) + " … " + number(s.delta.spread_max, 3)
                  : std::string("(one order)"))
          << " |\n";
    }
  }
  if (!r.effects.empty()) {
    out << "\n## Effects\n\n";
    if (!r.defining_relation.empty())
      out << "Fraction of resolution " << r.resolution << ", " << r.defining_relation << ".\n\n";
    out << "| Effect | Letters | n | On Delta (nats) | On Grassmann loss | On Transformer loss | "
           "Interval |\n|---|---|---|---|---|---|---|\n";
    for (const EffectResult& e : r.effects) {
      out << "| " << e.delta.names << " | " << e.delta.letters << " | " << e.delta.interval.n
          << " | " << intervalText(e.delta.interval) << " | " << intervalText(e.grassmann) << " | "
          << intervalText(e.transformer) << " | " << e.delta.interval.method << " |\n";
    }
    if (!r.aliases.empty()) {
      out << "\nAliases:";
      for (const std::string& a : r.aliases) out << "\n- " << a;
      out << "\n";
    }
  }
  return out.str();
}

std::string reportLatex(const StudyReport& r) {
  std::ostringstream out;
  const auto ci = [](const Interval& i, int precision = 3) {
    if (!std::isfinite(i.mean)) return std::string("--");
    std::string text = number(i.mean, precision);
    if (i.hasInterval())
      text +=
          " {\\scriptsize [" + number(*i.lo, precision) + ", " + number(*i.hi, precision) + "]}";
    return text;
  };
  out << "% Study " << latexEscape(r.id) << ": " << r.design << " " << latexEscape(r.a) << " -> "
      << latexEscape(r.b) << ", scale " << r.scale << "; 95\\% Student-t intervals\n";
  out << "\\begin{tabular}{llrrrrr}\n\\toprule\nCell & At B & $n$ & Grassmann loss & "
         "Transformer loss & $\\Delta$ (nats) & Gap \\% \\\\\n\\midrule\n";
  for (const CellResult& c : r.cells) {
    out << latexEscape(c.id) << " & " << latexEscape(levelsText(c.levels)) << " & " << c.delta.n
        << " & " << ci(c.grassmann.loss) << " & " << ci(c.transformer.loss) << " & " << ci(c.delta)
        << " & " << ci(c.gap_percent, 1) << " \\\\\n";
  }
  out << "\\bottomrule\n\\end{tabular}\n";
  if (!r.steps_results.empty()) {
    out << "\n\\begin{tabular}{lrrrr}\n\\toprule\nGroup & $n$ & Change of $\\Delta$ & "
           "Grassmann & Transformer \\\\\n\\midrule\n";
    for (const StepResult& s : r.steps_results) {
      out << latexEscape(s.group) << " & " << s.delta.averaged.n << " & " << ci(s.delta.averaged)
          << " & " << ci(s.grassmann) << " & " << ci(s.transformer) << " \\\\\n";
    }
    out << "\\bottomrule\n\\end{tabular}\n";
  }
  if (!r.effects.empty()) {
    out << "\n\\begin{tabular}{lrrrr}\n\\toprule\nEffect & $n$ & On $\\Delta$ & Grassmann & "
           "Transformer \\\\\n\\midrule\n";
    for (const EffectResult& e : r.effects) {
      out << latexEscape(e.delta.names) << " & " << e.delta.interval.n << " & "
          << ci(e.delta.interval) << " & " << ci(e.grassmann) << " & " << ci(e.transformer)
          << " \\\\\n";
    }
    out << "\\bottomrule\n\\end{tabular}\n";
  }
  return out.str();
}

std::string reportCsv(const StudyReport& r) {
  std::ostringstream out;
  out << "table,id,detail,n,df,quantity,mean,lo,hi\n";
  const auto row = [&](const std::string& table, const std::string& id, const std::string& detail,
                       const std::string& quantity, const Interval& i) {
    const auto cell = [](double v) { return std::isfinite(v) ? number(v, 6) : std::string(); };
    std::string d = detail;
    if (d.find_first_of(",\"") != std::string::npos) {
      std::string q = "\"";
      for (const char c : d) q += c == '"' ? std::string("\"\"") : std::string(1, c);
      d = q + "\"";
    }
    out << table << "," << id << "," << d << "," << i.n << "," << i.df << "," << quantity << ","
        << cell(i.mean) << "," << (i.lo ? cell(*i.lo) : "") << "," << (i.hi ? cell(*i.hi) : "")
        << "\n";
  };
  for (const CellResult& c : r.cells) {
    const std::string detail = levelsText(c.levels);
    row("cell", c.id, detail, "delta", c.delta);
    row("cell", c.id, detail, "gap_percent", c.gap_percent);
    row("cell", c.id, detail, "grassmann_loss", c.grassmann.loss);
    row("cell", c.id, detail, "transformer_loss", c.transformer.loss);
  }
  for (const StepResult& s : r.steps_results) {
    row("step", s.group, "", "delta_change", s.delta.averaged);
    row("step", s.group, "", "grassmann_change", s.grassmann);
    row("step", s.group, "", "transformer_change", s.transformer);
  }
  for (const EffectResult& e : r.effects) {
    row("effect", e.delta.letters, e.delta.names, "delta", e.delta.interval);
    row("effect", e.delta.letters, e.delta.names, "grassmann_loss", e.grassmann);
    row("effect", e.delta.letters, e.delta.names, "transformer_loss", e.transformer);
  }
  return out.str();
}

std::string reportJson(const StudyReport& r, int indent) {
  Json j;
  j["id"] = r.id;
  j["design"] = r.design;
  j["scale"] = r.scale;
  if (r.steps > 0) j["steps"] = r.steps;
  j["a"] = r.a;
  j["b"] = r.b;
  j["seeds"] = r.seeds;
  j["level"] = kDefaultLevel;
  Json cells = Json::array();
  for (const CellResult& c : r.cells) {
    Json levels = Json::object();
    for (const auto& [name, level] : c.levels) levels[name] = level;
    const auto arch = [](const ArchResult& a) {
      Json x;
      x["loss"] = intervalJson(a.loss);
      x["ppl"] = std::isfinite(a.ppl) ? Json(a.ppl) : Json(nullptr);
      x["per_seed"] = Json::array();
      for (const double v : a.per_seed)
        x["per_seed"].push_back(std::isfinite(v) ? Json(v) : Json(nullptr));
      return x;
    };
    Json cell;
    cell["id"] = c.id;
    cell["levels"] = levels;
    cell["n"] = c.delta.n;
    cell["df"] = c.delta.df;
    cell["delta"] = intervalJson(c.delta);
    cell["gap_percent"] = intervalJson(c.gap_percent);
    cell["grassmann"] = arch(c.grassmann);
    cell["transformer"] = arch(c.transformer);
    cell["unfinished"] = c.unfinished;
    cells.push_back(cell);
  }
  j["cells"] = cells;
  if (r.design == "path") {
    j["orders"] = r.orders;
    Json steps = Json::array();
    for (const StepResult& s : r.steps_results) {
      Json per_order = Json::array();
      for (const Interval& i : s.delta.per_order) per_order.push_back(intervalJson(i));
      steps.push_back({{"group", s.group},
                       {"keys", s.keys},
                       {"arch_specific", s.arch_specific},
                       {"delta", intervalJson(s.delta.averaged)},
                       {"per_order", per_order},
                       {"spread", std::isfinite(s.delta.spread_min)
                                      ? Json::array({s.delta.spread_min, s.delta.spread_max})
                                      : Json(nullptr)},
                       {"grassmann", intervalJson(s.grassmann)},
                       {"transformer", intervalJson(s.transformer)}});
    }
    j["steps"] = steps;
  } else {
    Json effects = Json::array();
    for (const EffectResult& e : r.effects) {
      effects.push_back({{"effect", e.delta.names},
                         {"letters", e.delta.letters},
                         {"order", e.delta.order},
                         {"method", e.delta.interval.method},
                         {"delta", intervalJson(e.delta.interval)},
                         {"grassmann", intervalJson(e.grassmann)},
                         {"transformer", intervalJson(e.transformer)}});
    }
    j["effects"] = effects;
    j["defining_relation"] = r.defining_relation;
    j["resolution"] = r.resolution;
    j["aliases"] = r.aliases;
    j["residual"] = r.residual;
  }
  j["runs"] = {
      {"total", r.runs_total}, {"finished", r.runs_finished}, {"unfinished", r.runs_unfinished}};
  j["notes"] = r.notes;
  j["warnings"] = r.warnings;
  return j.dump(indent);
}

}  // namespace gwb::study
