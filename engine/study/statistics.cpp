// Student's t distribution and the paired intervals built on it. The upper tail of t is
// I_x(df/2, 1/2) / 2 with x = df / (df + t^2), evaluated by the continued fraction of Numerical
// Recipes (modified Lentz), with log-gamma differences taken without cancellation so that
// df = 1e10 is as accurate as df = 3. The quantile is a Newton iteration kept inside a bracket.
#include "engine/study/statistics.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace gwb::study {
namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kEps = std::numeric_limits<double>::epsilon();

void checkDf(double df) {
  if (!(df > 0)) throw std::invalid_argument("Student t: expected df > 0");
}

void checkLevel(double level) {
  if (!(level > 0 && level < 1)) {
    throw std::invalid_argument("interval: expected a level in (0, 1), got " +
                                std::to_string(level));
  }
}

// The Stirling series of ln Gamma(x) - ((x - 1/2) ln x - x + ln(2 pi) / 2), for x >= 10 (the first
// omitted term is below 1e-17 there).
double stirlingCorrection(double x) {
  const double r = 1 / x, r2 = r * r;
  return r * (1.0 / 12 -
              r2 * (1.0 / 360 -
                    r2 * (1.0 / 1260 -
                          r2 * (1.0 / 1680 -
                                r2 * (1.0 / 1188 - r2 * (691.0 / 360360 - r2 * (1.0 / 156)))))));
}

// ln Gamma(a + 1/2) - ln Gamma(a), without subtracting two large numbers: Stirling at a + n >= 10,
// then down by the recurrence Gamma(x + 1) = x Gamma(x).
double lnGammaHalfStep(double a) {
  double shift = 0;
  while (a < 10) {
    shift += std::log((a + 0.5) / a);
    a += 1;
  }
  const double diff = (a - 0.5) * std::log1p(0.5 / a) + 0.5 * std::log(a + 0.5) - 0.5 +
                      stirlingCorrection(a + 0.5) - stirlingCorrection(a);
  return diff - shift;
}

// The continued fraction of I_x(a, b) (Numerical Recipes' betacf, modified Lentz); converges fast
// for x < (a + 1) / (a + b + 2).
double betaContinuedFraction(double a, double b, double x) {
  constexpr double kTiny = 1e-300;
  constexpr int kMaxIterations = 20000;
  const double qab = a + b, qap = a + 1, qam = a - 1;
  double c = 1, d = 1 - qab * x / qap;
  if (std::fabs(d) < kTiny) d = kTiny;
  d = 1 / d;
  double h = d;
  for (int m = 1; m <= kMaxIterations; ++m) {
    const double m2 = 2.0 * m;
    double aa = m * (b - m) * x / ((qam + m2) * (a + m2));  // even step
    d = 1 + aa * d;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = 1 + aa / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1 / d;
    h *= d * c;
    aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));  // odd step
    d = 1 + aa * d;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = 1 + aa / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1 / d;
    const double del = d * c;
    h *= del;
    if (std::fabs(del - 1) < kEps) break;
  }
  return h;
}

// Above this many degrees of freedom the continued fraction loses digits to 1 - x (1.5e-7 at
// df = 1e10) and the expansion below takes over (its error at df = 1e4 is below 1e-14 to |z| = 8).
constexpr double kLargeDf = 1e4;

// The Cornish-Fisher expansion of the t quantile in powers of 1/df around the normal quantile z
// (Abramowitz & Stegun 26.7.5; its error falls as df^-5, checked against mpmath), and its
// derivative in z.
double cornishFisher(double z, double df) {
  const double z2 = z * z, v = 1 / df;
  const double g1 = (z2 + 1) / 4;
  const double g2 = ((5 * z2 + 16) * z2 + 3) / 96;
  const double g3 = (((3 * z2 + 19) * z2 + 17) * z2 - 15) / 384;
  const double g4 = ((((79 * z2 + 776) * z2 + 1482) * z2 - 1920) * z2 - 945) / 92160;
  return z * (1 + v * (g1 + v * (g2 + v * (g3 + v * g4))));
}
double cornishFisherSlope(double z, double df) {
  const double z2 = z * z, v = 1 / df;
  const double g1 = (3 * z2 + 1) / 4;
  const double g2 = ((25 * z2 + 48) * z2 + 3) / 96;
  const double g3 = (((21 * z2 + 95) * z2 + 51) * z2 - 15) / 384;
  const double g4 = ((((711 * z2 + 5432) * z2 + 7410) * z2 - 5760) * z2 - 945) / 92160;
  return 1 + v * (g1 + v * (g2 + v * (g3 + v * g4)));
}

