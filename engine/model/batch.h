// One batch of any task on its device: language-model chunks, or SNLI pairs (joint: one padded
// sequence per pair; separate: premises and hypotheses padded on their own), or a frozen
// backbone's outputs for an SNLI head (token features with their mask, or pooled vectors).
// Sequences are padded on the right; masks are true at tokens.
#pragma once

#include <torch/torch.h>

#include <cstdint>

namespace gwb {

struct Batch {
  torch::Tensor ids;     ///< (B, T) int64: chunks, joint pairs, or premises
  torch::Tensor mask;    ///< (B, T) bool, true = token; undefined: every position is one
  torch::Tensor ids_b;   ///< separate encoding: hypotheses (B, T_b)
  torch::Tensor mask_b;  ///< their mask
  torch::Tensor labels;  ///< (B,) int64 gold classes (classification)
  /// A head's input: token features (B, T, D) with `mask`, or pooled vectors (B, D).
  torch::Tensor features;
  std::int64_t segment = 0;  ///< separate encoding: each sentence's length in `features`' layout
  std::int64_t rows = 0;     ///< examples in the batch
  std::int64_t tokens = 0;   ///< what the batch adds to the events' `tokens`
};

}  // namespace gwb
