// The fused Grassmann kernels on the GPU against the ATen reference computed on the CPU in fp64
// (label gpu): forward and backward, fp32 to 1e-5 and bf16 to 1e-2 relative, fresh random inputs
// every run, outputs poisoned beforehand so that every element must be written; sequences shorter
// than the largest offset, odd sizes, r other than 32, future pairing; and the autograd path.
#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <string>

#include "engine/model/plucker.h"
#include "tests/gpu/gpu_check.h"

#ifdef GWB_WITH_CUDA
#include "engine/cuda/plucker_fused.h"
#endif

using namespace gwb;
using gputest::check;

int main() {
#ifndef GWB_WITH_CUDA
  std::printf("SKIP  this LibTorch has no CUDA: the fused kernels are not linked\n");
  return gputest::kSkip;
#else
  if (!torch::cuda::is_available()) {
    std::printf("SKIP  no CUDA device\n");
    return gputest::kSkip;
  }
  const auto seed =
      static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
  torch::manual_seed(seed);
  std::printf("random seed %llu\n", static_cast<unsigned long long>(seed));
  struct Case {
    const char* name;
    int B, T, r;
    std::vector<std::int64_t> windows;
    bool normalize, future;
  };
  const std::vector<Case> cases = {
      {"reference offsets r=32", 4, 256, 32, {1, 2, 4, 8, 12, 16}, true, false},
      {"12-layer repeats", 2, 128, 32, {1, 1, 2, 2, 4, 4, 8, 8, 12, 12, 16, 16}, true, false},
      {"shorter than the largest offset", 3, 7, 32, {1, 2, 4, 8, 12, 16}, true, false},
      {"odd sizes r=17", 3, 37, 17, {1, 3, 5}, true, false},
      {"r=8", 5, 33, 8, {1, 2}, true, false},
      {"r=64", 2, 40, 64, {1, 4}, true, false},
      {"no normalisation", 2, 21, 9, {1, 2, 4}, false, false},
      {"future pairing", 2, 21, 9, {1, 2, 4, 8}, true, true},
  };
  const torch::Device cuda(torch::kCUDA, 0);
  for (const Case& c : cases) {
    PluckerOptions options{c.windows, c.normalize, 1e-8, c.future};
    const torch::Tensor source = torch::randn({c.B, c.T, c.r}, torch::kDouble);
    for (const auto dtype : {torch::kFloat, torch::kBFloat16}) {
      const bool bf16 = dtype == torch::kBFloat16;
      const double tolerance = bf16 ? 1e-2 : 1e-5;
      const std::string label = std::string(c.name) + (bf16 ? " bf16" : " fp32");
      // The reference: ATen on the CPU in fp64 with its autograd gradient, from the very inputs
      // the kernel sees (rounded to the kernel's dtype), so that the tolerance measures the
      // kernel's arithmetic and not the rounding of its inputs.
      torch::Tensor z64 = source.to(dtype).to(torch::kDouble).requires_grad_(true);
      const PluckerMean ref = pluckerMean(z64, options, PluckerIndex::make(c.r, torch::kCPU));
      const torch::Tensor upstream = torch::randn_like(ref.mean).to(dtype).to(torch::kDouble);
      (ref.mean * upstream).sum().backward();
      const torch::Tensor z = z64.detach().to(cuda, dtype).contiguous();
      torch::Tensor out =
          torch::full({c.B, c.T, c.r * (c.r - 1) / 2}, NAN, z.options());  // poisoned
      pluckerMeanFusedInto(z, options, out);
      const torch::Tensor got = out.to(torch::kCPU, torch::kDouble);
      const double scale = ref.mean.abs().max().item<double>();
      check(torch::isfinite(got).all().item<bool>(), label + ": every output element written");
      const double err = (got - ref.mean.detach()).abs().max().item<double>() / scale;
      check(err < tolerance, label + ": forward within tolerance (" + std::to_string(err) + ")");
      torch::Tensor grad_z = torch::full({c.B, c.T, c.r}, NAN, z.options());  // poisoned
      pluckerMeanFusedBackwardInto(z, upstream.to(cuda, dtype), options, grad_z);
      const torch::Tensor g = grad_z.to(torch::kCPU, torch::kDouble);
      check(torch::isfinite(g).all().item<bool>(), label + ": every gradient element written");
      const double gerr =
          (g - z64.grad()).abs().max().item<double>() / z64.grad().abs().max().item<double>();
      check(gerr < tolerance * (bf16 ? 2 : 10),
            label + ": backward within tolerance (" + std::to_string(gerr) + ")");
      // Through autograd (what the model uses) the same numbers come out.
      torch::Tensor za = z.detach().clone().requires_grad_(true);
      const PluckerMean fused = pluckerMean(za, options, PluckerIndex::make(c.r, cuda));
      (fused.mean.to(torch::kFloat) * upstream.to(cuda, torch::kFloat)).sum().backward();
      check(fused.valid.to(torch::kCPU).equal(ref.valid), label + ": valid positions");
      check((fused.mean.to(torch::kCPU, torch::kDouble) - got).abs().max().item<double>() <=
                1e-6 * scale,
            label + ": autograd forward = kernel forward");
      check((za.grad().to(torch::kCPU, torch::kDouble) - g).abs().max().item<double>() <=
                (bf16 ? 2e-2 : 1e-5) * g.abs().max().item<double>(),
            label + ": autograd backward = kernel backward");
    }
  }
  return gputest::finish();
#endif
}
