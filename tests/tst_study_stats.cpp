// The arithmetic of studies (SPEC §9): Student-t quantiles against printed tables and closed
// forms, paired intervals worked by hand, factorial effects and aliases worked by hand, the
// standard fractions' balance and orthogonality, path orders and cells, and the coverage of the
// 95% intervals on synthetic studies. Engine only: no runs, no files.
#include <QtTest>

#include <cmath>
#include <random>
#include <set>

#include "engine/study/design.h"
#include "engine/study/statistics.h"
#include "engine/util/error.h"

using namespace gwb::study;

namespace {

// Tolerances: arithmetic that should be exact up to rounding, and printed 9-decimal tables.
constexpr double kExact = 1e-12;
constexpr double kTable = 1e-8;

QString q(const std::string& s) { return QString::fromStdString(s); }

QStringList qList(const std::vector<std::string>& v) {
  QStringList out;
  for (const std::string& s : v) out << q(s);
  return out;
}

// The message of the InputError `f` throws ("" if none).
template <typename F>
QString inputError(F f) {
  try {
    f();
  } catch (const gwb::InputError& e) {
    return QString::fromUtf8(e.what());
  }
  return {};
}

bool near(double a, double b, double tol) { return std::fabs(a - b) <= tol; }

std::vector<std::string> names(int k) {
  std::vector<std::string> out;
  for (int i = 0; i < k; ++i) out.push_back("s" + std::to_string(i));
  return out;
}

// The 95% band for an observed coverage over `studies` if the true coverage is 0.95 (3 sigma).
double coverageBand(int studies) { return 3 * std::sqrt(0.95 * 0.05 / studies); }

}  // namespace

class TestStudyStats : public QObject {
  Q_OBJECT

 private slots:
  // ---- Student t

  void tQuantilesMatchPrintedTable_data() {
    QTest::addColumn<double>("p");
    QTest::addColumn<double>("df");
    QTest::addColumn<double>("t");
    // Two-sided 95% (p = 0.975) and one-sided 99% critical values, 9 decimals.
    QTest::newRow("0.975, df 1") << 0.975 << 1.0 << 12.706204736;
    QTest::newRow("0.975, df 2") << 0.975 << 2.0 << 4.302652730;
    QTest::newRow("0.975, df 3") << 0.975 << 3.0 << 3.182446305;
    QTest::newRow("0.975, df 4") << 0.975 << 4.0 << 2.776445105;
    QTest::newRow("0.975, df 5") << 0.975 << 5.0 << 2.570581836;
    QTest::newRow("0.975, df 10") << 0.975 << 10.0 << 2.228138852;
    QTest::newRow("0.975, df 30") << 0.975 << 30.0 << 2.042272456;
    QTest::newRow("0.975, df 120") << 0.975 << 120.0 << 1.979930405;
    QTest::newRow("0.99, df 2") << 0.99 << 2.0 << 6.964556734;
    QTest::newRow("0.99, df 5") << 0.99 << 5.0 << 3.364929997;
    QTest::newRow("0.975, df inf (normal)")
        << 0.975 << std::numeric_limits<double>::infinity() << 1.959963985;
  }
  void tQuantilesMatchPrintedTable() {
    QFETCH(double, p);
    QFETCH(double, df);
    QFETCH(double, t);
    QVERIFY2(near(studentTQuantile(p, df), t, kTable),
             qPrintable(QString::number(studentTQuantile(p, df), 'g', 17)));
    QVERIFY(near(studentTQuantile(1 - p, df), -t, kTable));  // symmetry
  }

