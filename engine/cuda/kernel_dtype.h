// The element types the fused kernels take, named without CUDA or torch headers.
#pragma once

namespace gwb::fused {

enum class Dtype { F32, BF16 };

}  // namespace gwb::fused
