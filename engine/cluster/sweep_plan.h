// The sweep of `gwb speedrun` and of the workbench's cluster dialog: which presets a task's
// family means, K seeds of each, `--set` overrides applied to every configuration. One plan for
// every back-end (local threads, a SLURM job array). Torch-free: the GUI plans with it too.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/config/run_config.h"

namespace gwb {

/// What to sweep.
struct SweepRequest {
  std::string task = "wikitext2";  ///< "wikitext2" (alias "wikitext") or "snli"
  std::string family;              ///< "": the task's default (wikitext2 reference, snli scratch)
  std::int64_t seeds = 1;          ///< seeds per configuration (preset seed, +1, +2...)
  std::vector<std::string> sets;   ///< `a.b=VALUE` overrides applied to every configuration
  std::vector<std::string> recipes{};  ///< family "recipes": these recipes only (empty: all)
};

/// One run of the sweep.
struct PlannedRun {
  std::string preset;     ///< the preset it comes from
  RunConfig config;       ///< overrides and seed applied; name suffixed -s<seed> when seeds > 1
  std::string source;     ///< the preset file
  std::string run_dir{};  ///< where to train it ("": the sweep names it; a study's run: its own)
};

struct SweepPlan {
  std::string task;    ///< canonical: "wikitext2" or "snli"
  std::string family;  ///< resolved
  std::int64_t seeds = 1;
  std::vector<std::string> sets;  ///< the overrides applied
  std::vector<PlannedRun> runs;   ///< configuration-major: every seed of one preset together
};

/// The families of `task` ("wikitext2": reference, paper, paper-perlayer, arledge, recipes,
/// cpu-small; "snli": scratch, paper, reference, cpu-small), the default first.
std::vector<std::string> sweepFamilies(const std::string& task);

/// The presets of a family: wikitext2's 8 (N in {6, 12} x L in {128, 256} x transformer,
/// grassmann), every recipe-* preset (SPEC §8; `recipes` picks some: InputError naming the choices
/// for an unknown one) or its two cpu-small presets; snli's snli-<family>-<arch> or
/// cpu-small-snli-<arch>. InputError (key --preset-family) for a family the task does not have; the
/// presets need not exist (but recipe-* ones are listed from the presets folder).
std::vector<std::string> sweepPresets(const std::string& task, const std::string& family,
                                      const std::vector<std::string>& recipes = {});

/// The whole plan. InputError for an unknown task, family, a missing preset, a bad override or a
/// seed count below 1.
SweepPlan planSweep(const SweepRequest& request);

/// Optimizer steps the run will take (epochs x batches per epoch, capped by train.max_steps),
/// counted from its data through the token cache as the trainer counts them; train.max_steps (or
/// 0: unknown) when the data cannot be read here.
std::int64_t estimateTotalSteps(const RunConfig& config);

}  // namespace gwb