// P(T > t) for t >= 0 and df > kLargeDf: the normal tail at the z whose expansion is t.
double upperTailLargeDf(double t, double df) {
  if (t > 50) return 0;  // below 1e-480 for df >= 1e4
  double z = t;
  for (int i = 0; i < 50; ++i) {
    const double step = (cornishFisher(z, df) - t) / cornishFisherSlope(z, df);
    z -= step;
    if (std::fabs(step) <= kEps * z) break;
  }
  return 0.5 * std::erfc(z / std::sqrt(2.0));
}

// P(T > t) for t >= 0 and finite df: I_x(df/2, 1/2) / 2, x = 1 / (1 + r), 1 - x = r / (1 + r),
// r = t^2 / df. Accurate relative to itself in the far tail (no 1 - p there).
double upperTail(double t, double df) {
  if (t == 0) return 0.5;
  if (std::isinf(t)) return 0;
  if (df > kLargeDf) return upperTailLargeDf(t, df);
  const double a = 0.5 * df, b = 0.5;
  const double q = t / std::sqrt(df);
  const double r = q * q;  // may overflow to inf: its logarithms come from q
  const double log_r = 2 * std::log(q);
  const double log1p_r = r > 1e15 ? log_r + 1 / r : std::log1p(r);
  const double x = 1 / (1 + r), y = r > 1e15 ? 1 - 1 / r : r / (1 + r);
  // ln of x^a (1-x)^b / B(a, b), B(a, 1/2) = Gamma(a) Gamma(1/2) / Gamma(a + 1/2).
  const double log_front =
      lnGammaHalfStep(a) - 0.5 * std::log(kPi) - a * log1p_r + b * (log_r - log1p_r);
  const double front = std::exp(log_front);
  if (x < (a + 1) / (a + b + 2)) return 0.5 * front * betaContinuedFraction(a, b, x) / a;
  return 0.5 * (1 - front * betaContinuedFraction(b, a, y) / b);
}

// The density of t.
double density(double t, double df) {
  return std::exp(lnGammaHalfStep(0.5 * df) - 0.5 * std::log(df * kPi) -
                  0.5 * (df + 1) * std::log1p(t / df * t));
}

}  // namespace

double normalQuantile(double p) {
  if (std::isnan(p) || p < 0 || p > 1) {
    throw std::invalid_argument("normal quantile: expected p in [0, 1]");
  }
  if (p == 0) return -kInf;
  if (p == 1) return kInf;
  if (p > 0.5) return -normalQuantile(1 - p);  // 1 - p is exact here; the lower tail is refined
  // Acklam's rational approximation (relative error 1.15e-9).
  static constexpr double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,
                                 -2.759285104469687e+02, 1.383577518672690e+02,
                                 -3.066479806614716e+01, 2.506628277459239e+00};
  static constexpr double b[] = {-5.447609879822406e+01, 1.615858368580409e+02,
                                 -1.556989798598866e+02, 6.680131188771972e+01,
                                 -1.328068155288572e+01};
  static constexpr double c[] = {-7.784894002430293e-03, -3.223964580411365e-01,
                                 -2.400758277161838e+00, -2.549732539343734e+00,
                                 4.374664141464968e+00,  2.938163982698783e+00};
  static constexpr double d[] = {7.784695709041462e-03, 3.224671290700398e-01,
                                 2.445134137142996e+00, 3.754408661907416e+00};
  double x;
  if (p < 0.02425) {
    const double q = std::sqrt(-2 * std::log(p));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  } else {
    const double q = p - 0.5, r = q * q;
    x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
        (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  }
  // One Halley step on Phi(x) - p.
  const double e = 0.5 * std::erfc(-x / std::sqrt(2.0)) - p;
  const double u = e * std::sqrt(2 * kPi) * std::exp(0.5 * x * x);
  return x - u / (1 + 0.5 * x * u);
}

double studentTCdf(double t, double df) {
  checkDf(df);
  if (std::isnan(t)) throw std::invalid_argument("Student t: expected a number, got NaN");
  if (std::isinf(df)) return 0.5 * std::erfc(-t / std::sqrt(2.0));
  return t < 0 ? upperTail(-t, df) : 1 - upperTail(t, df);
}

