// The scheduler's arithmetic.
#include "engine/train/scheduler.h"

#include <algorithm>
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

std::int64_t estimateFootprint(const RunConfig& c, bool bf16) {
  const ModelConfig& m = c.model;
  const std::int64_t params = countParameters(m);
  const std::int64_t tokens = c.train.batch_size * c.data.seq_len;
  const std::int64_t act = bf16 ? 2 : 4;           // bytes per saved activation
  std::int64_t bytes = params * 4 * 4;             // weights, gradients, exp_avg, exp_avg_sq
  bytes += tokens * m.vocab_size * (act + 4 + 4);  // logits, fp32 log-softmax, its gradient
  std::int64_t per_block = 0;
  for (std::int64_t layer = 0; layer < m.n_layers; ++layer) {
    std::int64_t saved = 6 * m.d_model + 2 * m.d_ff;  // norms, residuals, FFN in/out and GELU input
    if (m.arch == "grassmann") {
      const std::vector<std::int64_t> w = m.layerWindows(layer);
      const auto offsets =
          static_cast<std::int64_t>(std::set<std::int64_t>(w.begin(), w.end()).size());
      saved +=
          m.r + 2 * m.pluckerDim() * (offsets + 1) + 4 * m.d_model;  // z, p per offset, mean, gate
    } else {
      saved += 4 * m.d_model + 2 * m.heads * c.data.seq_len;  // q, k, v, output, attention weights
    }
    per_block += saved;
  }
  bytes += tokens * per_block * act;
  return bytes + bytes / 5;  // the allocator's slack
}

}  // namespace gwb
