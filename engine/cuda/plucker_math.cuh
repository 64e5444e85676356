// The per-token arithmetic of fused Causal Grassmann geometry, written once for the CUDA kernels
// (one warp per token, 32 lanes) and for their CPU oracle test (one lane), so that the test checks
// the very code the GPU runs: Plücker coordinates of every valid offset, their norms, the
// normalisation, the weighted average (SPEC §1.2-1.5), and the gradient of that average with
// respect to z. Accumulation in `Acc` (float on the GPU; double in the fp64 test).
// Plain C++ with __host__ __device__ when nvcc compiles it; no CUDA or torch headers.
#pragma once

#include <cmath>
#include <cstdint>

#if defined(__CUDACC__)
#define GWB_HD __host__ __device__ __forceinline__
#else
#define GWB_HD inline
#endif

namespace gwb::fused {

/// Offsets handled by one call (the reference uses 6 distinct ones; repeats are merged as weights).
constexpr int kMaxOffsets = 32;

/// What every token needs to know: passed by value to the kernels.
struct PluckerParams {
  int T = 0;  ///< sequence length
  int r = 0;  ///< reduced dimension
  int m = 0;  ///< distinct offsets
  int offsets[kMaxOffsets] = {};
  float weights[kMaxOffsets] = {};  ///< how often each offset is listed
  float eps = 1e-8f;
  int normalize = 1;
  int future = 0;  ///< pairing future_leaky: partner t + delta instead of t - delta
};

/// r (r - 1) / 2.
GWB_HD int pluckerDim(int r) { return r * (r - 1) / 2; }

/// Index of coordinate (i, j), i < j, in torch.triu_indices order.
GWB_HD int pairIndex(int i, int j, int r) { return i * (2 * r - i - 1) / 2 + (j - i - 1); }

/// The pair (i, j) of coordinate k.
GWB_HD void pairOf(int k, int r, int& i, int& j) {
  i = 0;
  int start = 0;
  while (start + (r - 1 - i) <= k) {
    start += r - 1 - i;
    ++i;
  }
  j = i + 1 + (k - start);
}

/// Plücker coordinate k of the pair (u, v): u_i v_j - u_j v_i, (i, j) the pair of k.
template <typename Acc, typename T>
GWB_HD Acc pluckerAt(const T* u, const T* v, int k, int r) {
  int i, j;
  pairOf(k, r, i, j);
  return static_cast<Acc>(u[i]) * static_cast<Acc>(v[j]) -
         static_cast<Acc>(u[j]) * static_cast<Acc>(v[i]);
}

/// The partner of position t for offset number o, or -1 when it falls outside the sequence.
GWB_HD int partnerOf(const PluckerParams& p, int t, int o) {
  const int s = p.future ? t + p.offsets[o] : t - p.offsets[o];
  return s >= 0 && s < p.T ? s : -1;
}

/// Sum of the weights of the valid offsets of position t (0: no valid offset, g_t = 0).
GWB_HD float validWeight(const PluckerParams& p, int t) {
  float w = 0;
  for (int o = 0; o < p.m; ++o) {
    if (partnerOf(p, t, o) >= 0) w += p.weights[o];
  }
  return w;
}

/// Forward for token t of one sequence. `u` points at z_t, `row(s)` at z_s (r values each);
/// this lane computes the coordinates k = lane, lane + lanes, ... < P of the weighted mean over
/// the valid offsets of p_hat, accumulating in `acc` (P values, shared by the lanes of the token)
/// and writing `out`. `sum_all(x)` adds x over the lanes and gives every lane the total.
template <typename Acc, typename T, typename Row, typename SumAll, typename Out>
GWB_HD void pluckerMeanToken(const PluckerParams& p, int t, const T* u, Row row, int lane,
                             int lanes, SumAll sum_all, Acc* acc, Out* out) {
  const int P = pluckerDim(p.r);
  for (int k = lane; k < P; k += lanes) acc[k] = Acc(0);
  const Acc total = static_cast<Acc>(validWeight(p, t));
  for (int o = 0; o < p.m && total > Acc(0); ++o) {
    const int s = partnerOf(p, t, o);
    if (s < 0) continue;
    const T* v = row(s);
    Acc sq = 0;
    for (int k = lane; k < P; k += lanes) {
      const Acc pk = pluckerAt<Acc>(u, v, k, p.r);
      sq += pk * pk;
    }
    const Acc norm = std::sqrt(sum_all(sq));
    const Acc eps = static_cast<Acc>(p.eps);
    const Acc scale =
        static_cast<Acc>(p.weights[o]) / total / (p.normalize ? (norm > eps ? norm : eps) : Acc(1));
    for (int k = lane; k < P; k += lanes) acc[k] += scale * pluckerAt<Acc>(u, v, k, p.r);
  }
  for (int k = lane; k < P; k += lanes) out[k] = static_cast<Out>(acc[k]);
}

/// The gradient of one pair's term c * p_hat(u, v) (c = weight / total of the position that owns
/// the pair) given the upstream gradient `g` (P values) of that position's mean: adds
/// d/du to gu and d/dv to gv for the coordinates c = lane, lane + lanes, ... < r.
/// With G the antisymmetric matrix of dL/dp: dL/du = G v and dL/dv = -G u.
template <typename Acc, typename T, typename G, typename SumAll>
GWB_HD void pairBackward(const PluckerParams& p, Acc c, const T* u, const T* v, const G* g,
                         int lane, int lanes, SumAll sum_all, Acc* gu, Acc* gv) {
  const int P = pluckerDim(p.r);
  Acc sq = 0, dot = 0;
  for (int k = lane; k < P; k += lanes) {
    const Acc pk = pluckerAt<Acc>(u, v, k, p.r);
    sq += pk * pk;
    dot += pk * static_cast<Acc>(g[k]);
  }
  sq = sum_all(sq);
  dot = sum_all(dot);
  const Acc norm = std::sqrt(sq);
  const Acc eps = static_cast<Acc>(p.eps);
  // p_hat = p / max(|p|, eps): d p_hat / d p = (I - p_hat p_hat^T) / |p| above eps, I / eps below.
  const bool above = p.normalize && norm > eps;
  const Acc inv = p.normalize ? (above ? Acc(1) / norm : Acc(1) / eps) : Acc(1);
  const Acc proj = above ? dot / sq : Acc(0);
  for (int a = lane; a < p.r; a += lanes) {
    Acc du = 0, dv = 0;
    for (int b = 0; b < p.r; ++b) {
      if (b == a) continue;
      // G_ab = dL/dp_ab for a < b and -dL/dp_ba for a > b.
      const int lo = a < b ? a : b, hi = a < b ? b : a;
      const int k = pairIndex(lo, hi, p.r);
      const Acc pk = static_cast<Acc>(u[lo]) * static_cast<Acc>(v[hi]) -
                     static_cast<Acc>(u[hi]) * static_cast<Acc>(v[lo]);
      const Acc gp = c * inv * (static_cast<Acc>(g[k]) - proj * pk);
      const Acc gab = a < b ? gp : -gp;
      du += gab * static_cast<Acc>(v[b]);
      dv -= gab * static_cast<Acc>(u[b]);
    }
    gu[a] += du;
    gv[a] += dv;
  }
}

/// Backward for token t, gathered (no atomics): dL/dz_t from the pairs where z_t is the first
/// vector (its own position's pairs) and from those where it is the partner (the positions that
/// pair with t). `row(s)` points at z_s, `grad(s)` at the upstream gradient of position s's mean.
/// This lane writes gz[a] for a = lane, lane + lanes, ... < r.
template <typename Acc, typename T, typename Row, typename Grad, typename SumAll, typename Out>
GWB_HD void pluckerMeanTokenBackward(const PluckerParams& p, int t, Row row, Grad grad, int lane,
                                     int lanes, SumAll sum_all, Acc* scratch_u, Acc* scratch_v,
                                     Out* gz) {
  for (int a = lane; a < p.r; a += lanes) scratch_u[a] = Acc(0);
  const T* zt = row(t);
  const Acc own = static_cast<Acc>(validWeight(p, t));
  for (int o = 0; o < p.m; ++o) {
    // z_t as u: the pair (t, partner) of position t.
    const int s = partnerOf(p, t, o);
    if (s >= 0) {
      for (int a = lane; a < p.r; a += lanes) scratch_v[a] = Acc(0);
      pairBackward<Acc>(p, static_cast<Acc>(p.weights[o]) / own, zt, row(s), grad(t), lane, lanes,
                        sum_all, scratch_u, scratch_v);
    }
    // z_t as v: the position q whose partner for this offset is t.
    const int q = p.future ? t - p.offsets[o] : t + p.offsets[o];
    if (q >= 0 && q < p.T) {
      const Acc theirs = static_cast<Acc>(validWeight(p, q));
      for (int a = lane; a < p.r; a += lanes) scratch_v[a] = Acc(0);
      // Accumulate into scratch_u through the "v" slot: swap the output roles.
      pairBackward<Acc>(p, static_cast<Acc>(p.weights[o]) / theirs, row(q), zt, grad(q), lane,
                        lanes, sum_all, scratch_v, scratch_u);
    }
  }
  for (int a = lane; a < p.r; a += lanes) gz[a] = static_cast<Out>(scratch_u[a]);
}

}  // namespace gwb::fused