double studentTQuantile(double p, double df) {
  checkDf(df);
  if (std::isnan(p) || p < 0 || p > 1) {
    throw std::invalid_argument("Student t quantile: expected p in [0, 1]");
  }
  if (std::isinf(df)) return normalQuantile(p);
  if (p == 0) return -kInf;
  if (p == 1) return kInf;
  if (p == 0.5) return 0;
  if (df > kLargeDf) return cornishFisher(normalQuantile(p), df);
  // Solve upperTail(t) = u for t > 0; the lower half by symmetry.
  const double u = p > 0.5 ? 1 - p : p;
  const double sign = p > 0.5 ? 1 : -1;
  // Bracket [lo, hi]: upperTail(lo) >= u > upperTail(hi).
  double t = std::max(cornishFisher(-normalQuantile(u), df), 1e-3);
  double lo = 0, hi = t;
  while (upperTail(hi, df) >= u) {
    lo = hi;
    hi *= 2;
    if (std::isinf(hi)) return sign * kInf;  // beyond double range (df far below 1)
  }
  if (!(t > lo && t < hi)) t = 0.5 * (lo + hi);
  for (int i = 0; i < 400; ++i) {
    const double f = upperTail(t, df) - u;
    if (f == 0) break;
    (f > 0 ? lo : hi) = t;  // the tail falls with t
    double next = t + f / density(t, df);
    if (!(next > lo && next < hi)) {
      // Bisect, geometrically across a wide bracket (df below 1 has enormous quantiles).
      next = (lo > 0 && hi > 1e3 * lo) ? std::sqrt(lo * hi) : 0.5 * (lo + hi);
    }
    const bool done = std::fabs(next - t) <= 4 * kEps * t || hi - lo <= 4 * kEps * hi;
    t = next;
    if (done) break;
  }
  return sign * t;
}

double mean(const std::vector<double>& values) {
  if (values.empty()) return kNaN;
  double sum = 0;
  for (double v : values) sum += v;
  return sum / static_cast<double>(values.size());
}

double sampleSd(const std::vector<double>& values) {
  if (values.size() < 2) return kNaN;
  const double m = mean(values);
  double sq = 0;
  for (double v : values) sq += (v - m) * (v - m);
  return std::sqrt(sq / static_cast<double>(values.size() - 1));
}

bool Interval::containsZero() const { return !hasInterval() || (*lo <= 0 && 0 <= *hi); }

double Interval::halfWidth() const { return hasInterval() ? 0.5 * (*hi - *lo) : kNaN; }

Interval pairedInterval(const std::vector<double>& values, double level) {
  checkLevel(level);
  for (double v : values) {
    if (!std::isfinite(v)) {
      throw std::invalid_argument(
          "paired interval: expected finite values (drop unfinished runs "
          "first), got " +
          std::to_string(v));
    }
  }
  Interval out;
  out.level = level;
  out.n = static_cast<int>(values.size());
  out.mean = mean(values);
  if (values.size() < 2) {
    out.method = "none (n < 2)";
    return out;
  }
  out.method = "paired t";
  out.df = out.n - 1;
  out.se = sampleSd(values) / std::sqrt(static_cast<double>(out.n));
  const double half = studentTQuantile(0.5 * (1 + level), out.df) * out.se;
  out.lo = out.mean - half;
  out.hi = out.mean + half;
  return out;
}

Interval intervalFromSe(double mean, double se, int df, double level) {
  checkLevel(level);
  if (!std::isfinite(mean) || !std::isfinite(se) || se < 0 || df < 0) {
    throw std::invalid_argument(
        "interval from a standard error: expected a finite mean, se >= 0 "
        "and df >= 0");
  }
  Interval out;
  out.level = level;
  out.mean = mean;
  if (df == 0) {
    out.method = "none (df = 0)";
    return out;
  }
  out.method = "pooled residual";
  out.df = df;
  out.se = se;
  const double half = studentTQuantile(0.5 * (1 + level), df) * se;
  out.lo = mean - half;
  out.hi = mean + half;
  return out;
}

std::string join(const std::vector<std::string>& parts, const std::string& separator) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) out += (i ? separator : "") + parts[i];
  return out;
}

}  // namespace gwb::study