  // df = 1 (Cauchy) and df = 2 have closed forms: F(t) = 1/2 + atan(t)/pi with inverse
  // t = -1 / tan(pi p), and
  // F(t) = 1/2 + t / (2 sqrt(2 + t^2)) with inverse t = (2p - 1) / sqrt(2 p (1 - p)).
  void tMatchesClosedFormsForOneAndTwoDf() {
    const double pi = std::acos(-1.0);
    for (double p : {1e-6, 0.01, 0.2, 0.5, 0.7, 0.95, 0.999}) {
      const double t1 = -1 / std::tan(pi * p);  // = tan(pi (p - 1/2)), without its rounding
      QVERIFY2(near(studentTQuantile(p, 1), t1, kExact * std::max(1.0, std::fabs(t1))),
               qPrintable(QString::number(p)));
      const double t2 = (2 * p - 1) / std::sqrt(2 * p * (1 - p));
      QVERIFY(near(studentTQuantile(p, 2), t2, kExact * std::max(1.0, std::fabs(t2))));
    }
    for (double t : {-30.0, -2.0, -0.3, 0.0, 0.4, 1.7, 9.0}) {
      QVERIFY(near(studentTCdf(t, 1), 0.5 + std::atan(t) / pi, kExact));
      QVERIFY(near(studentTCdf(t, 2), 0.5 + t / (2 * std::sqrt(2 + t * t)), kExact));
    }
  }

  void tCdfInvertsQuantile() {
    for (double df : {0.5, 1.0, 2.5, 3.0, 7.0, 29.5, 200.0, 9999.0, 1e4 + 1, 1e6, 1e12}) {
      for (double p : {1e-10, 1e-4, 0.025, 0.3, 0.5, 0.6, 0.975, 0.9999}) {
        const double t = studentTQuantile(p, df);
        // Relative to the smaller tail, so that the far tails are held to the same standard.
        const double tail = std::min(p, 1 - p);
        QVERIFY2(std::fabs(studentTCdf(t, df) - p) <= 1e-12 * tail + 1e-16,
                 qPrintable(QString("df %1 p %2").arg(df).arg(p)));
      }
    }
    // The switch to the large-df expansion at df = 1e4 leaves no step; df = 1e12 is the normal.
    QVERIFY(near(studentTQuantile(0.975, 1e4 - 1e-6), studentTQuantile(0.975, 1e4 + 1e-6), 1e-12));
    QVERIFY(near(studentTQuantile(0.975, 1e12), normalQuantile(0.975), 1e-11));
    QVERIFY(studentTQuantile(0.975, 31) < studentTQuantile(0.975, 30));  // heavier tails, fewer df
  }

  // ---- Intervals

  // Values 1, 2, 4: mean 7/3 = 2.333333; deviations -4/3, -1/3, 5/3; squares 16/9 + 1/9 + 25/9 =
  // 14/3; sample variance 14/3 / 2 = 7/3; sd = sqrt(7/3) = 1.527525; se = sd / sqrt(3) =
  // sqrt(7)/3 = 0.8819171; t_{0.975, 2} = 4.3026527; half-width 3.7945830; interval
  // [-1.4612497, 6.1279164], which contains 0.
  void pairedIntervalOfThreeValuesByHand() {
    const Interval i = pairedInterval({1, 2, 4});
    QCOMPARE(i.n, 3);
    QCOMPARE(i.df, 2);
    QCOMPARE(q(i.method), QString("paired t"));
    QVERIFY(near(i.mean, 7.0 / 3, kExact));
    QVERIFY(near(sampleSd({1, 2, 4}), std::sqrt(7.0 / 3), kExact));
    QVERIFY(near(i.se, std::sqrt(7.0) / 3, kExact));
    QVERIFY(i.hasInterval());
    QVERIFY(near(i.halfWidth(), 3.794583034, kTable));
    QVERIFY(near(*i.lo, -1.461249700, kTable));
    QVERIFY(near(*i.hi, 6.127916367, kTable));
    QVERIFY(i.containsZero());
    QVERIFY(!pairedInterval({5, 6, 7}).containsZero());  // 6 ± 4.30 * 1/sqrt(3)
    // A 90% interval is narrower: t_{0.95, 2} = 2.919985580.
    QVERIFY(near(pairedInterval({1, 2, 4}, 0.90).halfWidth(), 2.919985580 * std::sqrt(7.0) / 3,
                 kTable));
  }

