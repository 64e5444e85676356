// Language-model batches from a split's token stream: the chunk order of an epoch (a Fisher-Yates
// shuffle driven by SplitMix64 seeded with (seed, epoch), identical on every platform) and the
// (B, L) id tensor of a list of chunks.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <vector>

namespace gwb {

struct TokenStream;

/// The order in which an epoch visits `n` chunks.
std::vector<std::int64_t> epochOrder(std::int64_t n, std::int64_t seed, std::int64_t epoch);

/// Chunks [first, first + count) of `order` as a (count, seq_len) int64 tensor on `device`.
torch::Tensor chunkBatch(const TokenStream& stream, const std::vector<std::int64_t>& order,
                         std::int64_t first, std::int64_t count, std::int64_t seq_len,
                         const torch::Device& device);

/// Chunks [first, first + count) in stream order.
torch::Tensor sequentialBatch(const TokenStream& stream, std::int64_t first, std::int64_t count,
                              std::int64_t seq_len, const torch::Device& device);

}  // namespace gwb
