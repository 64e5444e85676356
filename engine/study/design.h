// The designs of a study (SPEC §9) and their arithmetic: paths from recipe A to recipe B one group
// of switches at a time, walked in several orders, and 2^k or 2^(k-p) factorials of resolution IV
// or more with the standard (minimum-aberration) generators. Plain values in, plain values out: no
// runs, no files. Torch-free, Qt-free, deterministic (a fixed PRNG, no global state); any thread.
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "engine/study/statistics.h"

namespace gwb::study {

// ---------------------------------------------------------------------------------------------
// Paths

/// `k` orders of the groups: `order` itself, its reverse, then random permutations (SplitMix64
/// seeded with `seed`, Fisher-Yates: the same on every platform), never an order already chosen.
/// Where fewer than k distinct orders exist, all of them. The first j orders do not depend on k.
/// InputError for no groups, an empty or repeated name, a name holding '+', or k outside
/// [1, 10000].
std::vector<std::vector<std::string>> pathOrders(const std::vector<std::string>& order, int k,
                                                 std::uint64_t seed);

/// One configuration on a path: recipe A with some groups switched to recipe B.
struct PathCell {
  std::vector<std::string> switched;  ///< the groups at B, sorted
  std::string id;  ///< "A" (none switched), "B" (all), else "A+" the switched joined by '+'
};

/// The cells a set of orders walks, each cell once however many orders pass through it.
struct PathPlan {
  std::vector<std::string> groups;               ///< the groups, as the first order lists them
  std::vector<std::vector<std::string>> orders;  ///< as given
  std::vector<PathCell> cells;                   ///< distinct, in order of first visit
  std::vector<std::vector<std::string>> walks;   ///< per order, the m + 1 cell ids it walks
};

/// The plan of `orders` (e.g. pathOrders()). InputError unless every order is a permutation of
/// the same groups (names as pathOrders() requires), or for no orders.
PathPlan pathPlan(const std::vector<std::vector<std::string>>& orders);

/// Outcome per cell id and seed (index s is the s-th seed of the study; NaN or infinite: missing,
/// e.g. an unfinished run).
using CellOutcomes = std::map<std::string, std::vector<double>>;

/// What switching one group from A to B changes, over the orders of a plan.
struct GroupContribution {
  std::string group;
  /// Per seed, the mean over orders of that seed's change; the paired interval over the seeds
  /// whose change exists in every order (n is their count).
  Interval averaged;
  /// Per order (as plan.orders), the paired interval of the per-seed changes Delta(after) -
  /// Delta(before) over the seeds where both cells exist. With missing runs, orders may use
  /// different seeds.
  std::vector<Interval> per_order;
  /// Min and max over orders of per_order[o].mean (orders with no seed left out; NaN if none):
  /// how much the group's effect depends on what was switched before it, i.e. the interactions.
  double spread_min = std::numeric_limits<double>::quiet_NaN();
  double spread_max = std::numeric_limits<double>::quiet_NaN();