  void intervalWithoutEnoughValues() {
    const Interval one = pairedInterval({0.25});
    QCOMPARE(one.n, 1);
    QCOMPARE(one.df, 0);
    QCOMPARE(one.mean, 0.25);
    QVERIFY(!one.hasInterval());
    QVERIFY(std::isnan(one.halfWidth()));
    QVERIFY(one.containsZero());  // no interval: zero is not ruled out
    QCOMPARE(q(one.method), QString("none (n < 2)"));
    QVERIFY(std::isnan(pairedInterval({}).mean));
    bool threw = false;
    try {
      pairedInterval({1, std::nan(""), 3});
    } catch (const std::invalid_argument&) {
      threw = true;
    }
    QVERIFY(threw);
  }

  // 1 ± t_{0.975, 4} * 0.5 = 1 ± 2.776445105 * 0.5.
  void intervalFromStandardError() {
    const Interval i = intervalFromSe(1, 0.5, 4);
    QCOMPARE(q(i.method), QString("pooled residual"));
    QCOMPARE(i.df, 4);
    QVERIFY(near(*i.lo, 1 - 1.3882225525, kTable));
    QVERIFY(near(*i.hi, 1 + 1.3882225525, kTable));
    const Interval none = intervalFromSe(1, 0, 0);
    QVERIFY(!none.hasInterval());
    QCOMPARE(q(none.method), QString("none (df = 0)"));
  }

  // ---- Factorials worked by hand

  // Yates order (A fastest): (-,-) (+,-) (-,+) (+,+).
  // Seed 1: y = 10, 14, 11, 19: A = (14+19)/2 - (10+11)/2 = 6, B = (11+19)/2 - (10+14)/2 = 3,
  //   AB = (10+19)/2 - (14+11)/2 = 2.
  // Seed 2: y = 10, 16, 11, 19: A = 7, B = 2, AB = 1. Means 6.5, 2.5, 1.5 (df 1).
  void fullFactorialTwoByTwoByHand() {
    const FactorialDesign d = makeFactorial({"norm", "init"}, 0);
    QCOMPARE(d.runs, (std::vector<std::vector<int>>{{-1, -1}, {1, -1}, {-1, 1}, {1, 1}}));
    QVERIFY(d.words.empty());
    QCOMPARE(d.resolution, 0);
    const FactorialEffects e = estimateEffects(d, {{10, 10}, {14, 16}, {11, 11}, {19, 19}});
    QCOMPARE(e.effects.size(), std::size_t(3));
    QCOMPARE(q(e.effects[0].letters), QString("A"));
    QCOMPARE(q(e.effects[2].letters), QString("AB"));
    QCOMPARE(q(e.effects[2].names), QString("norm×init"));
    const double per_seed[3][2] = {{6, 7}, {3, 2}, {2, 1}};
    for (int j = 0; j < 3; ++j) {
      QVERIFY(near(e.effects[j].per_seed[0], per_seed[j][0], kExact));
      QVERIFY(near(e.effects[j].per_seed[1], per_seed[j][1], kExact));
      QVERIFY(near(e.effects[j].interval.mean, (per_seed[j][0] + per_seed[j][1]) / 2, kExact));
      QCOMPARE(e.effects[j].interval.df, 1);
    }
    QVERIFY(e.residual.empty());
    // One seed: no residual to pool in a 2^2, so no interval.
    const FactorialEffects one = estimateEffects(d, {{10}, {14}, {11}, {19}});
    QVERIFY(!one.effects[0].interval.hasInterval());
    QCOMPARE(q(one.effects[0].interval.method), QString("none (df = 0)"));
  }

