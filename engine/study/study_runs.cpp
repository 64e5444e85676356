// Studies on disk: the run index, the assignment of runs, study.json, the estimate.
#include "engine/study/study_runs.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "engine/cluster/sweep_plan.h"
#include "engine/config/config_diff.h"
#include "engine/runs/run_folder.h"
#include "engine/util/error.h"
#include "engine/util/file_io.h"
#include "engine/util/paths.h"
#include "engine/util/utc_time.h"

namespace gwb::study {
namespace {

using Json = nlohmann::ordered_json;
namespace fs = std::filesystem;

Json configJson(const RunConfig& c) { return Json::parse(runConfigToJson(c)); }

}  // namespace

RunIndex::RunIndex(const std::string& runs_dir) {
  if (!fs::is_directory(runs_dir)) return;
  RunFolder folder(runs_dir);
  folder.refresh();
  for (const RunRecord* r : folder.records()) records_.push_back(*r);
  for (std::size_t i = 0; i < records_.size(); ++i) {
    const RunRecord& r = records_[i];
    if (!r.config) continue;
    by_key_[{hashOf(r), r.config->seed}].push_back(i);
  }
}

std::string RunIndex::hashOf(const RunRecord& record) {
  if (!record.config_sha256.empty()) return record.config_sha256;
  if (!record.config) return {};
  RunConfig resolved = *record.config;
  resolveRunConfig(resolved, knownVocabSize(resolved.data.tokenizer));
  return configSha256(resolved, record.precision == "bf16");
}

const RunRecord* RunIndex::find(const std::string& hash, std::int64_t seed) const {
  const auto it = by_key_.find({hash, seed});
  if (it == by_key_.end()) return nullptr;
  const RunRecord* resumable_run = nullptr;
  for (const std::size_t i : it->second) {  // newest first (RunFolder's order)
    const RunRecord& r = records_[i];
    if (r.status == RunStatus::Finished) return &r;
    if (!resumable_run && resumable(r.status)) resumable_run = &r;
  }
  return resumable_run;
}

RunConfig runConfig(const StudyCell& cell, const std::string& arch, std::int64_t seed) {
  RunConfig c = cell.config(arch);
  c.seed = seed;
  c.name += "-s" + std::to_string(seed);
  return c;
}

Study assignRuns(const StudyPlan& plan, const std::string& runs_dir, const std::string& id,
                 const RunIndex& index) {
  Study study;
  study.id = id;
  study.runs_dir = absolutePath(runs_dir);
  study.dir = study.runs_dir + "/studies/" + id;
  study.created = utcNow();
  study.plan = plan;
  std::map<std::pair<std::string, std::int64_t>, std::pair<std::string, bool>> assigned;
  for (std::size_t c = 0; c < plan.cells.size(); ++c) {
    const StudyCell& cell = plan.cells[c];
    std::vector<CellRun> seeds;
    for (const std::int64_t seed : plan.seeds) {
      CellRun run;
      run.seed = seed;
      for (const std::string& arch : studyArchs()) {
        const auto key = std::make_pair(cell.hash(arch), seed);
        auto it = assigned.find(key);
        if (it == assigned.end()) {
          std::pair<std::string, bool> where;
          if (const RunRecord* r = index.find(key.first, seed)) {
            where = {r->dir, r->status == RunStatus::Finished};
          } else {
            char name[32];
            std::snprintf(name, sizeof name, "-c%02zu-", c + 1);
            where = {study.runs_dir + "/" + id + name + arch + "-s" + std::to_string(seed), false};
          }
          it = assigned.emplace(key, where).first;
        }
        (arch == "grassmann" ? run.grassmann : run.transformer) = it->second.first;
        (arch == "grassmann" ? run.reused_grassmann : run.reused_transformer) = it->second.second;
      }
      seeds.push_back(run);
    }
    study.runs.push_back(seeds);
  }
  return study;
}

std::vector<RunToTrain> runsToTrain(const Study& study) {
  std::vector<RunToTrain> out;
  std::set<std::string> seen;
  for (std::size_t c = 0; c < study.plan.cells.size(); ++c) {
    for (const CellRun& run : study.runs[c]) {
      for (const std::string& arch : studyArchs()) {
        const std::string& dir = run.dir(arch);
        if (!seen.insert(dir).second) continue;
        if (fs::exists(dir + "/summary.json")) {
          const RunRecord r = readRun(dir);
          if (r.status == RunStatus::Finished) continue;
        }
        out.push_back({dir, runConfig(study.plan.cells[c], arch, run.seed), study.plan.cells[c].id,
                       arch, run.seed});
      }
    }
  }
  return out;
}

RunCounts countRuns(const Study& study) {
  RunCounts counts;
  std::set<std::string> seen;
  for (const auto& cell : study.runs) {
    for (const CellRun& run : cell) {
      for (const std::string& arch : studyArchs()) {
        if (!seen.insert(run.dir(arch)).second) continue;
        ++counts.total;
        if (run.reused(arch)) ++counts.reused;
      }
    }
  }
  counts.to_train = static_cast<int>(runsToTrain(study).size());
  counts.finished = counts.total - counts.to_train;
  return counts;
}

std::optional<double> estimateSeconds(const std::vector<RunToTrain>& runs, const RunIndex& index) {
  // Measured pace by shape (seconds per step), and the best FLOP rate (6 x parameters x tokens/s)
  // of any run, for shapes nobody measured.
  std::map<std::string, double> pace;
  double flops = 0;
  const auto shape = [](const RunConfig& c) {
    return c.model.arch + "|" + std::to_string(c.model.d_model) + "|" +
           std::to_string(c.model.n_layers) + "|" + std::to_string(c.model.d_ff) + "|" +
           std::to_string(c.data.seq_len) + "|" + std::to_string(c.train.batch_size) + "|" +
           (c.model.arch == "grassmann" ? std::to_string(c.model.windows.size()) : "");
  };
  for (const RunRecord& r : index.records()) {
    if (!r.config) continue;
    std::optional<double> sps = r.numbers.recentSecondsPerStep();
    if (!sps && r.summary && r.summary->step_ms) sps = *r.summary->step_ms / 1000.0;
    if (sps && *sps > 0) pace.emplace(shape(*r.config), *sps);
    std::optional<double> tps = r.numbers.recentTokensPerSecond();
    if (!tps && r.summary && r.summary->tokens_per_s) tps = *r.summary->tokens_per_s;
    if (tps && r.params > 0) flops = std::max(flops, 6.0 * static_cast<double>(r.params) * *tps);
  }
  double total = 0;
  std::map<std::string, std::int64_t> steps_of;  // estimateTotalSteps reads the data: once a shape
  for (const RunToTrain& run : runs) {
    const std::string key = shape(run.config) + "|" + std::to_string(run.config.train.epochs) +
                            "|" + std::to_string(run.config.train.max_steps);
    auto s = steps_of.find(key);
    if (s == steps_of.end()) s = steps_of.emplace(key, estimateTotalSteps(run.config)).first;
    const double steps = static_cast<double>(s->second);
    if (const auto p = pace.find(shape(run.config)); p != pace.end()) {
      total += steps * p->second;
    } else if (flops > 0) {
      RunConfig resolved = run.config;
      resolveRunConfig(resolved, knownVocabSize(resolved.data.tokenizer));
      const double tokens = static_cast<double>(resolved.train.batch_size * resolved.data.seq_len);
      total += steps * 6.0 * static_cast<double>(countTrainedParameters(resolved)) * tokens / flops;
    } else {
      return std::nullopt;
    }
  }
  return total;
}

std::string studyJson(const Study& s) {
  const StudyPlan& p = s.plan;
  Json j;
  j["id"] = s.id;
  j["created"] = s.created;
  j["runs_dir"] = s.runs_dir;
  j["design"] = p.request.design;
  j["scale"] = p.request.scale;
  if (p.request.scale == "cpu") j["steps"] = p.request.steps;
  j["a"] = {{"label", p.a.label}, {"arg", p.request.a}, {"source", p.a.source}};
  j["b"] = {{"label", p.b.label}, {"arg", p.request.b}, {"source", p.b.source}};
  j["seeds"] = p.seeds;
  j["sets"] = p.request.sets;
  j["cuda"] = p.bf16_on_cuda;
  Json factors = Json::array();
  for (const Factor& f : p.factors)
    factors.push_back({{"name", f.name}, {"keys", f.keys}, {"arch_specific", f.arch_specific}});
  j["factors"] = factors;
  if (p.request.design == "path") {
    j["orders"] = p.path.orders;
    j["order_seed"] = p.request.order_seed;
  } else {
    j["fraction"] = p.request.fraction;
    j["generators"] = p.factorial.generators;
    j["held_at_a"] = p.held_at_a;
  }
  j["notes"] = p.notes;
  Json cells = Json::array();
  for (std::size_t c = 0; c < p.cells.size(); ++c) {
    const StudyCell& cell = p.cells[c];
    Json levels = Json::object();
    for (const auto& [name, level] : cell.levels) levels[name] = level;
    Json runs = Json::array();
    for (const CellRun& r : s.runs[c]) {
      runs.push_back(
          {{"seed", r.seed},
           {"grassmann", r.grassmann},
           {"transformer", r.transformer},
           {"reused", {{"grassmann", r.reused_grassmann}, {"transformer", r.reused_transformer}}}});
    }
    cells.push_back(
        {{"id", cell.id},
         {"levels", levels},
         {"config_sha256",
          {{"grassmann", cell.grassmann_sha256}, {"transformer", cell.transformer_sha256}}},
         {"configs",
          {{"grassmann", configJson(cell.grassmann)},
           {"transformer", configJson(cell.transformer)}}},
         {"runs", runs}});
  }
  j["cells"] = cells;
  return j.dump(2) + "\n";
}

void writeStudy(const Study& study) {
  fs::create_directories(study.dir);
  writeFileAtomic(study.dir + "/study.json", studyJson(study));
}

Study readStudy(const std::string& dir_or_file) {
  const std::string file =
      fs::is_directory(dir_or_file) ? dir_or_file + "/study.json" : dir_or_file;
  if (!fs::exists(file))
    throw InputError({file},
                     "expected a study folder (gwb study run writes <runs>/studies/<id>/"
                     "study.json), got no study.json there");
  Json j;
  try {
    j = Json::parse(readFileBytes(file));
  } catch (const Json::exception& e) {
    throw InputError({file}, std::string("expected JSON, got a parse error: ") + e.what());
  }
  const auto need = [&](const Json& obj, const char* key, Json::value_t type,
                        const std::string& where) -> const Json& {
    if (!obj.is_object() || !obj.contains(key) || obj[key].type() != type) {
      throw InputError({file, 0, where + key},
                       std::string("expected ") +
                           (type == Json::value_t::array    ? "an array"
                            : type == Json::value_t::string ? "a string"
                                                            : "an object") +
                           ", got " +
                           (obj.is_object() && obj.contains(key) ? obj[key].dump() : "none"));
    }
    return obj[key];
  };
  Study s;
  StudyPlan& p = s.plan;
  try {
    s.id = need(j, "id", Json::value_t::string, "").get<std::string>();
    s.created = j.value("created", "");
    s.runs_dir = j.value("runs_dir", "");
    s.dir = absolutePath(fs::path(file).parent_path().string());
    p.request.design = need(j, "design", Json::value_t::string, "").get<std::string>();
    p.request.scale = need(j, "scale", Json::value_t::string, "").get<std::string>();
    p.request.steps = j.value("steps", std::int64_t{600});
    p.a.label = j.value("/a/label"_json_pointer, "A");
    p.b.label = j.value("/b/label"_json_pointer, "B");
    p.request.a = j.value("/a/arg"_json_pointer, p.a.label);
    p.request.b = j.value("/b/arg"_json_pointer, p.b.label);
    p.a.source = j.value("/a/source"_json_pointer, "");
    p.b.source = j.value("/b/source"_json_pointer, "");
    for (const Json& seed : need(j, "seeds", Json::value_t::array, "")) {
      p.seeds.push_back(seed.get<std::int64_t>());
    }
    p.request.seeds = static_cast<int>(p.seeds.size());
    if (j.contains("sets")) p.request.sets = j["sets"].get<std::vector<std::string>>();
    p.bf16_on_cuda = j.value("cuda", false);
    for (const Json& f : need(j, "factors", Json::value_t::array, "")) {
      p.factors.push_back({f.at("name").get<std::string>(),
                           f.at("keys").get<std::vector<std::string>>(),
                           f.value("arch_specific", false)});
    }
    if (j.contains("notes")) p.notes = j["notes"].get<std::vector<std::string>>();
    std::vector<std::string> names;
    for (const Factor& f : p.factors) names.push_back(f.name);
    if (p.request.design == "path") {
      p.path = pathPlan(
          need(j, "orders", Json::value_t::array, "").get<std::vector<std::vector<std::string>>>());
      p.request.order = p.path.orders.front();
      p.request.orders = static_cast<int>(p.path.orders.size());
      p.request.order_seed = j.value("order_seed", std::uint64_t{1});
    } else if (p.request.design == "factorial") {
      p.request.fraction = j.value("fraction", 0);
      p.request.switches = names;
      p.factorial = makeFactorial(names, p.request.fraction);
      if (j.contains("held_at_a")) p.held_at_a = j["held_at_a"].get<std::vector<std::string>>();
    } else {
      throw InputError({file, 0, "design"},
                       expectedGot("path or factorial", "\"" + p.request.design + "\""));
    }
    const Json& cells = need(j, "cells", Json::value_t::array, "");
    const std::size_t expected =
        p.request.design == "path" ? p.path.cells.size() : p.factorial.runs.size();
    if (cells.size() != expected)
      throw InputError({file, 0, "cells"},
                       expectedGot(std::to_string(expected) + " cells (the design's)",
                                   std::to_string(cells.size())));
    for (std::size_t c = 0; c < cells.size(); ++c) {
      const Json& cj = cells[c];
      const std::string where = "cells[" + std::to_string(c) + "].";
      StudyCell cell;
      cell.id = need(cj, "id", Json::value_t::string, where).get<std::string>();
      const Json& levels = need(cj, "levels", Json::value_t::object, where);
      for (std::size_t f = 0; f < p.factors.size(); ++f) {
        const std::string& name = p.factors[f].name;
        const std::string level = levels.value(name, "");
        if (level != "A" && level != "B")
          throw InputError(
              {file, 0, where + "levels." + name},
              expectedGot("\"A\" or \"B\"",
                          levels.contains(name) ? levels[name].dump() : std::string("none")));
        // The design fixes each cell's levels: a cell edited by hand would be a wrong table.
        const bool want_b =
            p.request.design == "path"
                ? std::find(p.path.cells[c].switched.begin(), p.path.cells[c].switched.end(),
                            name) != p.path.cells[c].switched.end()
                : p.factorial.runs[c][f] > 0;
        if ((level == "B") != want_b)
          throw InputError({file, 0, where + "levels." + name},
                           expectedGot(std::string("\"") + (want_b ? "B" : "A") +
                                           "\" (the design's level of this cell)",
                                       "\"" + level + "\""));
        cell.levels.emplace_back(name, level);
      }
      const Json& configs = need(cj, "configs", Json::value_t::object, where);
      for (const std::string& arch : studyArchs()) {
        const RunConfig config = parseRunConfig(
            need(configs, arch.c_str(), Json::value_t::object, where + "configs.").dump(),
            file + ": " + where + "configs." + arch);
        (arch == "grassmann" ? cell.grassmann : cell.transformer) = config;
        const std::string hash = runHash(config, p.bf16_on_cuda);
        const std::string stored = cj.value("/config_sha256"_json_pointer / arch, "");
        if (stored != hash)
          s.warnings.push_back("study.json " + where + "configs." + arch +
                               " does not hash to its config_sha256 (edited by hand?): runs are "
                               "matched by the configuration as written");
        (arch == "grassmann" ? cell.grassmann_sha256 : cell.transformer_sha256) = hash;
      }
      std::vector<CellRun> runs;
      for (const Json& rj : need(cj, "runs", Json::value_t::array, where)) {
        CellRun r;
        r.seed = rj.at("seed").get<std::int64_t>();
        r.grassmann = rj.at("grassmann").get<std::string>();
        r.transformer = rj.at("transformer").get<std::string>();
        r.reused_grassmann = rj.value("/reused/grassmann"_json_pointer, false);
        r.reused_transformer = rj.value("/reused/transformer"_json_pointer, false);
        runs.push_back(r);
      }
      if (runs.size() != p.seeds.size())
        throw InputError({file, 0, where + "runs"},
                         expectedGot(std::to_string(p.seeds.size()) + " runs (one per seed)",
                                     std::to_string(runs.size())));
      for (std::size_t k = 0; k < runs.size(); ++k) {
        if (runs[k].seed != p.seeds[k])
          throw InputError({file, 0, where + "runs[" + std::to_string(k) + "].seed"},
                           expectedGot(std::to_string(p.seeds[k]) + " (the study's seeds in order)",
                                       std::to_string(runs[k].seed)));
      }
      p.cells.push_back(cell);
      s.runs.push_back(runs);
    }
  } catch (const Json::exception& e) {
    throw InputError({file},
                     std::string("expected a study.json as gwb study writes it: ") + e.what());
  }
  return s;
}

std::string planJson(const Study& s, std::optional<double> estimated_s, int indent) {
  const StudyPlan& p = s.plan;
  Json j;
  j["design"] = p.request.design;
  j["scale"] = p.request.scale;
  if (p.request.scale == "cpu") j["steps"] = p.request.steps;
  j["a"] = p.a.label;
  j["b"] = p.b.label;
  j["seeds"] = p.seeds;
  Json factors = Json::array();
  for (const Factor& f : p.factors)
    factors.push_back({{"name", f.name}, {"keys", f.keys}, {"arch_specific", f.arch_specific}});
  j[p.request.design == "path" ? "groups" : "switches"] = factors;
  if (p.request.design == "path") j["orders"] = p.path.orders;
  Json cells = Json::array();
  for (std::size_t c = 0; c < p.cells.size(); ++c) {
    const StudyCell& cell = p.cells[c];
    Json levels = Json::object();
    for (const auto& [name, level] : cell.levels) levels[name] = level;
    cells.push_back({{"id", cell.id},
                     {"levels", levels},
                     {"configs",
                      {{"grassmann", configJson(cell.grassmann)},
                       {"transformer", configJson(cell.transformer)}}}});
  }
  j["cells"] = cells;
  const RunCounts counts = countRuns(s);
  j["runs_to_train"] = counts.to_train;
  j["runs_reused"] = counts.reused;
  j["runs_total"] = counts.total;
  j["estimated_s"] = estimated_s ? Json(std::round(*estimated_s)) : Json(nullptr);
  if (!estimated_s && counts.to_train > 0)
    j["estimate_note"] =
        "no run in this runs folder measured a pace yet: train one run (or gwb "
        "bench) and plan again for a time";
  Json aliases = Json::array();
  if (p.request.design == "factorial") {
    for (const AliasChain& a : p.factorial.aliases) {
      if (!a.aliases.empty()) aliases.push_back(a.names);
    }
    j["defining_relation"] = p.factorial.definingRelation();
    j["resolution"] = p.factorial.resolution;
  }
  j["aliases"] = aliases;
  j["notes"] = p.notes;
  return j.dump(indent);
}

}  // namespace gwb::study
