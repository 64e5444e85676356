// The workbench's own science (SPEC §6, CONTRACTS.md): on a fixed probe batch, per Grassmann
// layer the distribution of gate alpha, and per layer and offset the distributions of |p| (log10)
// and of the angle between z_t and its partner, the degenerate share and the effective rank of
// the normalised Plücker vectors. Runs under no_grad; returns plain numbers.
#pragma once

#include <torch/torch.h>

#include <vector>

#include "engine/config/run_config.h"
#include "engine/model/language_model.h"
#include "engine/runs/events.h"

namespace gwb {

/// The fixed range of the log10 |p| histogram; values outside fall into the end bins.
constexpr double kLogNormMin = -6.0;
constexpr double kLogNormMax = 4.0;

struct ProbeResult {
  std::vector<AlphaEvent> alpha;      // one per layer
  std::vector<PluckerEvent> plucker;  // one per layer and offset
};

/// Probes the body of a Grassmann model (a language model or a classifier; a Transformer gives
/// an empty result) on `ids` (B, T), `mask` (true = token; undefined: all). Only token positions
/// and valid pairs count. The step/epoch/tokens/time fields are left for the caller to fill.
ProbeResult runProbes(LanguageModelImpl& model, const torch::Tensor& ids, const torch::Tensor& mask,
                      const ProbesConfig& config);

/// The events of captured layers (what runProbes makes of a model's captures; the SNLI heads call
/// it with theirs): per layer alpha, per layer and offset the Plücker statistics, `plucker_eps`
/// the degeneracy threshold.
ProbeResult probeEvents(const std::vector<GrassmannCapture>& captures, double plucker_eps,
                        const ProbesConfig& config);

/// exp(entropy of s / sum s) of the singular values of `rows` (n, P); 0 for an empty matrix.
double effectiveRank(const torch::Tensor& rows);

}  // namespace gwb
