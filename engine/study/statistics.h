// Paired statistics of a study (SPEC §9): Student-t intervals on per-seed values, so that they hold
// at K = 3 seeds where a percentile bootstrap covers about 75%. The t distribution is computed
// here (regularized incomplete beta by continued fraction, safeguarded Newton for its inverse),
// to about 1e-12, with nothing but the C++ standard library. Torch-free, Qt-free; any thread.
#pragma once

#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace gwb::study {

/// "missing": a value a study has not measured (yet).
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// The parts joined by `separator` ("a, b", "AB = CD").
std::string join(const std::vector<std::string>& parts, const std::string& separator);

/// The level of every interval unless asked otherwise.
constexpr double kDefaultLevel = 0.95;

/// P(T <= t) for Student's t with `df` degrees of freedom (df > 0, any real; df = +infinity is
/// the standard normal). std::invalid_argument for df <= 0 or a NaN argument.
double studentTCdf(double t, double df);
/// The t with P(T <= t) = p, for p in (0, 1) (±infinity at p = 0 or 1); the inverse of
/// studentTCdf, accurate to about 1e-12 relative. std::invalid_argument outside [0, 1] or df <= 0.
double studentTQuantile(double p, double df);
/// The standard normal quantile (Acklam's approximation refined by one Halley step: ~1e-15).
double normalQuantile(double p);

/// Arithmetic mean; NaN for no values.
double mean(const std::vector<double>& values);
/// Sample standard deviation (n - 1 in the denominator); NaN for fewer than 2 values.
double sampleSd(const std::vector<double>& values);

/// A mean with its two-sided Student-t interval, or with none (n < 2, no residual).
struct Interval {
  double mean = std::numeric_limits<double>::quiet_NaN();  ///< the estimate
  int n = 0;                                               ///< values (seeds) behind it
  int df = 0;                                              ///< degrees of freedom (0: none)
  double se = std::numeric_limits<double>::quiet_NaN();    ///< standard error (NaN: none)
  double level = kDefaultLevel;                            ///< two-sided coverage asked for
  std::optional<double> lo, hi;                            ///< the bounds, both or neither
  std::string method;  ///< "paired t", "pooled residual", "none (n < 2)" or "none (df = 0)"

  /// Whether there are bounds.
  bool hasInterval() const { return lo.has_value() && hi.has_value(); }
  /// Whether zero cannot be ruled out: lo <= 0 <= hi, and also true when there is no interval
  /// (nothing shows the value differs from 0). Check hasInterval() to tell the two apart.
  bool containsZero() const;
  /// (hi - lo) / 2; NaN without an interval.
  double halfWidth() const;
};

/// Mean of per-seed paired values (differences, Deltas, effect estimates) with the interval
/// mean ± t_{(1+level)/2, n-1} · sd / sqrt(n), method "paired t". Fewer than 2 values give no
/// interval (df 0, method "none (n < 2)"; the mean of one value is that value).
/// std::invalid_argument for a non-finite value (callers drop unfinished runs first) or a level
/// outside (0, 1).
Interval pairedInterval(const std::vector<double>& values, double level = kDefaultLevel);

/// mean ± t_{(1+level)/2, df} · se, method "pooled residual" (the one use: a factorial's pooled
/// error at one seed); df = 0 gives no interval (method "none (df = 0)"). `n` is left 0 for the
/// caller to set. std::invalid_argument for a non-finite mean, a negative or non-finite se,
/// df < 0 or a level outside (0, 1).
Interval intervalFromSe(double mean, double se, int df, double level = kDefaultLevel);

}  // namespace gwb::study