  // y = 50 + 4A + 2.5B - 1.5C + 0.75AB + 0.5ABC at levels ±1, in Yates order:
  //   45.25 52.75 49.75 58.25 43.25 48.75 45.75 56.25
  // Effects are twice the coefficients: A = (52.75+58.25+48.75+56.25)/4 -
  // (45.25+49.75+43.25+45.75)/4 = 54 - 46 = 8; B = 5, C = -3, AB = 1.5, AC = BC = 0; ABC = 1 is the
  // residual (df 1), so at one seed each interval is effect ± t_{0.975,1} * 1 = effect
  // ± 12.706204736.
  void fullFactorialTwoCubedByHand() {
    const FactorialDesign d = makeFactorial({"a", "b", "c"}, 0);
    const std::vector<double> y = {45.25, 52.75, 49.75, 58.25, 43.25, 48.75, 45.75, 56.25};
    std::vector<std::vector<double>> values;
    for (double v : y) values.push_back({v});
    const FactorialEffects e = estimateEffects(d, values);
    const QStringList letters = {"A", "B", "C", "AB", "AC", "BC"};
    const double expected[] = {8, 5, -3, 1.5, 0, 0};
    QCOMPARE(e.effects.size(), std::size_t(6));
    for (int j = 0; j < 6; ++j) {
      QCOMPARE(q(e.effects[j].letters), letters[j]);
      QVERIFY(near(e.effects[j].interval.mean, expected[j], kExact));
      QCOMPARE(q(e.effects[j].interval.method), QString("pooled residual"));
      QCOMPARE(e.effects[j].interval.df, 1);
      QCOMPARE(e.effects[j].interval.n, 1);
      QVERIFY(near(e.effects[j].interval.halfWidth(), 12.706204736, kTable));
    }
    QCOMPARE(qList(e.residual), QStringList{"ABC"});
    QCOMPARE(e.seeds_used, 1);
    // A missing run leaves its seed out: two seeds, the second incomplete.
    for (std::vector<double>& run : values) run.push_back(run[0] + 1);
    values[5][1] = std::nan("");
    const FactorialEffects partial = estimateEffects(d, values);
    QCOMPARE(partial.seeds_total, 2);
    QCOMPARE(partial.seeds_used, 1);
    QVERIFY(near(partial.effects[0].interval.mean, 8, kExact));
  }

  // ---- Fractions

  // 2^(4-1), D = ABC: I = ABCD; A = BCD, AB = CD, AC = BD, AD = BC.
  void aliasesOfFourMinusOne() {
    const FactorialDesign d = makeFactorial({"norm", "init", "mixer", "offsets"}, 1);
    QCOMPARE(qList(d.generators), QStringList{"D = ABC"});
    QCOMPARE(q(d.definingRelation()), QString("I = ABCD"));
    QCOMPARE(d.resolution, 4);
    QCOMPARE(d.runs.size(), std::size_t(8));
    for (const std::vector<int>& run : d.runs) QCOMPARE(run[3], run[0] * run[1] * run[2]);
    QCOMPARE(d.aliases.size(), std::size_t(4 + 6));
    QCOMPARE(q(d.aliases[0].letters), QString("A = BCD"));
    QCOMPARE(q(d.aliases[4].letters), QString("AB = CD"));
    QCOMPARE(q(d.aliases[5].letters), QString("AC = BD"));
    QCOMPARE(q(d.aliases[6].letters), QString("AD = BC"));
    QCOMPARE(q(d.aliases[4].names), QString("norm×init = mixer×offsets"));
    QCOMPARE(qList(d.aliases[4].aliases), QStringList{"CD"});
    // Effects: 4 main effects, then the three 2FI pairs, each estimated once.
    const FactorialEffects e = estimateEffects(d, std::vector<std::vector<double>>(8, {1, 2}));
    QStringList estimated;
    for (const EffectEstimate& x : e.effects) estimated << q(x.letters);
    QCOMPARE(estimated, (QStringList{"A", "B", "C", "D", "AB = CD", "AC = BD", "AD = BC"}));
    QVERIFY(e.residual.empty());
  }

  // 2^(5-1), E = ABCD: resolution V, every 2FI clear of other 2FIs (aliased with a 3FI).
  void fiveMinusOneLeavesTwoFactorInteractionsClear() {
    const FactorialDesign d = makeFactorial(names(5), 1);
    QCOMPARE(q(d.definingRelation()), QString("I = ABCDE"));
    QCOMPARE(d.resolution, 5);
    for (const AliasChain& a : d.aliases) {
      for (const std::string& alias : a.aliases) QVERIFY(alias.size() >= 3);
    }
    QCOMPARE(q(d.aliases[5].letters), QString("AB = CDE"));
    const FactorialEffects e = estimateEffects(d, std::vector<std::vector<double>>(16, {0, 1}));
    QCOMPARE(e.effects.size(), std::size_t(5 + 10));
    for (const EffectEstimate& x : e.effects) QCOMPARE(x.terms.size(), std::size_t(1));
  }

