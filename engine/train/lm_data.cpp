// Epoch order and batch assembly.
#include "engine/train/lm_data.h"

#include <cstring>
#include <numeric>

#include "engine/data/wikitext.h"

namespace gwb {
namespace {

std::uint64_t splitMix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

}  // namespace

std::vector<std::int64_t> epochOrder(std::int64_t n, std::int64_t seed, std::int64_t epoch) {
  std::vector<std::int64_t> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  std::uint64_t state =
      static_cast<std::uint64_t>(seed) * 0x100000001b3ull ^ static_cast<std::uint64_t>(epoch + 1);
  for (std::int64_t i = n - 1; i > 0; --i) {
    const auto j = static_cast<std::int64_t>(splitMix64(state) % static_cast<std::uint64_t>(i + 1));
    std::swap(order[i], order[j]);
  }
  return order;
}

torch::Tensor chunkBatch(const TokenStream& stream, const std::vector<std::int64_t>& order,
                         std::int64_t first, std::int64_t count, std::int64_t seq_len,
                         const torch::Device& device) {
  torch::Tensor ids = torch::empty({count, seq_len}, torch::kLong);
  auto* out = ids.data_ptr<std::int64_t>();
  for (std::int64_t b = 0; b < count; ++b) {
    const std::int32_t* chunk = stream.chunk(order[first + b], seq_len);
    for (std::int64_t t = 0; t < seq_len; ++t) out[b * seq_len + t] = chunk[t];
  }
  return device.is_cpu() ? ids : ids.to(device, /*non_blocking=*/true);
}

torch::Tensor sequentialBatch(const TokenStream& stream, std::int64_t first, std::int64_t count,
                              std::int64_t seq_len, const torch::Device& device) {
  std::vector<std::int64_t> order(static_cast<std::size_t>(first + count));
  std::iota(order.begin(), order.end(), 0);
  return chunkBatch(stream, order, first, count, seq_len, device);
}

}  // namespace gwb
