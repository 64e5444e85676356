// Internal to engine/runs: the one definition of every metrics.jsonl record and of summary.json
// (CONTRACTS.md), as a list of (key, member) visited in the contract's order. The writer
// (metrics_json.cpp) and the reader (metrics_reader.cpp) both walk these lists, so a field is
// named once. A visitor V provides operator()(key, member) for the member types used here.
#pragma once

#include "engine/runs/events.h"

namespace gwb::detail {

/// A per-class vector written as {"entailment": .., "neutral": .., "contradiction": ..}.
struct PerClass {
  std::vector<double>& values;
};

template <typename V>
void baseFields(V& v, EventBase& e) {
  v("step", e.step);
  v("epoch", e.epoch);
  v("tokens", e.tokens);
  v("time", e.time);
}

template <typename V>
void fields(V& v, StepEvent& e) {
  baseFields(v, e);
  v("loss", e.loss);
  v("lr", e.lr);
  v("grad_norm", e.grad_norm);
  v("tokens_per_s", e.tokens_per_s);
  v("step_ms", e.step_ms);
}

/// `classification` decides the variant; a reader sets it first (from "accuracy").
template <typename V>
void fields(V& v, EvalEvent& e) {
  baseFields(v, e);
  v("split", e.split);
  v("loss", e.loss);
  v("token_loss", e.token_loss);
  if (e.classification) {
    v("accuracy", e.accuracy);
    PerClass per_class{e.per_class_accuracy};
    v("per_class_accuracy", per_class);
    v("confusion", e.confusion);
    v("examples", e.examples);
    v("truncated", e.truncated);
  } else {
    v("ppl", e.ppl);
    v("eval_tokens", e.eval_tokens);
    v("loss_by_position", e.loss_by_position);
  }
}

template <typename V>
void fields(V& v, AlphaEvent& e) {
  baseFields(v, e);
  v("layer", e.layer);
  v("edges", e.edges);
  v("counts", e.counts);
  v("mean", e.mean);
  v("share_above_0.95", e.share_above);
  v("share_below_0.05", e.share_below);
}

template <typename V>
void fields(V& v, PluckerEvent& e) {
  baseFields(v, e);
  v("layer", e.layer);
  v("offset", e.offset);
  v("norm_edges", e.norm_edges);
  v("norm_counts", e.norm_counts);
  v("angle_edges", e.angle_edges);
  v("angle_counts", e.angle_counts);
  v("degenerate_share", e.degenerate_share);
  v("effective_rank", e.effective_rank);
}

template <typename V>
void fields(V& v, CheckpointEvent& e) {
  baseFields(v, e);
  v("kind", e.kind);
  v("path", e.path);
}

template <typename V>
void fields(V& v, LogEvent& e) {
  baseFields(v, e);
  v("message", e.message);
}

template <typename V>
void fields(V& v, SpikeEvent& e) {
  baseFields(v, e);
  v("what", e.what);
  v("loss", e.loss);
  v("ema", e.ema);
  v("ratio", e.ratio);
  v("grad_norm", e.grad_norm);
  v("z", e.z);
}

template <typename V>
void fields(V& v, ResumedEvent& e) {
  baseFields(v, e);
  v("from_step", e.from_step);
  v("checkpoint", e.checkpoint);
}

template <typename V>
void fields(V& v, FailedEvent& e) {
  baseFields(v, e);
  v("error", e.error);
}

/// summary.json; `task` decides the variant (a reader reads it first).
template <typename V>
void fields(V& v, RunSummary& s) {
  v("status", s.status);
  v("task", s.task);
  v("recipe", s.recipe);
  v("params", s.params);
  v("frozen_params", s.frozen_params);
  if (s.task == "snli") {
    v("best_valid_accuracy", s.best_valid_accuracy);
    v("best_step", s.best_step);
    v("test_accuracy", s.test_accuracy);
    PerClass per_class{s.test_per_class_accuracy};
    v("test_per_class_accuracy", per_class);
    v("final_valid_accuracy", s.final_valid_accuracy);
  } else {
    v("best_valid_ppl", s.best_valid_ppl);
    v("best_valid_loss", s.best_valid_loss);
    v("best_step", s.best_step);
    v("test_ppl", s.test_ppl);
    v("final_valid_ppl", s.final_valid_ppl);
  }
  v("tokens_per_s", s.tokens_per_s);
  v("step_ms", s.step_ms);
  v("device", s.device);
  v("libtorch_version", s.libtorch_version);
  v("project_version", s.project_version);
  v("git_commit", s.git_commit);
  v("wall_s", s.wall_s);
  v("error", s.error);
}

}  // namespace gwb::detail