  // 2^(6-2), E = ABC, F = BCD: I = ABCE = BCDF = ADEF, resolution IV.
  void sixMinusTwoDefiningRelation() {
    const FactorialDesign d = makeFactorial(names(6), 2);
    QCOMPARE(qList(d.generators), (QStringList{"E = ABC", "F = BCD"}));
    QCOMPARE(q(d.definingRelation()), QString("I = ABCE = BCDF = ADEF"));
    QCOMPARE(d.resolution, 4);
    QCOMPARE(d.runs.size(), std::size_t(16));
    // 15 contrasts: 6 mains, 7 sets of 2FIs, 2 residual sets.
    const FactorialEffects e = estimateEffects(d, std::vector<std::vector<double>>(16, {3}));
    QCOMPARE(e.effects.size(), std::size_t(6 + 7));
    QCOMPARE(e.residual.size(), std::size_t(2));
    QCOMPARE(q(e.effects[6].letters), QString("AB = CE"));
    QCOMPARE(q(e.effects[9].letters), QString("AE = BC = DF"));
  }

  void fractionsBelowResolutionFourAreRefused() {
    const QString three = inputError([] { makeFactorial(names(3), 1); });
    QVERIFY2(three.contains("resolution III") && three.contains("full 2^3"), qPrintable(three));
    const QString five = inputError([] { makeFactorial(names(5), 2); });
    QVERIFY2(five.contains("resolution III") && five.contains("2^(5-1)"), qPrintable(five));
    const QString untabled = inputError([] { makeFactorial(names(10), 2); });
    QVERIFY2(untabled.contains("not in that table") && untabled.contains("2^(10-5)"),
             qPrintable(untabled));
    QVERIFY(!inputError([] { makeFactorial(names(4), 2); }).isEmpty());
    QVERIFY(!inputError([] { makeFactorial(names(11), 0); }).isEmpty());
    QVERIFY(!inputError([] { makeFactorial({"x", "x"}, 0); }).isEmpty());
  }

  // Every design offered: the resolution Montgomery's table prints, 2^(k-p) distinct runs, every
  // column balanced, every pair of main-effect columns orthogonal, and (resolution IV) every main
  // effect orthogonal to every two-factor interaction.
  void everyFractionIsBalancedAndOrthogonal() {
    const std::map<std::pair<int, int>, int> printed = {
        {{4, 1}, 4},   {{5, 1}, 5},  {{6, 1}, 6},  {{6, 2}, 4}, {{7, 1}, 7},
        {{7, 2}, 4},   {{7, 3}, 4},  {{8, 1}, 8},  {{8, 2}, 5}, {{8, 3}, 4},
        {{8, 4}, 4},   {{9, 1}, 9},  {{9, 2}, 6},  {{9, 3}, 4}, {{9, 4}, 4},
        {{10, 1}, 10}, {{10, 3}, 5}, {{10, 4}, 4}, {{10, 5}, 4}};
    int fractions = 0;
    for (int k = 2; k <= kMaxFactors; ++k) {
      for (const FractionInfo& f : availableFractions(k)) {
        const FactorialDesign d = makeFactorial(names(k), f.p);
        QCOMPARE(d.resolution, f.resolution);
        if (f.p > 0) {
          QCOMPARE(f.resolution, printed.at({k, f.p}));
          ++fractions;
        }
        QCOMPARE(static_cast<int>(d.runs.size()), 1 << (k - f.p));
        QCOMPARE(std::set<std::vector<int>>(d.runs.begin(), d.runs.end()).size(), d.runs.size());
        auto dot = [&](auto column_a, auto column_b) {
          int sum = 0;
          for (const std::vector<int>& run : d.runs) sum += column_a(run) * column_b(run);
          return sum;
        };
        auto one = [](const std::vector<int>&) { return 1; };
        for (int i = 0; i < k; ++i) {
          auto xi = [i](const std::vector<int>& run) { return run[i]; };
          QCOMPARE(dot(xi, one), 0);  // balanced
          for (int j = 0; j < k; ++j) {
            auto xj = [j](const std::vector<int>& run) { return run[j]; };
            if (j > i) {
              QCOMPARE(dot(xi, xj), 0);  // main effects orthogonal
            }
            for (int l = j + 1; l < k; ++l) {
              if (j == i || l == i) continue;
              auto xjl = [j, l](const std::vector<int>& run) { return run[j] * run[l]; };
              QCOMPARE(dot(xi, xjl), 0);  // main effect clear of every 2FI
            }
          }
        }
      }
    }
    QCOMPARE(fractions, int(printed.size()));
  }

