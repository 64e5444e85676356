// Path designs (SPEC §9): the orders a path walks from recipe A to recipe B one group of switches
// at a time, the distinct cells they visit, and each group's contribution to the change of the gap
// in each order and averaged over orders (the spread between orders measures the interactions).
#include "engine/study/design.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "engine/util/error.h"

namespace gwb::study {
namespace {



// ---- Paths

// The most orders a path walks (each order costs m runs per seed and architecture).
constexpr int kMaxOrders = 10000;

// SplitMix64 (Steele, Lea and Flood 2014, Vigna's reference code): integer arithmetic only, so a
// seed gives the same orders on every platform and standard library.
class SplitMix64 {
 public:
  explicit SplitMix64(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n): draws below 2^64 mod n are rejected, so no residue is favoured.
  std::uint64_t below(std::uint64_t n) {
    const std::uint64_t threshold = (0 - n) % n;
    for (;;) {
      const std::uint64_t r = next();
      if (r >= threshold) return r % n;
    }
  }

 private:
  std::uint64_t state_;
};

void checkGroups(const std::vector<std::string>& groups) {
  if (groups.empty()) throw InputError({"", 0, "order"}, expectedGot("at least one group", "none"));
  std::set<std::string> seen;
  for (const std::string& g : groups) {
    if (g.empty() || g.find('+') != std::string::npos || !seen.insert(g).second) {
      throw InputError({"", 0, "order"},
                       expectedGot("distinct, non-empty group names without '+'",
                                   quoteForMessage(g) + " in " + join(groups, ",")));
    }
  }
}

// m!, or `cap` + 1 once it passes cap.
std::uint64_t factorialAbove(std::size_t m, std::uint64_t cap) {
  std::uint64_t f = 1;
  for (std::size_t i = 2; i <= m; ++i) {
    f *= i;
    if (f > cap) return cap + 1;
  }
  return f;
}

std::string cellId(const std::vector<std::string>& switched_sorted, std::size_t groups) {
  if (switched_sorted.empty()) return "A";
  if (switched_sorted.size() == groups) return "B";
  return "A+" + join(switched_sorted, "+");
}

// Outcome of a cell and seed; NaN where missing.
double outcome(const CellOutcomes& outcomes, const std::string& cell, std::size_t seed) {
  const double v = outcomes.at(cell)[seed];
  return std::isfinite(v) ? v : kNaN;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Paths

std::vector<std::vector<std::string>> pathOrders(const std::vector<std::string>& order, int k,
                                                 std::uint64_t seed) {
  checkGroups(order);
  if (k < 1 || k > kMaxOrders) {
    throw InputError(
        {"", 0, "orders"},
        expectedGot("1 to " + std::to_string(kMaxOrders) + " orders", std::to_string(k)));
  }
  const std::size_t want = static_cast<std::size_t>(
      std::min<std::uint64_t>(k, factorialAbove(order.size(), kMaxOrders)));
  std::vector<std::vector<std::string>> out;
  std::set<std::vector<std::string>> chosen;
  auto add = [&](const std::vector<std::string>& candidate) {
    if (out.size() < want && chosen.insert(candidate).second) out.push_back(candidate);
  };
  add(order);
  add(std::vector<std::string>(order.rbegin(), order.rend()));
  SplitMix64 rng(seed);
  while (out.size() < want) {
    std::vector<std::string> shuffled = order;
    for (std::size_t i = shuffled.size() - 1; i > 0; --i) {
      std::swap(shuffled[i], shuffled[rng.below(i + 1)]);
    }
    add(shuffled);
  }
  return out;
}

PathPlan pathPlan(const std::vector<std::vector<std::string>>& orders) {
  if (orders.empty())
    throw InputError({"", 0, "orders"}, expectedGot("at least one order", "none"));
  PathPlan plan;
  plan.groups = orders.front();
  checkGroups(plan.groups);
  std::vector<std::string> sorted_groups = plan.groups;
  std::sort(sorted_groups.begin(), sorted_groups.end());
  plan.orders = orders;
  std::set<std::string> ids;
  for (const std::vector<std::string>& order : orders) {
    std::vector<std::string> sorted_order = order;
    std::sort(sorted_order.begin(), sorted_order.end());
    if (sorted_order != sorted_groups) {
      throw InputError({"", 0, "order"}, expectedGot("an order of " + join(plan.groups, ","),
                                                     quoteForMessage(join(order, ","))));
    }
    std::vector<std::string> switched, walk;
    for (std::size_t step = 0; step <= order.size(); ++step) {
      if (step > 0) {
        switched.insert(std::upper_bound(switched.begin(), switched.end(), order[step - 1]),
                        order[step - 1]);
      }
      const std::string id = cellId(switched, order.size());
      if (ids.insert(id).second) plan.cells.push_back({switched, id});
      walk.push_back(id);
    }
    plan.walks.push_back(walk);
  }
  return plan;
}

PathContributions pathContributions(const PathPlan& plan, const CellOutcomes& outcomes,
                                    double level) {
  PathContributions out;
  bool first = true;
  for (const PathCell& cell : plan.cells) {
    const auto it = outcomes.find(cell.id);
    if (it == outcomes.end()) {
      throw InputError({"", 0, "cells"}, expectedGot("outcomes of every cell of the path",
                                                     "none for cell " + cell.id));
    }
    if (first) out.seeds = static_cast<int>(it->second.size());
    if (static_cast<int>(it->second.size()) != out.seeds) {
      throw InputError({"", 0, "cells"},
                       expectedGot(std::to_string(out.seeds) + " seeds in every cell",
                                   std::to_string(it->second.size()) + " for cell " + cell.id));
    }
    first = false;
  }
  const std::size_t seeds = static_cast<std::size_t>(out.seeds);
  for (const std::string& group : plan.groups) {
    GroupContribution c;
    c.group = group;
    // changes[o][s]: the seed's change of the outcome when `group` is switched in order o.
    std::vector<std::vector<double>> changes;
    for (std::size_t o = 0; o < plan.orders.size(); ++o) {
      const std::vector<std::string>& order = plan.orders[o];
      const std::size_t step =
          static_cast<std::size_t>(std::find(order.begin(), order.end(), group) - order.begin());
      const std::string& before = plan.walks[o][step];
      const std::string& after = plan.walks[o][step + 1];
      std::vector<double> change(seeds), present;
      for (std::size_t s = 0; s < seeds; ++s) {
        change[s] = outcome(outcomes, after, s) - outcome(outcomes, before, s);
        if (!std::isnan(change[s])) present.push_back(change[s]);
      }
      c.per_order.push_back(pairedInterval(present, level));
      changes.push_back(change);
      if (present.empty()) continue;
      const double m = c.per_order.back().mean;
      c.spread_min = std::isnan(c.spread_min) ? m : std::min(c.spread_min, m);
      c.spread_max = std::isnan(c.spread_max) ? m : std::max(c.spread_max, m);
    }
    std::vector<double> averaged;
    for (std::size_t s = 0; s < seeds; ++s) {
      double sum = 0;
      bool complete = true;
      for (const std::vector<double>& change : changes) {
        complete = complete && !std::isnan(change[s]);
        sum += change[s];
      }
      if (complete) averaged.push_back(sum / static_cast<double>(changes.size()));
    }
    c.averaged = pairedInterval(averaged, level);
    out.groups.push_back(c);
  }
  return out;
}

}  // namespace gwb::study
