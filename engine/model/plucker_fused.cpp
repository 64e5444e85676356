// torch::autograd::Function around the fused kernels; the current CUDA stream of the tensors.
#include "engine/model/plucker_fused.h"

#include <ATen/cuda/CUDAContext.h>
#include <c10/cuda/CUDAGuard.h>

#include <algorithm>
#include <map>

#include "engine/cuda/plucker_kernels.h"
#include "engine/model/torch_glue.h"

namespace gwb {
namespace {

fused::PluckerParams paramsFor(const PluckerOptions& o, std::int64_t T, std::int64_t r) {
  fused::PluckerParams p;
  p.T = static_cast<int>(T);
  p.r = static_cast<int>(r);
  std::map<std::int64_t, int> multiplicity;  // a repeated offset weighs as often as it is listed
  for (const std::int64_t d : o.windows) ++multiplicity[d];
  TORCH_CHECK(multiplicity.size() <= static_cast<std::size_t>(fused::kMaxOffsets), "at most ",
              fused::kMaxOffsets, " distinct offsets");
  for (const auto& [d, n] : multiplicity) {
    p.offsets[p.m] = static_cast<int>(d);
    p.weights[p.m] = static_cast<float>(n);
    ++p.m;
  }
  p.eps = static_cast<float>(o.eps);
  p.normalize = o.normalize ? 1 : 0;
  p.future = o.future ? 1 : 0;
  return p;
}

PluckerOptions optionsFrom(torch::autograd::AutogradContext* ctx) {
  PluckerOptions o;
  o.windows = ctx->saved_data["windows"].toIntVector();
  o.normalize = ctx->saved_data["normalize"].toBool();
  o.eps = ctx->saved_data["eps"].toDouble();
  o.future = ctx->saved_data["future"].toBool();
  return o;
}

class PluckerMeanFunction : public torch::autograd::Function<PluckerMeanFunction> {
 public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& z,
                               std::vector<std::int64_t> windows, bool normalize, double eps,
                               bool future) {
    const PluckerOptions options{windows, normalize, eps, future};
    const torch::Tensor zc = z.contiguous();
    torch::Tensor out =
        torch::empty({zc.size(0), zc.size(1), zc.size(2) * (zc.size(2) - 1) / 2}, zc.options());
    pluckerMeanFusedInto(zc, options, out);
    ctx->save_for_backward({zc});
    ctx->saved_data["windows"] = windows;
    ctx->saved_data["normalize"] = normalize;
    ctx->saved_data["eps"] = eps;
    ctx->saved_data["future"] = future;
    return out;
  }

  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list grads) {
    const torch::Tensor zc = ctx->get_saved_variables()[0];
    torch::Tensor grad_z = torch::empty_like(zc);
    pluckerMeanFusedBackwardInto(zc, grads[0], optionsFrom(ctx), grad_z);
    return {grad_z, torch::Tensor(), torch::Tensor(), torch::Tensor(), torch::Tensor()};
  }
};

}  // namespace

bool fusedPluckerAvailable(const torch::Tensor& z, const PluckerOptions& options) {
  if (!z.is_cuda() || z.dim() != 3 || options.windows.empty()) return false;
  if (z.scalar_type() != torch::kFloat && z.scalar_type() != torch::kBFloat16) return false;
  if (z.size(2) < 2 || z.size(2) > fused::kMaxR) return false;
  std::vector<std::int64_t> distinct = options.windows;
  std::sort(distinct.begin(), distinct.end());
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
  return distinct.size() <= static_cast<std::size_t>(fused::kMaxOffsets);
}

void pluckerMeanFusedInto(const torch::Tensor& z, const PluckerOptions& options,
                          torch::Tensor& out) {
  TORCH_CHECK(z.is_contiguous() && out.is_contiguous() && out.scalar_type() == z.scalar_type(),
              "pluckerMeanFusedInto: contiguous z and out of one dtype");
  const c10::cuda::CUDAGuard guard(z.device());
  const fused::PluckerParams p = paramsFor(options, z.size(1), z.size(2));
  fused::checkLaunch(
      fused::pluckerMeanForward(z.data_ptr(), out.data_ptr(), static_cast<int>(z.size(0)), p,
                                fused::dtypeOf(z), at::cuda::getCurrentCUDAStream().stream()),
      "fused Plücker forward");
}

void pluckerMeanFusedBackwardInto(const torch::Tensor& z, const torch::Tensor& grad_out,
                                  const PluckerOptions& options, torch::Tensor& grad_z) {
  const c10::cuda::CUDAGuard guard(z.device());
  const torch::Tensor zc = z.contiguous();
  const torch::Tensor g = grad_out.to(zc.scalar_type()).contiguous();
  TORCH_CHECK(grad_z.is_contiguous() && grad_z.scalar_type() == zc.scalar_type(),
              "grad_z: contiguous, dtype of z");
  const fused::PluckerParams p = paramsFor(options, zc.size(1), zc.size(2));
  fused::checkLaunch(fused::pluckerMeanBackward(zc.data_ptr(), g.data_ptr(), grad_z.data_ptr(),
                                                static_cast<int>(zc.size(0)), p, fused::dtypeOf(zc),
                                                at::cuda::getCurrentCUDAStream().stream()),
                     "fused Plücker backward");
}

PluckerMean pluckerMeanFused(const torch::Tensor& z, const PluckerOptions& options) {
  const std::int64_t T = z.size(1);
  const std::int64_t smallest = *std::min_element(options.windows.begin(), options.windows.end());
  const torch::Tensor positions = torch::arange(T, z.options().dtype(torch::kLong));
  const torch::Tensor valid = options.future ? positions + smallest < T : positions >= smallest;
  return {PluckerMeanFunction::apply(z, options.windows, options.normalize, options.eps,
                                     options.future),
          valid};
}

}  // namespace gwb
