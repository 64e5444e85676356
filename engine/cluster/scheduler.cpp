// The scheduler's arithmetic.
#include "engine/cluster/scheduler.h"

#include "engine/util/error.h"

#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <limits>
#include <set>

namespace gwb {

int decideJobs(const DeviceCapacity& device, const std::vector<std::int64_t>& footprints,
               int max_jobs, double headroom) {
  if (footprints.empty()) return 1;
  if (!device.cuda) return 1;  // runs on a CPU share its cores: one at a time is fastest overall
  const std::int64_t largest =
      std::max<std::int64_t>(1, *std::max_element(footprints.begin(), footprints.end()));
  const auto fit =
      static_cast<std::int64_t>(headroom * static_cast<double>(device.free_bytes)) / largest;
  const std::int64_t jobs =
      std::min<std::int64_t>({fit, max_jobs, static_cast<std::int64_t>(footprints.size())});
  return static_cast<int>(std::max<std::int64_t>(1, jobs));
}

namespace {

using Bytes = long double;  // sizes from a typo (batch 1e12) must not overflow

std::int64_t saturate(Bytes n) {
  constexpr Bytes kMax = static_cast<Bytes>(std::numeric_limits<std::int64_t>::max());
  return n >= kMax ? std::numeric_limits<std::int64_t>::max() : static_cast<std::int64_t>(n);
}

// Activation values saved per token for the backward pass of the blocks of `m` at length L.
Bytes savedPerToken(const ModelConfig& m, Bytes L) {
  Bytes per_block = 0;
  for (std::int64_t layer = 0; layer < std::min<std::int64_t>(m.n_layers, 4096); ++layer) {
    Bytes saved = 6 * static_cast<Bytes>(m.d_model) + 2 * static_cast<Bytes>(m.d_ff);
    if (m.arch == "grassmann") {
      const std::vector<std::int64_t> w = m.layerWindows(layer);
      const auto offsets = static_cast<Bytes>(std::set<std::int64_t>(w.begin(), w.end()).size());
      const Bytes P = static_cast<Bytes>(m.r) * static_cast<Bytes>(m.r - 1) / 2;
      saved += static_cast<Bytes>(m.r) + 2 * P * (offsets + 1) + 4 * static_cast<Bytes>(m.d_model);
    } else {
      saved += 4 * static_cast<Bytes>(m.d_model) + 2 * static_cast<Bytes>(m.heads) * L;
    }
    per_block += saved;
  }
  if (m.n_layers > 4096) per_block *= static_cast<Bytes>(m.n_layers) / 4096;
  return per_block;
}

}  // namespace

std::int64_t estimateFootprint(const RunConfig& c, bool bf16) {
  const ModelConfig& m = c.model;
  const Bytes act = bf16 ? 2 : 4;  // bytes per saved activation
  const Bytes B = static_cast<Bytes>(c.train.batch_size);
  const Bytes L = static_cast<Bytes>(c.data.seq_len > 0 ? c.data.seq_len : defaultSeqLen(c.data));
  const Bytes params = static_cast<Bytes>(countTrainedParameters(c));
  Bytes bytes = params * 4 * 4;  // weights, gradients, exp_avg, exp_avg_sq
  if (!c.data.isSnli()) {
    bytes += B * L * static_cast<Bytes>(m.vocab_size) * (act + 4 + 4);  // logits, log-softmax, grad
    bytes += B * L * savedPerToken(m, L) * act;
  } else if (!m.hasBackbone()) {
    const Bytes sequences = c.data.separatePairs() ? 2 : 1;
    bytes += sequences * B * L * savedPerToken(m, L) * act;
  } else {
    // The frozen DistilBERT-base (66M parameters) and its transient activations, then the head's
    // saved activations over the (concatenated) token features.
    const Bytes T = c.data.separatePairs() ? 2 * L : L;
    bytes += 66.4e6L * (bf16 ? 2 : 4) + B * T * 768 * 12 * act;
    ModelConfig head = m;
    head.d_model = m.head_d_model;
    head.d_ff = m.head_d_ff;
    head.n_layers = m.head_layers;
    head.r = m.head_r;
    head.heads = m.head_heads;
    head.windows = {1};
    bytes += B * T * savedPerToken(head, T) * act;
  }
  return saturate(bytes + bytes / 5);  // the allocator's slack
}

std::int64_t hostMemoryAvailable() {
  std::int64_t available = 0;
  if (std::FILE* f = std::fopen("/proc/meminfo", "r")) {
    char line[256];
    while (std::fgets(line, sizeof line, f)) {
      long long kb = 0;
      if (std::sscanf(line, "MemAvailable: %lld kB", &kb) == 1) available = kb * 1024;
    }
    std::fclose(f);
  }
  for (const int resource : {RLIMIT_AS, RLIMIT_DATA}) {
    struct rlimit limit {};
    if (getrlimit(resource, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) {
      const auto cap = static_cast<std::int64_t>(limit.rlim_cur);
      available = available > 0 ? std::min(available, cap) : cap;
    }
  }
  return available;
}

std::optional<ConfigProblem> memoryProblem(const RunConfig& config, bool bf16,
                                           std::int64_t available, const std::string& device) {
  if (available <= 0) return std::nullopt;
  const std::int64_t needed = estimateFootprint(config, bf16);
  if (static_cast<long double>(needed) <= 0.9L * static_cast<long double>(available))
    return std::nullopt;
  // Name what dominates: the parameters (model size) or the step's activations (batch x length).
  RunConfig tiny = config;
  tiny.train.batch_size = 1;
  const bool weights_dominate = estimateFootprint(tiny, bf16) * 2 > needed;
  const auto gib = [](long double b) {
    char text[64];
    std::snprintf(text, sizeof text, "%.3g GiB", static_cast<double>(b / (1024.0L * 1024 * 1024)));
    return std::string(text);
  };
  const std::string what = weights_dominate
                               ? "a model that fits in the " + gib(available) + " of " + device +
                                     " memory available (these sizes need about " + gib(needed) +
                                     " for weights, gradients and AdamW moments)"
                               : "a batch that fits in the " + gib(available) + " of " + device +
                                     " memory available (batch_size x seq_len needs about " +
                                     gib(needed) + " for one training step)";
  const std::string key =
      weights_dominate ? (config.model.hasBackbone() ? "model.head_d_model" : "model.d_model")
                       : "train.batch_size";
  const std::string got = weights_dominate ? std::to_string(config.model.d_model)
                                           : std::to_string(config.train.batch_size);
  return ConfigProblem{key, expectedGot(what, got)};
}

}  // namespace gwb