  // The word-length pattern (words of length 4, 5, ..., k in the defining relation) of every
  // fraction offered equals the minimum found by trying every set of generators on the base
  // factors (an exhaustive search done once, outside this test): the table is minimum aberration.
  void fractionsHaveMinimumAberration() {
    const std::map<std::pair<int, int>, QString> minimum = {{{4, 1}, "1"},
                                                            {{5, 1}, "0 1"},
                                                            {{6, 1}, "0 0 1"},
                                                            {{6, 2}, "3 0 0"},
                                                            {{7, 1}, "0 0 0 1"},
                                                            {{7, 2}, "1 2 0 0"},
                                                            {{7, 3}, "7 0 0 0"},
                                                            {{8, 1}, "0 0 0 0 1"},
                                                            {{8, 2}, "0 2 1 0 0"},
                                                            {{8, 3}, "3 4 0 0 0"},
                                                            {{8, 4}, "14 0 0 0 1"},
                                                            {{9, 1}, "0 0 0 0 0 1"},
                                                            {{9, 2}, "0 0 3 0 0 0"},
                                                            {{9, 3}, "1 4 2 0 0 0"},
                                                            {{9, 4}, "6 8 0 0 1 0"},
                                                            {{10, 1}, "0 0 0 0 0 0 1"},
                                                            {{10, 3}, "0 3 3 1 0 0 0"},
                                                            {{10, 4}, "2 8 4 0 1 0 0"},
                                                            {{10, 5}, "10 16 0 0 5 0 0"}};
    for (const auto& [kp, pattern] : minimum) {
      const FactorialDesign d = makeFactorial(names(kp.first), kp.second);
      QStringList counts;
      for (int length = 4; length <= kp.first; ++length) {
        counts << QString::number(std::count_if(
            d.words.begin(), d.words.end(),
            [&](const std::string& w) { return static_cast<int>(w.size()) == length; }));
      }
      QCOMPARE(counts.join(' '), pattern);
    }
  }

  // ---- Paths

  void pathOrdersGivenReverseThenRandom() {
    const std::vector<std::string> groups = {"tokens", "data", "size", "block"};
    const auto orders = pathOrders(groups, 6, 7);
    QCOMPARE(orders.size(), std::size_t(6));
    QCOMPARE(orders[0], groups);
    QCOMPARE(orders[1], (std::vector<std::string>{"block", "size", "data", "tokens"}));
    std::set<std::vector<std::string>> distinct(orders.begin(), orders.end());
    QCOMPARE(distinct.size(), orders.size());
    std::vector<std::string> sorted_groups = groups;
    std::sort(sorted_groups.begin(), sorted_groups.end());
    for (std::vector<std::string> o : orders) {
      std::sort(o.begin(), o.end());
      QCOMPARE(o, sorted_groups);
    }
    QCOMPARE(pathOrders(groups, 6, 7), orders);  // deterministic
    // Pinned (SplitMix64 seeded 7, Fisher-Yates): a change here reorders every study's paths.
    QCOMPARE(orders[2], (std::vector<std::string>{"data", "size", "tokens", "block"}));
    QCOMPARE(orders[3], (std::vector<std::string>{"tokens", "size", "data", "block"}));
    QCOMPARE(orders[5], (std::vector<std::string>{"size", "tokens", "block", "data"}));
    const auto fewer = pathOrders(groups, 3, 7);  // a prefix, whatever k
    QCOMPARE(fewer, std::vector<std::vector<std::string>>(orders.begin(), orders.begin() + 3));
    bool seed_matters = false;
    for (std::uint64_t seed = 8; seed < 12; ++seed)
      seed_matters |= pathOrders(groups, 6, seed) != orders;
    QVERIFY(seed_matters);
    QCOMPARE(pathOrders(groups, 100, 7).size(), std::size_t(24));  // 4! orders exist
    QCOMPARE(pathOrders(groups, 1, 7).size(), std::size_t(1));
    QCOMPARE(pathOrders({"only"}, 5, 7).size(), std::size_t(1));
    QVERIFY(!inputError([] { pathOrders({"a", "b", "a"}, 2, 1); }).isEmpty());
    QVERIFY(!inputError([] { pathOrders({"a", "b"}, 0, 1); }).isEmpty());
  }

