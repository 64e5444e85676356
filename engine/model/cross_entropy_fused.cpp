// torch::autograd::Function around the fused cross-entropy kernels; the current CUDA stream.
#include "engine/model/cross_entropy_fused.h"

#include <ATen/cuda/CUDAContext.h>
#include <c10/cuda/CUDAGuard.h>

#include <cstdlib>
#include <cstring>

#include "engine/cuda/cross_entropy_kernels.h"
#include "engine/model/torch_glue.h"

namespace gwb {
namespace {

std::int64_t classesOf(const torch::Tensor& logits, std::int64_t classes) {
  const std::int64_t width = logits.size(1);
  TORCH_CHECK(classes <= width, "fused cross-entropy: ", classes, " classes in rows of ", width);
  return classes < 0 ? width : classes;
}

class CrossEntropyFunction : public torch::autograd::Function<CrossEntropyFunction> {
 public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& logits,
                               const torch::Tensor& targets, std::int64_t classes) {
    const torch::Tensor lc = logits.contiguous(), tc = targets.contiguous();
    const auto options = lc.options().dtype(torch::kFloat);
    torch::Tensor losses = torch::empty({lc.size(0)}, options), lse = torch::empty_like(losses);
    crossEntropyFusedInto(lc, tc, losses, lse, classes);
    ctx->save_for_backward({lc, tc, lse});
    ctx->saved_data["classes"] = classes;
    return losses;
  }

  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list grads) {
    const auto saved = ctx->get_saved_variables();
    torch::Tensor grad_logits = torch::empty_like(saved[0]);
    crossEntropyFusedBackwardInto(saved[0], saved[1], saved[2], grads[0], grad_logits,
                                  ctx->saved_data["classes"].toInt());
    return {grad_logits, torch::Tensor(), torch::Tensor()};
  }
};

}  // namespace

bool fusedCrossEntropyEnabled() {
  static const bool enabled = [] {
    const char* value = std::getenv("GWB_FUSED_CROSS_ENTROPY");
    return value == nullptr || std::strcmp(value, "0") != 0;
  }();
  return enabled;
}

bool fusedCrossEntropyAvailable(const torch::Tensor& logits, const torch::Tensor& targets) {
  if (!fusedCrossEntropyEnabled() || !logits.is_cuda() || logits.dim() != 2 || logits.size(1) == 0)
    return false;
  if (logits.scalar_type() != torch::kFloat && logits.scalar_type() != torch::kBFloat16)
    return false;
  if (logits.size(0) >= (std::int64_t{1} << 31)) return false;
  return targets.dim() == 1 && targets.size(0) == logits.size(0) &&
         targets.scalar_type() == torch::kLong && targets.device() == logits.device();
}

void crossEntropyFusedInto(const torch::Tensor& logits, const torch::Tensor& targets,
                           torch::Tensor& losses, torch::Tensor& lse, std::int64_t classes) {
  TORCH_CHECK(fusedCrossEntropyAvailable(logits, targets) && logits.is_contiguous() &&
                  targets.is_contiguous(),
              "crossEntropyFusedInto: contiguous CUDA (rows, width) logits and int64 targets");
  for (const torch::Tensor* t : {&losses, &lse}) {
    TORCH_CHECK(
        t->is_contiguous() && t->scalar_type() == torch::kFloat && t->numel() == logits.size(0),
        "crossEntropyFusedInto: losses and lse are contiguous fp32 (rows)");
  }
  const c10::cuda::CUDAGuard guard(logits.device());
  fused::checkLaunch(
      fused::crossEntropyForward(logits.data_ptr(), targets.data_ptr<std::int64_t>(),
                                 losses.data_ptr<float>(), lse.data_ptr<float>(), logits.size(0),
                                 classesOf(logits, classes), logits.size(1), fused::dtypeOf(logits),
                                 at::cuda::getCurrentCUDAStream().stream()),
      "fused cross-entropy forward");
}

void crossEntropyFusedBackwardInto(const torch::Tensor& logits, const torch::Tensor& targets,
                                   const torch::Tensor& lse, const torch::Tensor& grad_losses,
                                   torch::Tensor& grad_logits, std::int64_t classes) {
  const c10::cuda::CUDAGuard guard(logits.device());
  const torch::Tensor lc = logits.contiguous(), tc = targets.contiguous();
  // The mean's backward hands an expanded (stride 0) gradient: materialise its rows floats.
  const torch::Tensor g = grad_losses.to(torch::kFloat).contiguous(), lse_c = lse.contiguous();
  TORCH_CHECK(grad_logits.is_contiguous() && grad_logits.scalar_type() == lc.scalar_type() &&
                  grad_logits.sizes() == lc.sizes(),
              "grad_logits: contiguous, the logits' shape and dtype");
  TORCH_CHECK(g.numel() == lc.size(0) && lse_c.numel() == lc.size(0),
              "crossEntropyFusedBackwardInto: one gradient and one lse per row");
  fused::checkLaunch(
      fused::crossEntropyBackward(
          lc.data_ptr(), tc.data_ptr<std::int64_t>(), lse_c.data_ptr<float>(), g.data_ptr<float>(),
          grad_logits.data_ptr(), lc.size(0), classesOf(lc, classes), lc.size(1),
          fused::dtypeOf(lc), at::cuda::getCurrentCUDAStream().stream()),
      "fused cross-entropy backward");
}

torch::Tensor crossEntropyFused(const torch::Tensor& logits, const torch::Tensor& targets,
                                std::int64_t classes) {
  return CrossEntropyFunction::apply(logits, targets, classes);
}

}  // namespace gwb
