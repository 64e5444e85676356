// The fused Grassmann kernels on the GPU against the ATen reference computed on the CPU in fp64
// (label gpu): forward and backward, fp32 to 1e-5 and bf16 to 1e-2 relative, fresh random inputs
// every run, outputs poisoned beforehand so that every element must be written; sequences shorter
// than the largest offset, odd sizes, r other than 32, future pairing; and the autograd path.
// The fused cross-entropy likewise, against logsumexp / softmax in fp64 on the CPU: the GPT-2 and
// BERT vocabularies, rows shorter than one 16-byte vector, rows whose start is aligned unlike the
// gradient's, an out-of-range target; and tokenLosses' autograd against ATen on the GPU.
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>

#include "engine/model/language_model.h"
#include "engine/model/plucker.h"
#include "tests/gpu/gpu_check.h"

#ifdef GWB_WITH_CUDA
#include "engine/model/cross_entropy_fused.h"
#include "engine/model/plucker_fused.h"
#endif

using namespace gwb;
using gputest::check;

#ifdef GWB_WITH_CUDA
namespace {

std::string sci(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2e", v);
  return text;
}

void crossEntropyChecks(const torch::Device& cuda) {
  struct Case {
    const char* name;
    std::int64_t rows, vocab, width;  // width > vocab: padded rows (the model's padded head)
    bool offset_view;  // logits start one row into a larger tensor: rows aligned unlike grads
  };
  const std::vector<Case> cases = {{"GPT-2 vocabulary", 37, 50257, 50257, false},
                                   {"GPT-2 padded to 50304", 37, 50257, 50304, false},
                                   {"BERT vocabulary padded to 30528", 5, 30522, 30528, false},
                                   {"BERT vocabulary", 5, 30522, 30522, false},
                                   {"rows shorter than a vector", 9, 3, 3, false},
                                   {"3 classes padded to 64", 9, 3, 64, false},
                                   {"one class", 4, 1, 1, false},
                                   {"offset view, odd vocabulary", 6, 1001, 1001, true}};
  for (const Case& c : cases) {
    for (const auto dtype : {torch::kFloat, torch::kBFloat16}) {
      const bool bf16 = dtype == torch::kBFloat16;
      const std::string label = std::string("cross-entropy ") + c.name + (bf16 ? " bf16" : " fp32");
      torch::Tensor source = torch::randn({c.rows + 1, c.width}, torch::kDouble) * 3;
      source.narrow(1, c.vocab, c.width - c.vocab).fill_(100);  // padding: would dominate if read
      torch::Tensor all = source.to(dtype).to(cuda);
      const torch::Tensor logits =
          c.offset_view ? all.narrow(0, 1, c.rows) : all.narrow(0, 0, c.rows);
      const torch::Tensor targets = torch::randint(0, c.vocab, {c.rows}, torch::kLong);
      const torch::Tensor upstream = torch::randn({c.rows}, torch::kDouble);
      // fp64 reference from the very values the kernel reads, over the classes only.
      const torch::Tensor x = logits.to(torch::kCPU, torch::kDouble).narrow(1, 0, c.vocab);
      const torch::Tensor lse = x.logsumexp(1);
      const torch::Tensor ref = lse - x.gather(1, targets.unsqueeze(1)).squeeze(1);
      const torch::Tensor ref_grad =
          (torch::softmax(x, 1) - torch::one_hot(targets, c.vocab).to(torch::kDouble)) *
          upstream.unsqueeze(1);
      const auto f32 = torch::TensorOptions().dtype(torch::kFloat).device(cuda);
      torch::Tensor losses = torch::full({c.rows}, NAN, f32),
                    lse_out = torch::full({c.rows}, NAN, f32);
      const torch::Tensor t = targets.to(cuda);
      crossEntropyFusedInto(logits.contiguous(), t, losses, lse_out, c.vocab);
      const torch::Tensor got = losses.to(torch::kCPU, torch::kDouble);
      check(torch::isfinite(got).all().item<bool>(), label + ": every loss written");
      const double err = ((got - ref).abs() / ref.abs().clamp_min(1)).max().item<double>();
      check(err < 1e-5, label + ": losses within 1e-5 (" + sci(err) + ")");
      const double lerr =
          ((lse_out.to(torch::kCPU, torch::kDouble) - lse).abs() / lse.abs().clamp_min(1))
              .max()
              .item<double>();
      check(lerr < 1e-5, label + ": logsumexp within 1e-5 (" + sci(lerr) + ")");
      torch::Tensor grad = torch::full({c.rows, c.width}, NAN, logits.options());  // poisoned
      crossEntropyFusedBackwardInto(logits.contiguous(), t, lse_out,
                                    upstream.to(cuda, torch::kFloat), grad, c.vocab);
      const torch::Tensor g = grad.to(torch::kCPU, torch::kDouble);
      check(torch::isfinite(g).all().item<bool>(), label + ": every gradient element written");
      // (one class: softmax - onehot is exactly 0, so the scale must not be 0)
      const double gerr = (g.narrow(1, 0, c.vocab) - ref_grad).abs().max().item<double>() /
                          std::max(ref_grad.abs().max().item<double>(), 1e-30);
      check(gerr < (bf16 ? 1e-2 : 1e-5), label + ": gradient within tolerance (" + sci(gerr) + ")");
      if (c.width > c.vocab) {
        check(g.narrow(1, c.vocab, c.width - c.vocab).eq(0).all().item<bool>(),
              label + ": the padding's gradient is exactly 0");
      }
    }
  }
  // A target outside the vocabulary gives NaN, never a read past the row.
  {
    const torch::Tensor logits = torch::randn({2, 10}, torch::TensorOptions().device(cuda));
    const torch::Tensor t = torch::tensor({3L, 10L}, torch::kLong).to(cuda);
    torch::Tensor losses = torch::empty({2}, logits.options()), lse = torch::empty_like(losses);
    crossEntropyFusedInto(logits, t, losses, lse);
    const torch::Tensor got = losses.cpu();
    check(std::isfinite(got[0].item<double>()) && std::isnan(got[1].item<double>()),
          "cross-entropy: an out-of-range target gives NaN");
  }
  // tokenLosses (what the loss and evaluation call) through autograd = ATen's, fp32 on the GPU.
  {
    const torch::Tensor base = torch::randn({64, 50257}, torch::TensorOptions().device(cuda));
    const torch::Tensor t =
        torch::randint(0, 50257, {64}, torch::TensorOptions().dtype(torch::kLong).device(cuda));
    torch::Tensor a = base.clone().requires_grad_(true), b = base.clone().requires_grad_(true);
    const torch::Tensor fused = tokenLosses(a, t).mean();
    const torch::Tensor aten = torch::nll_loss(torch::log_softmax(b, -1), t);
    fused.backward();
    aten.backward();
    const double lerr = std::abs(fused.item<double>() - aten.item<double>());
    check(lerr < 1e-5 * aten.item<double>(),
          "tokenLosses mean = ATen cross-entropy (" + sci(lerr) + ")");
    const double gerr = ((a.grad() - b.grad()).abs().max() / b.grad().abs().max()).item<double>();
    check(gerr < 1e-5, "tokenLosses gradient = ATen's (" + sci(gerr) + ")");
  }
}

}  // namespace
#endif

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
      check(err < tolerance, label + ": forward within tolerance (" + sci(err) + ")");
      torch::Tensor grad_z = torch::full({c.B, c.T, c.r}, NAN, z.options());  // poisoned
      pluckerMeanFusedBackwardInto(z, upstream.to(cuda, dtype), options, grad_z);
      const torch::Tensor g = grad_z.to(torch::kCPU, torch::kDouble);
      check(torch::isfinite(g).all().item<bool>(), label + ": every gradient element written");
      const double gerr =
          (g - z64.grad()).abs().max().item<double>() / z64.grad().abs().max().item<double>();
      check(gerr < tolerance * (bf16 ? 2 : 10),
            label + ": backward within tolerance (" + sci(gerr) + ")");
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
  crossEntropyChecks(cuda);
  return gputest::finish();
#endif
}