  // a,b,c and its reverse walk {} {a} {a,b} {a,b,c} and {} {c} {b,c} {a,b,c}: the ends are shared,
  // 6 distinct cells; a third order b,a,c adds {b} only.
  void pathCellsAreSharedBetweenOrders() {
    const PathPlan plan = pathPlan({{"a", "b", "c"}, {"c", "b", "a"}});
    QStringList ids;
    for (const PathCell& c : plan.cells) ids << q(c.id);
    QCOMPARE(ids, (QStringList{"A", "A+a", "A+a+b", "B", "A+c", "A+b+c"}));
    QCOMPARE(plan.cells[5].switched, (std::vector<std::string>{"b", "c"}));
    QCOMPARE(plan.cells[3].switched, (std::vector<std::string>{"a", "b", "c"}));
    QVERIFY(plan.cells[0].switched.empty());
    QCOMPARE(qList(plan.walks[0]), (QStringList{"A", "A+a", "A+a+b", "B"}));
    QCOMPARE(qList(plan.walks[1]), (QStringList{"A", "A+c", "A+b+c", "B"}));
    const PathPlan three = pathPlan({{"a", "b", "c"}, {"c", "b", "a"}, {"b", "a", "c"}});
    QCOMPARE(three.cells.size(), std::size_t(7));
    QCOMPARE(q(three.cells[6].id), QString("A+b"));
    QCOMPARE(qList(three.walks[2]), (QStringList{"A", "A+b", "A+a+b", "B"}));
    QVERIFY(!inputError([] { pathPlan({{"a", "b"}, {"a", "c"}}); }).isEmpty());
  }

  // Outcome of a cell at seed s: base_s + sum of c_g,s over the switched groups + I when both a
  // and b are switched. In order a,b,c: a adds c_a, b adds c_b + I; in c,b,a: b adds c_b, a adds
  // c_a + I. So a's and b's per-order contributions differ by exactly I, their spread is I, c's
  // is 0, and the averages are c_a + I/2 and c_b + I/2.
  void pathContributionsSeparateAnInteraction() {
    const double interaction = 0.07;
    const std::vector<double> base = {3.1, 2.9, 3.4}, ca = {0.10, 0.12, 0.08},
                              cb = {-0.20, -0.15, -0.22}, cc = {0.05, 0.04, 0.09};
    const PathPlan plan = pathPlan(pathOrders({"a", "b", "c"}, 2, 1));
    CellOutcomes outcomes;
    for (const PathCell& cell : plan.cells) {
      const std::set<std::string> s(cell.switched.begin(), cell.switched.end());
      for (int seed = 0; seed < 3; ++seed) {
        outcomes[cell.id].push_back(base[seed] + (s.count("a") ? ca[seed] : 0) +
                                    (s.count("b") ? cb[seed] : 0) + (s.count("c") ? cc[seed] : 0) +
                                    (s.count("a") && s.count("b") ? interaction : 0));
      }
    }
    const PathContributions pc = pathContributions(plan, outcomes);
    QCOMPARE(pc.seeds, 3);
    QCOMPARE(pc.groups.size(), std::size_t(3));
    const GroupContribution &a = pc.groups[0], &b = pc.groups[1], &c = pc.groups[2];
    QCOMPARE(q(a.group), QString("a"));
    QVERIFY(near(a.per_order[0].mean, mean(ca), kExact));
    QVERIFY(near(a.per_order[1].mean, mean(ca) + interaction, kExact));
    QVERIFY(near(b.per_order[0].mean, mean(cb) + interaction, kExact));
    QVERIFY(near(b.per_order[1].mean, mean(cb), kExact));
    QVERIFY(near(a.spread(), interaction, kExact));
    QVERIFY(near(b.spread(), interaction, kExact));
    QVERIFY(near(c.spread(), 0, kExact));
    QVERIFY(near(a.averaged.mean, mean(ca) + interaction / 2, kExact));
    QVERIFY(near(a.averaged.se, sampleSd(ca) / std::sqrt(3.0), kExact));  // I is the same each seed
    QCOMPARE(a.averaged.n, 3);
    QCOMPARE(a.averaged.df, 2);
    QCOMPARE(q(a.averaged.method), QString("paired t"));
    // A missing run (cell A+c, seed 3) costs c and b that seed in the reverse order only.
    outcomes["A+c"][2] = std::nan("");
    const PathContributions missing = pathContributions(plan, outcomes);
    QCOMPARE(missing.groups[2].per_order[0].n, 3);
    QCOMPARE(missing.groups[2].per_order[1].n, 2);
    QCOMPARE(missing.groups[1].per_order[1].n, 2);
    QCOMPARE(missing.groups[2].averaged.n, 2);
    QCOMPARE(missing.groups[0].averaged.n, 3);
    outcomes.erase("B");
    QVERIFY(inputError([&] { pathContributions(plan, outcomes); }).contains("cell B"));
  }

