// The CUDA training step (label gpu): a graph-captured step and the eager step give the same
// losses over 50 steps in bf16 (1e-3 relative), for both architectures; the model's fused path
// equals the per-offset oracle on the GPU; the step needs no host synchronisation to run; the
// scheduler's memory queries work in a process that has not touched CUDA yet (gwb speedrun
// --jobs auto asks before any tensor exists); two runs with dropout train in parallel threads
// while one of them captures its graph (the default CUDA generator is shared).
#include <torch/torch.h>

#include <atomic>
#include <cmath>
#include <cstdio>
#include <string>
#include <thread>

#include "engine/config/presets.h"
#include "engine/model/language_model.h"
#include "engine/runtime/device.h"
#include "engine/train/footprint.h"
#include "engine/train/train_step.h"
#include "tests/gpu/gpu_check.h"

using namespace gwb;
using gputest::check;

#ifdef GWB_WITH_CUDA
namespace {

RunConfig smallConfig(const char* arch, bool graph) {
  RunConfig c = loadConfigArgument("cpu-small-grassmann", {});
  c.model.arch = arch;
  c.model.dropout = 0;  // equal losses need equal dropout masks; graphs draw them differently
  c.train.cuda_graph = graph;
  c.train.device = "cuda";
  resolveRunConfig(c, knownVocabSize(c.data.tokenizer));
  return c;
}

std::vector<double> losses(const RunConfig& c, const std::vector<torch::Tensor>& batches,
                           bool* used_graph) {
  torch::manual_seed(1234);
  LanguageModel model(c.model);
  model->to(torch::Device(torch::kCUDA, 0));
  model->train();
  TrainStep step(model, c.train, /*bf16=*/true);
  std::vector<torch::Tensor> on_device;
  for (const torch::Tensor& b : batches) on_device.push_back(step.run(b, 2e-3).loss);
  *used_graph = step.usesGraph();
  std::vector<double> out;
  for (const torch::Tensor& l : on_device)
    out.push_back(l.item<double>());  // read once, at the end
  return out;
}

// Trains `c` on random batches in this thread, on a stream of its own (as the trainer does), until
// `steps` are done and `*keep_going` is false; the last loss, or NaN with `*error` set on failure.
double trainInThread(const RunConfig& c, int steps, const std::atomic<bool>* keep_going,
                     std::string* error) {
  try {
    const torch::Device cuda(torch::kCUDA, 0);
    RunStreamGuard stream(cuda);
    LanguageModel model(c.model);
    model->to(cuda);
    model->train();
    TrainStep step(model, c.train, /*bf16=*/true);
    const torch::Tensor batch = randomBatch(c, cuda);
    torch::Tensor loss;
    for (int i = 0; i < steps || (keep_going && keep_going->load()); ++i)
      loss = step.run(batch, 1e-3).loss;
    return loss.item<double>();
  } catch (const std::exception& e) {
    *error = e.what();
    return NAN;
  }
}

}  // namespace
#endif

