// Study plans: the ends, the scale, the factors that differ and the cells of the design.
#include <algorithm>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <set>

#include "engine/config/config_diff.h"
#include "engine/config/config_keys.h"
#include "engine/config/presets.h"
#include "engine/config/recipes.h"
#include "engine/config/tasks.h"
#include "engine/data/data_source.h"
#include "engine/study/study.h"
#include "engine/util/error.h"
#include "engine/util/utc_time.h"

namespace gwb::study {
namespace {

std::string otherArch(const std::string& arch) {
  return arch == "grassmann" ? "transformer" : "grassmann";
}

/// "reference-n12-l256" -> ("reference", 12, 256); a bare recipe name -> (name, 0, 0).
bool splitRecipeArg(const std::string& arg, std::string& recipe, std::int64_t& n, std::int64_t& l) {
  for (const std::string& name : recipeNames()) {
    if (arg == name) {
      recipe = name;
      n = l = 0;
      return true;
    }
    const std::string prefix = name + "-n";
    if (arg.rfind(prefix, 0) != 0) continue;
    long long nn = 0, ll = 0;
    char tail = 0;
    if (std::sscanf(arg.c_str() + prefix.size(), "%lld-l%lld%c", &nn, &ll, &tail) == 2) {
      recipe = name;
      n = nn;
      l = ll;
      return true;
    }
  }
  return false;
}

}  // namespace

const std::vector<SwitchGroup>& switchGroups() {
  // SPEC §9's groups; each key of a Wikitext-2 language model that can differ between two
  // recipes belongs to exactly one (tst_study checks the table against the configuration keys).
  static const std::vector<SwitchGroup> groups = {
      {"tokens", {"data.tokenizer", "data.gpt2_rows", "model.vocab_size"}},
      {"data", {"data.format", "data.targets", "train.drop_last", "data.max_train_tokens"}},
      {"size",
       {"model.n_layers", "data.seq_len", "model.max_len", "train.batch_size", "model.heads",
        "model.d_model", "model.d_ff", "model.r"}},
      {"block",
       {"model.norm", "model.ffn_dropout", "model.mix_proj", "model.dropout", "model.attn_dropout",
        "model.tie_embeddings"}},
      {"mixer",
       {"model.mix_output", "model.offset_mean", "model.plucker_eps", "model.normalize_plucker",
        "model.pairing"}},
      {"offsets", {"model.windows", "model.window_mode"}},
      {"init", {"model.init"}},
      {"optimizer",
       {"train.lr", "train.betas", "train.weight_decay", "train.clip", "train.adam_eps"}},
      {"schedule", {"train.schedule", "train.warmup_steps", "train.warmup_from", "train.min_lr"}},
      {"precision", {"train.precision", "train.cuda_graph"}},
      {"length", {"train.epochs", "train.max_steps"}},
      {"evaluation", {"train.eval_mean", "data.max_eval_tokens"}},
  };
  return groups;
}

std::string groupOf(const std::string& key) {
  for (const SwitchGroup& g : switchGroups()) {
    if (std::find(g.keys.begin(), g.keys.end(), key) != g.keys.end()) return g.name;
  }
  return {};
}

StudyEnd loadStudyEnd(const std::string& arg, const RunConfig* size_hint) {
  StudyEnd end;
  std::string recipe;
  std::int64_t n = 0, l = 0;
  if (splitRecipeArg(arg, recipe, n, l)) {
    end.label = arg;
    std::vector<const RecipePreset*> mine;
    for (const RecipePreset& p : recipePresets()) {
      if (p.recipe == recipe) mine.push_back(&p);
    }
    if (mine.empty())
      throw InputError({"", 0, arg}, "recipe " + recipe + " has no presets in this workbench");
    if (n == 0 && size_hint) {
      for (const RecipePreset* p : mine) {
        if (p->n_layers == size_hint->model.n_layers && p->seq_len == size_hint->data.seq_len) {
          n = p->n_layers;
          l = p->seq_len;
        }
      }
    }
    if (n == 0) {
      n = mine.front()->n_layers;
      l = mine.front()->seq_len;
    }
    std::vector<std::string> sizes;
    for (const RecipePreset* p : mine) {
      if (p->n_layers != n || p->seq_len != l) {
        sizes.push_back(recipe + "-n" + std::to_string(p->n_layers) + "-l" +
                        std::to_string(p->seq_len));
        continue;
      }
      (p->arch == "grassmann" ? end.grassmann : end.transformer) = p->config;
      end.source += (end.source.empty() ? "" : ", ") + p->preset;
    }
    if (end.source.find("grassmann") == std::string::npos ||
        end.source.find("transformer") == std::string::npos) {
      std::sort(sizes.begin(), sizes.end());
      sizes.erase(std::unique(sizes.begin(), sizes.end()), sizes.end());
      throw InputError(
          {"", 0, arg},
          expectedGot("a size the recipe publishes for both architectures (" + join(sizes, ", ") + ")",
                      "n" + std::to_string(n) + "-l" + std::to_string(l)));
    }
    return end;
  }
  // A preset or a configuration file: its twin is the same configuration, the other architecture.
  std::string source;
  RunConfig config;
  try {
    config = loadConfigArgument(arg, {}, &source);
  } catch (const InputError& e) {
    throw InputError(e.where(),
                     e.detail() + " (a study's A and B: a recipe (" + join(recipeNames(), ", ") +
                         "), optionally with a size (reference-n12-l256), a preset or a file)");
  }
  end.label = std::filesystem::path(arg).stem().string();
  end.source = source;
  RunConfig twin = config;
  twin.model.arch = otherArch(config.model.arch);
  (config.model.arch == "grassmann" ? end.grassmann : end.transformer) = config;
  (config.model.arch == "grassmann" ? end.transformer : end.grassmann) = twin;
  return end;
}

void applyScale(RunConfig& c, const std::string& scale, std::int64_t steps) {
  if (scale == "full") return;
  if (scale == "small") {
    c.model.d_model = 128;
    c.model.d_ff = 512;
    c.model.r = 16;
    c.train.epochs = std::max<std::int64_t>(1, (c.train.epochs + 2) / 4);
    return;
  }
  if (scale == "cpu") {
    if (steps < 1)
      throw InputError({"", 0, "--steps"},
                       expectedGot("a positive step count", std::to_string(steps)));
    c.model.d_model = 64;
    c.model.d_ff = 256;
    c.model.r = 16;
    c.data.seq_len = 64;
    c.model.max_len = 0;  // resolved from seq_len
    c.train.batch_size = 16;
    c.train.precision = "fp32";
    c.train.max_steps = steps;
    c.train.eval_every = std::max<std::int64_t>(1, steps / 4);
    c.data.max_eval_tokens = 16384;  // capped evaluation: the first 256 chunks of 64, every run
    return;
  }
  throw InputError({"", 0, "--scale"}, expectedGot("full, small or cpu", "\"" + scale + "\""));
}

std::string runHash(const RunConfig& config, bool cuda) {
  RunConfig resolved = config;
  resolveRunConfig(resolved, knownVocabSize(resolved.data.tokenizer));
  return configSha256(resolved, usesBf16(resolved.train, cuda));
}

StudyPlan planStudy(const StudyRequest& request, bool cuda) {
  StudyPlan plan;
  plan.request = request;
  plan.bf16_on_cuda = cuda;
  if (request.design != "path" && request.design != "factorial")
    throw InputError({"", 0, "DESIGN"},
                     expectedGot("path or factorial", "\"" + request.design + "\""));
  if (request.seeds < 1)
    throw InputError({"", 0, "--seeds"},
                     expectedGot("a positive count", std::to_string(request.seeds)));
  if (request.a.empty() || request.b.empty())
    throw InputError({"", 0, "A B"}, "expected two recipes or configurations");
  // A bare recipe name takes a size the other end has, where it publishes one.
  const StudyEnd b_alone = loadStudyEnd(request.b);
  plan.a = loadStudyEnd(request.a, &b_alone.grassmann);
  plan.b = loadStudyEnd(request.b, &plan.a.grassmann);
  for (StudyEnd* end : {&plan.a, &plan.b}) {
    for (RunConfig* c : {&end->grassmann, &end->transformer}) {
      if (canonicalTaskOrEmpty(c->data.task) != "wikitext2")
        throw InputError({end->source, 0, "data.task"},
                         expectedGot("wikitext2 (a study compares language models)",
                                     "\"" + c->data.task + "\""));
      applyScale(*c, request.scale, request.steps);
      if (!c->recipe.empty() && c->data.format == "auto") {
        // A recipe reads its own corpus where it is installed (data_source.h): the cells name
        // the format it resolves to, since a mixture of two recipes is no recipe.
        const DataResolution r =
            resolveTaskData(c->data.task, c->data.dir, "auto", "", /*prefer_raw=*/true);
        c->data.format = r.format == "raw" ? "raw" : "tokens";
        if (r.v1_not_raw && c == &end->grassmann)
          plan.notes.push_back(
              end->label +
              ": wikitext2-raw is not installed; its runs read the "
              "tokenized v1 (gwb data fetch wikitext2-raw installs the raw corpus)");
      }
      if (!request.sets.empty())
        *c = parseRunConfig(applyOverrides(runConfigToJson(*c), request.sets, "--set"),
                            end->source + " with --set");
    }
  }
  if (request.scale == "cpu") {
    // Both stop at the step budget: the length group would only rename the same run.
    for (const std::string& arch : studyArchs()) {
      RunConfig& a = arch == "grassmann" ? plan.a.grassmann : plan.a.transformer;
      RunConfig& b = arch == "grassmann" ? plan.b.grassmann : plan.b.transformer;
      a.train.epochs = b.train.epochs = std::max(a.train.epochs, b.train.epochs);
    }
    plan.notes.push_back(
        "scale cpu: d 64, d_ff 256, r 16, L 64, batch 16, fp32, " + std::to_string(request.steps) +
        " steps, evaluation capped at the first 16384 tokens; the precision and length groups "
        "change "
        "nothing at this scale. Effects at a small scale need not hold at full scale.");
  } else if (request.scale == "small") {
    plan.notes.push_back(
        "scale small: d 128, d_ff 512, r 16, a quarter of the epochs. Effects at "
        "a small scale need not hold at full scale.");
  }
  for (std::int64_t k = 0; k < request.seeds; ++k) plan.seeds.push_back(plan.a.grassmann.seed + k);

  // The keys that differ, per architecture, and their groups.
  std::vector<std::string> differing;
  std::set<std::string> per_arch[2];
  for (std::size_t i = 0; i < 2; ++i) {
    const std::string& arch = studyArchs()[i];
    for (const std::string& key :
         differingKeys(plan.a.of(arch), plan.b.of(arch), DiffScope::Experiment)) {
      if (key == "model.arch") continue;
      per_arch[i].insert(key);
      if (std::find(differing.begin(), differing.end(), key) == differing.end())
        differing.push_back(key);
    }
  }
  for (const std::string& key : differing) {
    if (groupOf(key).empty())
      throw InputError({"", 0, key}, "differs between " + plan.a.label + " and " + plan.b.label +
                                         " but belongs to no switch group of SPEC §9");
  }
  const auto factorOf = [&](const std::string& name, const std::vector<std::string>& keys) {
    Factor f{name, {}, false};
    bool g = false, t = false;
    for (const std::string& key : keys) {
      if (std::find(differing.begin(), differing.end(), key) == differing.end()) continue;
      f.keys.push_back(key);
      g |= per_arch[0].count(key) > 0;
      t |= per_arch[1].count(key) > 0;
    }
    f.arch_specific = g != t;
    return f;
  };

  if (request.design == "path") {
    std::vector<std::string> order = request.order;
    if (order.empty()) {
      for (const SwitchGroup& g : switchGroups()) {
        if (!factorOf(g.name, g.keys).keys.empty()) order.push_back(g.name);
      }
    }
    std::vector<std::string> kept;
    for (const std::string& name : order) {
      const auto g = std::find_if(switchGroups().begin(), switchGroups().end(),
                                  [&](const SwitchGroup& s) { return s.name == name; });
      if (g == switchGroups().end()) {
        std::vector<std::string> names;
        for (const SwitchGroup& s : switchGroups()) names.push_back(s.name);
        throw InputError({"", 0, "--order"},
                         expectedGot("switch groups (" + join(names, ", ") + ")", "\"" + name + "\""));
      }
      Factor f = factorOf(g->name, g->keys);
      if (f.keys.empty()) {
        plan.notes.push_back("group " + name + ": no key differs between " + plan.a.label +
                             " and " + plan.b.label + " here; left out of the path");
        continue;
      }
      kept.push_back(name);
      plan.factors.push_back(f);
    }
    for (const std::string& key : differing) {
      if (std::find(kept.begin(), kept.end(), groupOf(key)) == kept.end())
        throw InputError({"", 0, "--order"}, "names no group for " + key + " (group " +
                                                 groupOf(key) + "), which differs between " +
                                                 plan.a.label + " and " + plan.b.label);
    }
    if (kept.empty())
      throw InputError({"", 0, "A B"}, plan.a.label + " and " + plan.b.label +
                                           " do not differ: a path needs a switch");
    plan.path = pathPlan(pathOrders(kept, request.orders, request.order_seed));
    for (const PathCell& pc : plan.path.cells) {
      StudyCell cell;
      cell.id = pc.id;
      for (const Factor& f : plan.factors) {
        const bool at_b =
            std::find(pc.switched.begin(), pc.switched.end(), f.name) != pc.switched.end();
        cell.levels.emplace_back(f.name, at_b ? "B" : "A");
      }
      plan.cells.push_back(cell);
    }
  } else {
    if (request.switches.empty())
      throw InputError({"", 0, "--switches"}, "expected the switches of the factorial");
    std::set<std::string> used;
    for (const std::string& name : request.switches) {
      const auto g = std::find_if(switchGroups().begin(), switchGroups().end(),
                                  [&](const SwitchGroup& s) { return s.name == name; });
      Factor f;
      if (g != switchGroups().end()) {
        f = factorOf(g->name, g->keys);
      } else if (!groupOf(name).empty()) {
        f = factorOf(name, {name});
      } else {
        throw InputError(
            {"", 0, "--switches"},
            expectedGot("switch groups or configuration keys of a group", "\"" + name + "\""));
      }
      if (f.keys.empty())
        throw InputError({"", 0, "--switches"}, "\"" + name + "\" does not differ between " +
                                                    plan.a.label + " and " + plan.b.label);
      for (const std::string& key : f.keys) {
        if (!used.insert(key).second)
          throw InputError({"", 0, "--switches"}, key + " is in two switches");
      }
      plan.factors.push_back(f);
    }
    for (const std::string& key : differing) {
      if (!used.count(key)) plan.held_at_a.push_back(key);
    }
    if (!plan.held_at_a.empty())
      plan.notes.push_back("held at " + plan.a.label +
                           " in every cell (no switch names them): " + join(plan.held_at_a, ", ") +
                           "; the cell with every switch at B is not " + plan.b.label);
    std::vector<std::string> names;
    for (const Factor& f : plan.factors) names.push_back(f.name);
    plan.factorial = makeFactorial(names, request.fraction);
    for (std::size_t r = 0; r < plan.factorial.runs.size(); ++r) {
      StudyCell cell;
      bool all_a = true, all_b = true;
      for (std::size_t i = 0; i < plan.factors.size(); ++i) {
        const bool at_b = plan.factorial.runs[r][i] > 0;
        all_a &= !at_b;
        all_b &= at_b;
        cell.levels.emplace_back(plan.factors[i].name, at_b ? "B" : "A");
      }
      cell.id = all_a ? "A" : all_b && plan.held_at_a.empty() ? "B" : "r" + std::to_string(r + 1);
      plan.cells.push_back(cell);
    }
  }

  // Each cell's configurations: A's, with the keys of the factors at B taken from B.
  for (StudyCell& cell : plan.cells) {
    for (const std::string& arch : studyArchs()) {
      RunConfig c = plan.a.of(arch);
      for (std::size_t i = 0; i < plan.factors.size(); ++i) {
        if (cell.levels[i].second != "B") continue;
        for (const std::string& key : plan.factors[i].keys) copyKey(c, plan.b.of(arch), key);
      }
      c.recipe.clear();  // a mixture is no recipe
      if (cell.id == "A") c.recipe = plan.a.of(arch).recipe;
      if (cell.id == "B") c.recipe = plan.b.of(arch).recipe;
      c.name = "study-" + cell.id + "-" + arch;
      std::replace(c.name.begin(), c.name.end(), '+', '_');
      c.description = "study " + plan.a.label + " -> " + plan.b.label + ", cell " + cell.id;
      RunConfig resolved = c;
      resolveRunConfig(resolved, knownVocabSize(resolved.data.tokenizer));
      const std::vector<ConfigProblem> problems = configProblems(resolved, cuda);
      if (!problems.empty())
        throw InputError({"cell " + cell.id + " (" + arch + ")", 0, problems.front().key},
                         problems.front().message +
                             " (the switches combine into a configuration that cannot train)");
      (arch == "grassmann" ? cell.grassmann : cell.transformer) = c;
      (arch == "grassmann" ? cell.grassmann_sha256 : cell.transformer_sha256) = runHash(c, cuda);
    }
  }
  return plan;
}

std::string studyId(const StudyPlan& plan, std::int64_t now) {
  const std::string stamp = utcText(now, kFolderStamp);
  std::string id = std::string(stamp) + "-" + plan.request.design + "-" + plan.a.label + "-" +
                   plan.b.label + "-" + plan.request.scale;
  for (char& ch : id) {
    if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '-' && ch != '_') ch = '_';
  }
  return id;
}

}  // namespace gwb::study
