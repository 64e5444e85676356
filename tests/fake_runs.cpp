// Fake run directories.
#include "fake_runs.h"

#include <QDir>
#include <cmath>

#include "engine/runs/metrics_json.h"
#include "engine/util/file_io.h"

namespace gwb::test {

QString writeFakeRun(const QString& runs_dir, const QString& name, const FakeRun& run) {
  const QString dir = runs_dir + "/" + name;
  QDir().mkpath(dir + "/checkpoints");
  writeFileAtomic((dir + "/config.json").toStdString(), runConfigToJson(run.config));
  const std::int64_t tokens_per_step = run.config.train.batch_size * run.config.data.seq_len;
  std::string lines;
  const auto base = [&](EventBase& e, int step) {
    e.step = step;
    e.tokens = step * tokens_per_step;
    e.time = 0.5 * step;
  };
  for (int s = 1; s <= run.steps; ++s) {
    StepEvent e;
    base(e, s);
    e.loss = run.loss0 * std::exp(-0.02 * s) + 0.05 * std::sin(s);
    e.lr = 1e-3;
    e.grad_norm = 1.0 + 0.1 * std::cos(s);
    e.tokens_per_s = 1000 + s;
    e.step_ms = 50;
    lines += toJsonLine(e) + "\n";
    if (s % run.eval_every == 0) {
      EvalEvent v;
      base(v, s);
      v.split = "valid";
      v.loss = run.loss0 * std::exp(-0.02 * s);
      v.ppl = std::exp(v.loss);
      v.eval_tokens = 63 * 4;
      for (int p = 1; p < run.config.data.seq_len; ++p)
        v.loss_by_position.push_back(v.loss + 1.0 / p);
      lines += toJsonLine(v) + "\n";
      if (run.probes && run.config.model.arch == "grassmann") {
        for (int layer = 0; layer < run.config.model.n_layers; ++layer) {
          AlphaEvent a;
          base(a, s);
          a.layer = layer;
          for (int b = 0; b <= 10; ++b) a.edges.push_back(b / 10.0);
          for (int b = 0; b < 10; ++b) a.counts.push_back(10 + b * layer + s);
          a.mean = 0.5;
          lines += toJsonLine(a) + "\n";
          for (std::int64_t offset : {1, 2}) {
            PluckerEvent p;
            base(p, s);
            p.layer = layer;
            p.offset = offset;
            for (int b = 0; b <= 5; ++b) {
              p.norm_edges.push_back(-6 + 2 * b);
              p.angle_edges.push_back(18 * b);
            }
            p.norm_counts = {1, 2, 3, 4, 5};
            p.angle_counts = {5, 4, 3, 2, 1};
            p.degenerate_share = 0.01;
            p.effective_rank = 10 + s / 10.0;
            lines += toJsonLine(p) + "\n";
          }
        }
      }
    }
  }
  if (run.best_valid_ppl > 0) {
    LogEvent spike;
    base(spike, run.steps / 2);
    spike.message = "loss spike at step " + std::to_string(run.steps / 2) + ": 9 (z-score 6.0)";
    lines += toJsonLine(spike) + "\n";
    RunSummary summary;
    RunConfig resolved = run.config;
    resolveRunConfig(resolved, knownVocabSize(resolved.data.tokenizer));
    summary.params = countParameters(resolved.model);
    summary.best_valid_ppl = run.best_valid_ppl;
    summary.best_step = run.steps;
    summary.test_ppl = run.best_valid_ppl * 0.95;
    summary.tokens_per_s = 1000;
    FinishedEvent f;
    base(f, run.steps);
    f.summary = summary;
    lines += toJsonLine(f) + "\n";
    writeFileAtomic((dir + "/summary.json").toStdString(), summaryToJson(summary));
  }
  writeFileAtomic((dir + "/metrics.jsonl").toStdString(), lines);
  return dir;
}

}  // namespace gwb::test
