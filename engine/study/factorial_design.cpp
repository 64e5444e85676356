// Two-level factorials (SPEC §9): the table of standard generators of 2^(k-p) fractions of
// resolution IV or more, the runs, the defining relation and aliases, and the effect estimates
// with paired (or pooled-residual) intervals. An effect is a bit set of factors, so that
// multiplying two effects (A·ABC = BC) is an exclusive or.
#include "engine/study/design.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "engine/util/error.h"

namespace gwb::study {
namespace {



// ---- Factorials

using Mask = std::uint32_t;  // bit i: factor i

int orderOf(Mask m) {
  int n = 0;
  for (; m; m &= m - 1) ++n;
  return n;
}

std::string lettersOf(Mask m) {
  std::string out;
  for (int i = 0; i < kMaxFactors; ++i) {
    if (m & (Mask(1) << i)) out += kFactorLetters[i];
  }
  return out;
}

std::string namesOf(Mask m, const std::vector<std::string>& factors) {
  std::vector<std::string> parts;
  for (int i = 0; i < static_cast<int>(factors.size()); ++i) {
    if (m & (Mask(1) << i)) parts.push_back(factors[i]);
  }
  return join(parts, "×");
}

// Effects by order, then letters (A < B < AB < AC < BC < ABC).
bool effectBefore(Mask a, Mask b) {
  const int oa = orderOf(a), ob = orderOf(b);
  return oa != ob ? oa < ob : lettersOf(a) < lettersOf(b);
}

Mask maskOf(const std::string& letters) {
  Mask m = 0;
  for (char c : letters) {
    m |= Mask(1) << (std::string(kFactorLetters).find(c));
  }
  return m;
}

// The fractions of Montgomery's table of selected 2^(k-p) designs (also NIST/SEMATECH
// e-Handbook 5.3.3.4.7) for k <= 10, with the half fractions 2^(9-1) and 2^(10-1) (I = the product
// of all factors): the generators' words on the base factors, one per generated factor (which take
// the letters after the base ones). Every row is minimum aberration (an exhaustive search over
// generator sets agrees; the test pins the word-length patterns). The resolution III rows are
// here so that a request for them is refused for that reason; 2^(10-2) is not tabulated.
struct TableRow {
  int k, p;
  std::vector<const char*> words;
};
const std::vector<TableRow>& fractionTable() {
  static const std::vector<TableRow> table = {
      {3, 1, {"AB"}},
      {4, 1, {"ABC"}},
      {5, 1, {"ABCD"}},
      {5, 2, {"AB", "AC"}},
      {6, 1, {"ABCDE"}},
      {6, 2, {"ABC", "BCD"}},
      {6, 3, {"AB", "AC", "BC"}},
      {7, 1, {"ABCDEF"}},
      {7, 2, {"ABCD", "ABDE"}},
      {7, 3, {"ABC", "BCD", "ACD"}},
      {7, 4, {"AB", "AC", "BC", "ABC"}},
      {8, 1, {"ABCDEFG"}},
      {8, 2, {"ABCD", "ABEF"}},
      {8, 3, {"ABC", "ABD", "BCDE"}},
      {8, 4, {"BCD", "ACD", "ABC", "ABD"}},
      {9, 1, {"ABCDEFGH"}},
      {9, 2, {"ACDFG", "BCEFG"}},
      {9, 3, {"ABCD", "ACEF", "CDEF"}},
      {9, 4, {"BCDE", "ACDE", "ABDE", "ABCE"}},
      {9, 5, {"ABC", "BCD", "ACD", "ABD", "ABCD"}},
      {10, 1, {"ABCDEFGHJ"}},
      {10, 3, {"ABCG", "BCDE", "ACDF"}},
      {10, 4, {"BCDF", "ACDF", "ABDE", "ABCE"}},
      {10, 5, {"ABCD", "ABCE", "ABDE", "ACDE", "BCDE"}},
      {10, 6, {"ABC", "BCD", "ACD", "ABD", "ABCD", "AB"}},
  };
  return table;
}

const TableRow* findRow(int k, int p) {
  for (const TableRow& row : fractionTable()) {
    if (row.k == k && row.p == p) return &row;
  }
  return nullptr;
}

// The generator words (generated factor included), in table order.
std::vector<Mask> generatorWords(const TableRow& row) {
  std::vector<Mask> out;
  const int base = row.k - row.p;
  for (int j = 0; j < row.p; ++j) out.push_back(maskOf(row.words[j]) | (Mask(1) << (base + j)));
  return out;
}

// Every word of the defining relation: products of the generators in binary counting order.
std::vector<Mask> definingWords(const std::vector<Mask>& generators) {
  std::vector<Mask> out;
  for (std::size_t s = 1; s < (std::size_t(1) << generators.size()); ++s) {
    Mask w = 0;
    for (std::size_t j = 0; j < generators.size(); ++j) {
      if (s & (std::size_t(1) << j)) w ^= generators[j];
    }
    out.push_back(w);
  }
  return out;
}

int resolutionOf(const std::vector<Mask>& words) {
  int r = 0;
  for (Mask w : words) r = r == 0 ? orderOf(w) : std::min(r, orderOf(w));
  return r;
}

std::string roman(int resolution) {
  static const char* const names[] = {"full", "I",   "II",   "III", "IV", "V",
                                      "VI",   "VII", "VIII", "IX",  "X",  "XI"};
  return resolution >= 0 && resolution <= 11 ? names[resolution] : std::to_string(resolution);
}

std::string fractionName(int k, int p) {
  return "2^(" + std::to_string(k) + "-" + std::to_string(p) + ")";
}

// What to ask for instead: the largest fraction of resolution IV or more for k factors.
std::string largestFraction(int k) {
  const std::vector<FractionInfo> fractions = availableFractions(k);
  const FractionInfo& best = fractions.back();
  if (best.p == 0) {
    return "for " + std::to_string(k) + " switches no fraction reaches resolution IV: the full 2^" +
           std::to_string(k) + " (" + std::to_string(best.runs) + " runs)";
  }
  return "for " + std::to_string(k) + " switches the largest is " + fractionName(k, best.p) +
         " (resolution " + roman(best.resolution) + ", " + std::to_string(best.runs) + " runs)";
}

// The alias class of an effect: the effect times every word (the identity included).
std::vector<Mask> aliasClass(Mask effect, const std::vector<Mask>& words) {
  std::vector<Mask> out{effect};
  for (Mask w : words) out.push_back(effect ^ w);
  std::sort(out.begin(), out.end(), effectBefore);
  return out;
}

// The members of a sorted alias class of order <= max_order.
std::vector<Mask> lowOrder(const std::vector<Mask>& sorted_class, int max_order) {
  std::vector<Mask> out;
  for (Mask m : sorted_class) {
    if (orderOf(m) <= max_order) out.push_back(m);
  }
  return out;
}

std::vector<std::string> lettersOf(const std::vector<Mask>& effects) {
  std::vector<std::string> out;
  for (Mask m : effects) out.push_back(lettersOf(m));
  return out;
}

std::vector<std::string> namesOf(const std::vector<Mask>& effects,
                                 const std::vector<std::string>& factors) {
  std::vector<std::string> out;
  for (Mask m : effects) out.push_back(namesOf(m, factors));
  return out;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Factorials

std::string FactorialDesign::definingRelation() const {
  return words.empty() ? "" : "I = " + join(words, " = ");
}

std::vector<FractionInfo> availableFractions(int k) {
  if (k < 1 || k > kMaxFactors) return {};
  std::vector<FractionInfo> out{{0, 0, 1 << k}};
  for (const TableRow& row : fractionTable()) {
    if (row.k != k) continue;
    const int resolution = resolutionOf(definingWords(generatorWords(row)));
    if (resolution >= 4) out.push_back({row.p, resolution, 1 << (k - row.p)});
  }
  return out;
}

FactorialDesign makeFactorial(const std::vector<std::string>& factors, int fraction_p) {
  const int k = static_cast<int>(factors.size());
  if (k < 2 || k > kMaxFactors) {
    throw InputError(
        {"", 0, "switches"},
        expectedGot("2 to " + std::to_string(kMaxFactors) + " switches", std::to_string(k)));
  }
  std::set<std::string> seen;
  for (const std::string& f : factors) {
    if (f.empty() || !seen.insert(f).second) {
      throw InputError({"", 0, "switches"},
                       expectedGot("distinct, non-empty switch names", quoteForMessage(f)));
    }
  }
  if (fraction_p < 0) {
    throw InputError({"", 0, "fraction"}, expectedGot("p >= 0", std::to_string(fraction_p)));
  }
  FactorialDesign d;
  d.factors = factors;
  d.k = k;
  d.p = fraction_p;
  std::vector<Mask> generators;
  if (fraction_p > 0) {
    const TableRow* row = findRow(k, fraction_p);
    if (row == nullptr) {
      throw InputError({"", 0, "fraction"},
                       expectedGot("a fraction of resolution IV or more from the table of standard "
                                   "generators; " +
                                       largestFraction(k),
                                   fractionName(k, fraction_p) + ", which is not in that table"));
    }
    generators = generatorWords(*row);
    const int resolution = resolutionOf(definingWords(generators));
    if (resolution < 4) {
      throw InputError(
          {"", 0, "fraction"},
          expectedGot("a fraction of resolution IV or more; " + largestFraction(k),
                      fractionName(k, fraction_p) + ", whose best fraction has resolution " +
                          roman(resolution) + " (main effects aliased with two-way interactions)"));
    }
    const int base = k - fraction_p;
    for (int j = 0; j < fraction_p; ++j) {
      d.generators.push_back(std::string(1, kFactorLetters[base + j]) + " = " + row->words[j]);
    }
  }
  const std::vector<Mask> words = definingWords(generators);
  d.words = lettersOf(words);
  d.resolution = resolutionOf(words);

  const int base = k - fraction_p;
  const std::size_t runs = std::size_t(1) << base;
  for (std::size_t r = 0; r < runs; ++r) {
    std::vector<int> levels(k);
    for (int i = 0; i < base; ++i) levels[i] = (r >> i) & 1 ? 1 : -1;
    for (int j = 0; j < fraction_p; ++j) {
      int level = 1;
      for (int i = 0; i < base; ++i) {
        if (generators[j] & (Mask(1) << i)) level *= levels[i];
      }
      levels[base + j] = level;
    }
    d.runs.push_back(levels);
  }

  std::vector<Mask> effects;  // mains, then 2FIs
  for (int i = 0; i < k; ++i) effects.push_back(Mask(1) << i);
  for (int i = 0; i < k; ++i) {
    for (int j = i + 1; j < k; ++j) effects.push_back((Mask(1) << i) | (Mask(1) << j));
  }
  for (Mask e : effects) {
    std::vector<Mask> aliases;
    for (Mask w : words) {
      if (orderOf(e ^ w) <= 3) aliases.push_back(e ^ w);
    }
    std::sort(aliases.begin(), aliases.end(), effectBefore);
    std::vector<Mask> chain{e};
    chain.insert(chain.end(), aliases.begin(), aliases.end());
    d.aliases.push_back({lettersOf(e), lettersOf(aliases), join(lettersOf(chain), " = "),
                         join(namesOf(chain, factors), " = ")});
  }
  return d;
}

FactorialEffects estimateEffects(const FactorialDesign& design,
                                 const std::vector<std::vector<double>>& values, double level) {
  const std::size_t runs = design.runs.size();
  if (values.size() != runs) {
    throw InputError({"", 0, "runs"},
                     expectedGot(std::to_string(runs) + " runs", std::to_string(values.size())));
  }
  FactorialEffects out;
  out.seeds_total = static_cast<int>(values.front().size());
  for (const std::vector<double>& run : values) {
    if (run.size() != values.front().size() || run.empty()) {
      throw InputError({"", 0, "seeds"}, expectedGot("the same number (>= 1) of seeds in every run",
                                                     std::to_string(run.size()) + " and " +
                                                         std::to_string(values.front().size())));
    }
  }
  std::vector<std::size_t> used;  // seeds with every run present
  for (std::size_t s = 0; s < values.front().size(); ++s) {
    bool complete = true;
    for (const std::vector<double>& run : values) complete = complete && std::isfinite(run[s]);
    if (complete) used.push_back(s);
  }
  out.seeds_used = static_cast<int>(used.size());

  std::vector<Mask> words;
  for (const std::string& w : design.words) words.push_back(maskOf(w));
  // The usual two-level estimate per used seed: mean at +1 minus mean at -1 of the contrast.
  auto estimate = [&](Mask effect) {
    std::vector<double> per_seed;
    for (std::size_t s : used) {
      double sum = 0;
      for (std::size_t r = 0; r < runs; ++r) {
        int sign = 1;
        for (int i = 0; i < design.k; ++i) {
          if (effect & (Mask(1) << i)) sign *= design.runs[r][i];
        }
        sum += sign * values[r][s];
      }
      per_seed.push_back(sum / (0.5 * static_cast<double>(runs)));
    }
    return per_seed;
  };

  // Each alias class once: its lowest member stands for it.
  std::set<Mask> done;
  const Mask all = (Mask(1) << design.k) - 1;
  for (Mask e = 1; e <= all; ++e) {
    if (orderOf(e) > 2) continue;
    const std::vector<Mask> cls = aliasClass(e, words);
    if (!done.insert(cls.front()).second) continue;
    EffectEstimate est;
    const std::vector<Mask> terms = lowOrder(cls, 2);
    est.terms = lettersOf(terms);
    est.order = orderOf(terms.front());
    est.letters = join(est.terms, " = ");
    est.names = join(namesOf(terms, design.factors), " = ");
    est.per_seed = estimate(e);
    out.effects.push_back(est);
  }
  // Mains first, then 2FI sets by their first 2FI (AB before AC before BC).
  std::stable_sort(out.effects.begin(), out.effects.end(), [](const auto& a, const auto& b) {
    return effectBefore(maskOf(a.terms.front()), maskOf(b.terms.front()));
  });

  double residual_sq = 0;
  for (Mask e = 1; e <= all; ++e) {
    const std::vector<Mask> cls = aliasClass(e, words);
    if (cls.front() == 0 || orderOf(cls.front()) <= 2 || !done.insert(cls.front()).second) {
      continue;  // the identity's class, a class estimated above, or one already pooled
    }
    out.residual.push_back(
        join(lettersOf(lowOrder(cls, std::max(3, orderOf(cls.front())))), " = "));
    if (used.size() == 1) residual_sq += std::pow(estimate(e).front(), 2);
  }

  const int df = static_cast<int>(out.residual.size());
  for (EffectEstimate& est : out.effects) {
    if (used.size() == 1) {
      est.interval = intervalFromSe(est.per_seed.front(),
                                    df > 0 ? std::sqrt(residual_sq / df) : 0.0, df, level);
      est.interval.n = 1;
    } else {
      est.interval = pairedInterval(est.per_seed, level);
    }
  }
  return out;
}

}  // namespace gwb::study
