// A study (SPEC §9): two recipes (or configuration files) A and B, the switch groups in which they
// differ, a design over them (a path or a factorial), the scale it trains at and K paired seeds;
// the plan is every cell with the configuration of each architecture and its hash. Planning reads
// presets and configuration files but no runs; which runs exist is study_runs.h's. Torch-free,
// Qt-free.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/config/run_config.h"
#include "engine/study/design.h"

namespace gwb::study {

/// A group of switches of SPEC §9 and the configuration keys in it.
struct SwitchGroup {
  std::string name;
  std::vector<std::string> keys;
};
/// tokens, data, size, block, mixer, offsets, init, optimizer, schedule, precision, length,
/// evaluation: SPEC §9's order, the default order of a path.
const std::vector<SwitchGroup>& switchGroups();
/// The group of a configuration key, "" if none.
std::string groupOf(const std::string& key);

/// What `gwb study plan|run` and the Study page ask for.
struct StudyRequest {
  std::string design = "path";        ///< "path" or "factorial"
  std::string a, b;                   ///< recipe names (optionally "-n6-l128"), presets or files
  std::vector<std::string> order;     ///< path: the groups in order (empty: SPEC §9's order)
  int orders = 1;                     ///< path: orders to walk (--orders)
  std::vector<std::string> switches;  ///< factorial: groups or single keys
  int fraction = 0;                   ///< factorial: p of 2^(k-p)
  int seeds = 3;
  std::string scale = "full";     ///< "full", "small" or "cpu"
  std::int64_t steps = 600;       ///< cpu: the step budget
  std::vector<std::string> sets;  ///< `a.b=VALUE` overrides of every configuration
  std::uint64_t order_seed = 1;   ///< the random orders' PRNG seed
};

/// One side of a study: its label and a configuration per architecture (scaled, overridden).
struct StudyEnd {
  std::string label;   ///< "kanenorman" or the file's name
  std::string source;  ///< the preset or file each configuration came from
  RunConfig grassmann, transformer;
  const RunConfig& of(const std::string& arch) const {
    return arch == "grassmann" ? grassmann : transformer;
  }
};

/// A factor of the design: a switch group or a single key, with its keys that differ.
struct Factor {
  std::string name;
  std::vector<std::string> keys;
  bool arch_specific = false;  ///< its keys apply to one architecture only (e.g. mixer)
};

/// One configuration of the design, both architectures.
struct StudyCell {
  std::string id;  ///< path: "A", "A+block+init", "B"; factorial: "A", "B" or "r3"
  /// Factor -> "A" or "B", in factor order.
  std::vector<std::pair<std::string, std::string>> levels;
  RunConfig grassmann, transformer;
  std::string grassmann_sha256, transformer_sha256;  ///< SPEC §9's hash of each (resolved)
  const RunConfig& config(const std::string& arch) const {
    return arch == "grassmann" ? grassmann : transformer;
  }
  const std::string& hash(const std::string& arch) const {
    return arch == "grassmann" ? grassmann_sha256 : transformer_sha256;
  }
};

struct StudyPlan {
  StudyRequest request;
  StudyEnd a, b;
  std::vector<Factor> factors;         ///< path: the groups of the first order; factorial: switches
  std::vector<std::string> held_at_a;  ///< factorial: differing keys of no switch, kept at A
  PathPlan path;                       ///< design "path"
  FactorialDesign factorial;           ///< design "factorial"
  std::vector<StudyCell> cells;        ///< path: as path.cells; factorial: as factorial.runs
  std::vector<std::int64_t> seeds;     ///< A's seed, +1, +2...
  std::vector<std::string> notes;      ///< what the scale made equal, what is held at A...
  bool bf16_on_cuda = false;           ///< the hashes were taken for a CUDA device
};

/// Architectures in the order a study lists them.
inline const std::vector<std::string>& studyArchs() {
  static const std::vector<std::string> archs = {"grassmann", "transformer"};
  return archs;
}

/// Resolves one end: a recipe name ("kanenorman", or "reference-n12-l256" for one of its sizes;
/// without a size, the size of `size_hint` if the recipe publishes it, else its first), a preset
/// or a configuration file (its twin architecture: the same file with model.arch switched).
StudyEnd loadStudyEnd(const std::string& arg, const RunConfig* size_hint = nullptr);

/// Applies a scale (SPEC §9) to a configuration; `steps` is cpu's budget. InputError for an
/// unknown scale.
void applyScale(RunConfig& config, const std::string& scale, std::int64_t steps);

/// The plan. `cuda`: whether runs will train on a CUDA device (the hash holds the resolved
/// precision). InputError (naming the argument or the key) for an unknown recipe, group or switch,
/// a key that differs and belongs to no group, a group that does not differ, a task other than
/// Wikitext-2, or a bad design.
StudyPlan planStudy(const StudyRequest& request, bool cuda = false);

/// The hash of a configuration as its run will record it (resolved; SPEC §9).
std::string runHash(const RunConfig& config, bool cuda);

/// "20261207-021500-path-reference-kanenorman-cpu": a study's folder name at `now` (UTC seconds).
std::string studyId(const StudyPlan& plan, std::int64_t now);

}  // namespace gwb::study