int main() {
#ifndef GWB_WITH_CUDA
  std::printf("SKIP  this LibTorch has no CUDA\n");
  return gputest::kSkip;
#else
  if (!torch::cuda::is_available()) {
    std::printf("SKIP  no CUDA device\n");
    return gputest::kSkip;
  }
  // First, before any CUDA tensor: what --jobs auto asks (the caching allocator is not set up yet).
  const DeviceCapacity capacity = deviceCapacity("auto");
  check(
      capacity.cuda && capacity.free_bytes > (1LL << 30),
      "free memory before any allocation (" + std::to_string(capacity.free_bytes >> 20) + " MiB)");
  const RunConfig measured = smallConfig("grassmann", false);
  const std::int64_t footprint = measureFootprint(measured);
  check(footprint > 0 && footprint < capacity.free_bytes,
        "measured footprint of a small run (" + std::to_string(footprint >> 20) + " MiB)");
  check(decideJobs(capacity, {footprint}) >= 1, "the scheduler runs at least one job at a time");

  const torch::Device cuda(torch::kCUDA, 0);
  for (const char* arch : {"grassmann", "transformer"}) {
    const RunConfig eager = smallConfig(arch, false), graph = smallConfig(arch, true);
    torch::manual_seed(7);
    // 8 random batches seen in turn: a model that learns memorises them, so the loss must fall
    // (on fresh random tokens it could not fall below log(V)).
    std::vector<torch::Tensor> distinct, batches;
    for (int i = 0; i < 8; ++i) {
      distinct.push_back(torch::randint(0, eager.model.vocab_size,
                                        {eager.train.batch_size, eager.data.seq_len},
                                        torch::TensorOptions().dtype(torch::kLong).device(cuda)));
    }
    for (int i = 0; i < 50; ++i) batches.push_back(distinct[i % distinct.size()]);
    bool eager_graph = true, graph_graph = false;
    const std::vector<double> a = losses(eager, batches, &eager_graph),
                              b = losses(graph, batches, &graph_graph);
    check(!eager_graph && graph_graph,
          std::string(arch) + ": the graph path was used only where asked");
    bool finite = true;
    double worst = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
      finite = finite && std::isfinite(a[i]) && std::isfinite(b[i]);
      const double rel = std::abs(a[i] - b[i]) / std::abs(a[i]);
      worst = std::isfinite(rel) ? std::max(worst, rel) : INFINITY;  // NaN must not pass
    }
    check(finite, std::string(arch) + ": every loss finite (first " + std::to_string(a.front()) +
                      ", last eager " + std::to_string(a.back()) + ", last graph " +
                      std::to_string(b.back()) + ")");
    check(worst < 1e-3, std::string(arch) + ": graph and eager losses over 50 bf16 steps (worst " +
                            std::to_string(worst) + ")");
    check(b.back() < b.front() - 0.1 && a.back() < a.front() - 0.1,
          std::string(arch) + ": the loss falls (by more than 0.1 nats in 50 steps)");
  }
  // Two runs with dropout in parallel threads, as a sweep's --jobs runs them: one captures a CUDA
  // graph while the other keeps stepping eagerly (its dropout drawing from the same generator).
  {
    RunConfig graphed = smallConfig("grassmann", true), eager = smallConfig("transformer", false);
    graphed.model.dropout = eager.model.dropout = 0.1;
    std::atomic<bool> graphed_running{true};
    std::string graphed_error, eager_error;
    double eager_loss = NAN;
    std::thread other(
        [&] { eager_loss = trainInThread(eager, 20, &graphed_running, &eager_error); });
    const double graphed_loss = trainInThread(graphed, 30, nullptr, &graphed_error);
    graphed_running = false;
    other.join();
    check(
        graphed_error.empty() && std::isfinite(graphed_loss),
        "parallel runs: the graph run captured and trained (" +
            (graphed_error.empty() ? std::to_string(graphed_loss) : graphed_error.substr(0, 200)) +
            ")");
    check(eager_error.empty() && std::isfinite(eager_loss),
          "parallel runs: the eager run trained meanwhile (" +
              (eager_error.empty() ? std::to_string(eager_loss) : eager_error.substr(0, 200)) +
              ")");
  }

  // The training loss (head padded to 50,304 classes, fused cross-entropy) against the plain head
  // and ATen's cross-entropy: value and gradient, fp32 on the GPU.
  for (const char* arch : {"grassmann", "transformer"}) {
    const RunConfig c = smallConfig(arch, false);
    torch::manual_seed(5);
    LanguageModel m(c.model);
    m->to(cuda);
    m->train();  // dropout 0: the same function either way
    const torch::Tensor ids =
        torch::randint(0, c.model.vocab_size, {4, c.data.seq_len},
                       torch::TensorOptions().dtype(torch::kLong).device(cuda));
    const std::int64_t T = ids.size(1);
    const torch::Tensor fused = m->loss(ids);
    fused.backward();
    const torch::Tensor fused_grad = m->token_embedding->weight.grad().clone();
    m->zero_grad();
    const torch::Tensor logits =
        m->forward(ids).narrow(1, 0, T - 1).reshape({-1, c.model.vocab_size});
    const torch::Tensor aten =
        torch::nll_loss(torch::log_softmax(logits, -1), ids.narrow(1, 1, T - 1).reshape({-1}));
    aten.backward();
    const torch::Tensor aten_grad = m->token_embedding->weight.grad();
    const double lerr = std::abs(fused.item<double>() - aten.item<double>()) / aten.item<double>();
    const double gerr =
        ((fused_grad - aten_grad).abs().max() / aten_grad.abs().max()).item<double>();
    check(lerr < 1e-5 && gerr < 1e-4,
          std::string(arch) + ": padded-head loss = plain head + ATen cross-entropy (loss " +
              std::to_string(lerr) + ", embedding gradient " + std::to_string(gerr) + ")");
  }

  // The model's fused path against the per-offset oracle, on the GPU in fp32.
  RunConfig c = smallConfig("grassmann", false);
  torch::manual_seed(3);
  LanguageModel model(c.model);
  model->to(cuda);
  model->eval();
  torch::NoGradGuard no_grad;
  const torch::Tensor ids = torch::randint(0, c.model.vocab_size, {2, c.data.seq_len},
                                           torch::TensorOptions().dtype(torch::kLong).device(cuda));
  const torch::Tensor fused = model->forward(ids);
  model->setUseReference(true);
  const torch::Tensor oracle = model->forward(ids);
  const double err = ((fused - oracle).abs().max() / oracle.abs().max()).item<double>();
  check(err < 1e-4, "fused model = per-offset oracle on the GPU (" + std::to_string(err) + ")");
  return gputest::finish();
#endif
}
