// Run directories written the way the trainer writes them (config.json, metrics.jsonl through the
// engine's own event serialisation, summary.json), with chosen numbers, for the GUI tests.
#pragma once

#include <QString>

#include "engine/config/run_config.h"

namespace gwb::test {

struct FakeRun {
  RunConfig config;
  int steps = 40;             ///< step events 1..steps
  int eval_every = 10;        ///< valid evaluations
  double loss0 = 9.0;         ///< loss at step 1, decaying
  double best_valid_ppl = 0;  ///< 0: no summary.json (a run in progress)
  bool probes = true;         ///< alpha / plucker events (Grassmann only)
};

/// Writes `run` into `runs_dir`/`name`; returns the directory.
QString writeFakeRun(const QString& runs_dir, const QString& name, const FakeRun& run);

}  // namespace gwb::test