  // ---- Coverage of the 95% intervals (400 synthetic studies each, fixed seed)

  // K = 3 seeds, true effect 0.3, noise sd 0.1 on each per-seed value.
  void pairedIntervalCoverage() {
    std::mt19937_64 rng(20240611);
    std::normal_distribution<double> noise(0.0, 0.1);
    const int studies = 400;
    int covered = 0;
    for (int i = 0; i < studies; ++i) {
      std::vector<double> values;
      for (int s = 0; s < 3; ++s) values.push_back(0.3 + noise(rng));
      const Interval ci = pairedInterval(values);
      covered += *ci.lo <= 0.3 && 0.3 <= *ci.hi;
    }
    const double coverage = double(covered) / studies;
    qInfo("paired t, K = 3: coverage %.4f over %d studies (band 0.95 ± %.4f)", coverage, studies,
          coverageBand(studies));
    QVERIFY(std::fabs(coverage - 0.95) <= coverageBand(studies));
  }

  // A 2^3 full factorial, K = 3: y = mu_s + 0.15 A + 0.2 B - 0.1 AC + noise (sd 0.1 per run and
  // seed), so the main effect of A is 0.3; mu_s (a seed's own level) cancels in the contrasts.
  void factorialEffectCoverage() {
    std::mt19937_64 rng(7);
    std::normal_distribution<double> noise(0.0, 0.1), seed_level(0.0, 1.0);
    const FactorialDesign d = makeFactorial({"a", "b", "c"}, 0);
    const int studies = 400;
    int covered = 0;
    for (int i = 0; i < studies; ++i) {
      std::vector<std::vector<double>> values(d.runs.size());
      for (int s = 0; s < 3; ++s) {
        const double mu = seed_level(rng);
        for (std::size_t r = 0; r < d.runs.size(); ++r) {
          const std::vector<int>& x = d.runs[r];
          values[r].push_back(mu + 0.15 * x[0] + 0.2 * x[1] - 0.1 * x[0] * x[2] + noise(rng));
        }
      }
      const Interval ci = estimateEffects(d, values).effects[0].interval;
      covered += *ci.lo <= 0.3 && 0.3 <= *ci.hi;
    }
    const double coverage = double(covered) / studies;
    qInfo("2^3 main effect, K = 3: coverage %.4f over %d studies (band 0.95 ± %.4f)", coverage,
          studies, coverageBand(studies));
    QVERIFY(std::fabs(coverage - 0.95) <= coverageBand(studies));
  }
};

QTEST_GUILESS_MAIN(TestStudyStats)
#include "tst_study_stats.moc"