  /// spread_max - spread_min (0 with one order).
  double spread() const { return spread_max - spread_min; }
};

struct PathContributions {
  std::vector<GroupContribution> groups;  ///< as plan.groups
  int seeds = 0;                          ///< K, the length of every outcome vector
};

/// Each group's contribution in each order and averaged over orders. InputError for a cell of
/// the plan absent from `outcomes` or outcome vectors of different lengths.
PathContributions pathContributions(const PathPlan& plan, const CellOutcomes& outcomes,
                                    double level = kDefaultLevel);

// ---------------------------------------------------------------------------------------------
// Factorials

/// The letters of factors 1..10, as the design tables write them: I is skipped, it names the
/// identity of the defining relation.
inline constexpr char kFactorLetters[] = "ABCDEFGHJK";
/// The most factors a factorial takes.
constexpr int kMaxFactors = 10;

/// The effects of a main effect or two-factor interaction that it cannot be told apart from.
struct AliasChain {
  std::string effect;  ///< letters, "AB"
  /// Letters of its aliases of order <= 3, by order then letters (none in a full factorial).
  std::vector<std::string> aliases;
  std::string letters;  ///< "AB = CD", or just "AB" when clear
  std::string names;    ///< the same with factor names: "norm×init = mixer×offsets"
};

/// A two-level factorial. Level -1 is recipe A's value of a switch, +1 recipe B's.
struct FactorialDesign {
  std::vector<std::string> factors;     ///< names; factor i has letter kFactorLetters[i]
  int k = 0;                            ///< factors
  int p = 0;                            ///< generated factors: 2^(k-p) runs
  std::vector<std::string> generators;  ///< "D = ABC", one per generated factor
  /// The words of the defining relation (I = w1 = w2 = ...): the generators' words in order, then
  /// their products in binary counting order of the generators. Empty for a full factorial.
  std::vector<std::string> words;
  int resolution = 0;  ///< length of the shortest word; 0 for a full factorial (no relation)
  /// runs[r][i]: level of factor i in run r; the base factors count in standard (Yates) order
  /// (A alternates fastest, starting at -1), the generated ones are products of base columns.
  std::vector<std::vector<int>> runs;
  /// Every main effect (A, B, ...), then every two-factor interaction (AB, AC, ..., BC, ...).
  std::vector<AliasChain> aliases;

  /// "I = ABCE = BCDF = ADEF"; "" for a full factorial.
  std::string definingRelation() const;
};

/// A fraction the table holds, or the full factorial.
struct FractionInfo {
  int p = 0;
  int resolution = 0;  ///< 0: the full factorial
  int runs = 0;
};

/// For k factors: p = 0 (full), then the tabulated fractions of resolution IV or more, by p.
std::vector<FractionInfo> availableFractions(int k);

/// The 2^k full factorial (fraction_p = 0) or the 2^(k-p) fraction of the standard generators
/// (Montgomery, Design and Analysis of Experiments, table of selected 2^(k-p) designs; NIST/
/// SEMATECH e-Handbook 5.3.3.4.7), with its aliases. InputError (key "switches") for k outside
/// [2, 10] or an empty or repeated factor name; (key "fraction") for p < 0, a fraction below
/// resolution IV or one not in the table, naming the largest of resolution IV or more for k.
FactorialDesign makeFactorial(const std::vector<std::string>& factors, int fraction_p);

/// One estimated effect: a main effect, a clear two-factor interaction, or a set of two-factor
/// interactions aliased with each other (resolution IV), estimated once under the set's name.
struct EffectEstimate {
  std::vector<std::string> terms;  ///< letters of the main effects / 2FIs in it: {"AB", "CD"}
  int order = 1;                   ///< 1: main effect; 2: two-factor interaction(s)
  std::string letters;             ///< "AB = CD"
  std::string names;               ///< "norm×init = mixer×offsets"
  /// Per seed used: mean of y over the runs at +1 of the contrast minus mean over those at -1.
  std::vector<double> per_seed;
  /// Paired t over per_seed; with one seed, the pooled residual where the design has one.
  Interval interval;
};

struct FactorialEffects {
  std::vector<EffectEstimate> effects;  ///< main effects in factor order, then the 2FI sets
  int seeds_total = 0;                  ///< K
  int seeds_used = 0;                   ///< seeds with every run present
  /// The contrasts no main effect or 2FI uses, pooled as error at one seed (assumed null): the
  /// interactions of order >= 3 of a full factorial, or such alias sets of a fraction, as chains
  /// up to order 3 ("ABD = ACF = BEF = CDE").
  std::vector<std::string> residual;
};

/// The effects of `values[run][seed]` (runs as design.runs; NaN or infinite: missing). A seed
/// with any run missing is left out (seeds_total - seeds_used counts them). With two or more
/// seeds, each effect's interval is the paired t over its per-seed estimates; with one, the
/// pooled residual (df = residual.size(); none at df = 0); with no complete seed, means are NaN.
/// InputError for a wrong number of runs, seed vectors of different lengths or no seeds.
FactorialEffects estimateEffects(const FactorialDesign& design,
                                 const std::vector<std::vector<double>>& values,
                                 double level = kDefaultLevel);

}  // namespace gwb::study
