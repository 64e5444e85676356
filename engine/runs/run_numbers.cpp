// Accumulating a run's numbers.
#include "engine/runs/run_numbers.h"

#include <algorithm>
#include <cmath>

namespace gwb {
namespace {

constexpr std::size_t kPaceWindow = 20;  // step events the recent pace is measured over

// Whether an event at (time, step) came after one at (end_time, end_step): by the run seconds,
// which keep growing across resumes; by the step where a time is missing (hand-written lines).
bool after(double time, std::int64_t step, double end_time, std::int64_t end_step) {
  if (std::isfinite(time) && std::isfinite(end_time)) return time >= end_time;
  return step >= end_step;
}

}  // namespace

const char* statusName(RunStatus status) {
  switch (status) {
    case RunStatus::Running:
      return "running";
    case RunStatus::Finished:
      return "finished";
    case RunStatus::Stopped:
      return "stopped";
    case RunStatus::Failed:
      return "failed";
    case RunStatus::Killed:
      return "killed";
    case RunStatus::Deleted:
      return "deleted";
    case RunStatus::Unreadable:
      return "unreadable";
  }
  return "?";
}

bool resumable(RunStatus status) {
  return status == RunStatus::Stopped || status == RunStatus::Failed || status == RunStatus::Killed;
}

void RunNumbers::add(const MetricsEvents& events) {
  // The kinds come apart in MetricsEvents; the run seconds (monotonic across resumes) say whether
  // an end belongs to the last session or to an earlier one.
  for (const ResumedEvent& e : events.resumes) addResumed(e);
  for (const StepEvent& e : events.steps) addStep(e);
  for (const EvalEvent& e : events.evals) addEval(e);
  for (const SpikeEvent& e : events.spikes) addSpike(e);
  addEnd(events.finished, events.failed);
}

void RunNumbers::addStep(const StepEvent& e) {
  step_ = e.step;
  epoch_ = e.epoch;
  tokens_ = e.tokens;
  if (std::isfinite(e.time)) time_ = e.time;
  if (!recent_.empty() && e.step <= recent_.back().step) recent_.clear();  // a repeat after resume
  recent_.push_back({e.step, e.tokens, e.time, e.tokens_per_s});
  if (recent_.size() > kPaceWindow) recent_.erase(recent_.begin());
  if (std::isfinite(e.time)) latest_time_ = std::max(latest_time_, e.time);
  latest_step_ = std::max(latest_step_, e.step);
  if (!ended_.empty() && after(e.time, e.step, end_time_, end_step_ + 1)) {
    ended_.clear();  // a step after an end: the run was resumed
    error_.clear();
  }
}

void RunNumbers::addEval(const EvalEvent& e) {
  task_ = e.classification ? "snli" : "wikitext2";
  step_ = std::max(step_, e.step);  // a list reads only the end: probes may follow the last step
  if (e.split == "test") {
    test_ = e.classification ? e.accuracy : e.ppl;
    test_per_class_ = e.per_class_accuracy;
    return;
  }
  if (e.split != "valid") return;
  Validation v;
  v.step = e.step;
  v.tokens = e.tokens;
  v.time = e.time;
  v.value = e.classification ? e.accuracy : e.ppl;
  v.loss = e.loss;
  v.token_loss = e.token_loss.value_or(e.loss);
  valid_[e.step] = v;
  if (e.step > step_) {
    step_ = e.step;
    tokens_ = e.tokens;
    time_ = e.time;
  }
}

void RunNumbers::addResumed(const ResumedEvent& e) {
  if (e.from_step == last_resume_step_) return;  // the event and the sentence of one resume
  last_resume_step_ = e.from_step;
  ++resumes_;
  recent_.clear();  // the pace of the new process, not across the pause
  if (std::isfinite(e.time)) latest_time_ = std::max(latest_time_, e.time);
  if (!ended_.empty() && after(e.time, e.from_step, end_time_, end_step_)) {
    ended_.clear();
    error_.clear();
  }
}

void RunNumbers::addSpike(const SpikeEvent&) { ++spikes_; }

void RunNumbers::addEnd(const std::optional<FinishedEvent>& finished,
                        const std::optional<FailedEvent>& failed) {
  // The later of the two (a failure while ending writes both).
  const bool use_failed = failed && (!finished || failed->time >= finished->time);
  const EventBase* end = use_failed ? static_cast<const EventBase*>(&*failed)
                         : finished ? static_cast<const EventBase*>(&*finished)
                                    : nullptr;
  if (!end) return;
  if (!after(end->time, end->step, latest_time_, latest_step_)) return;  // an earlier session's
  step_ = std::max(step_, end->step);  // the end's step, when the tail read held no step event
  end_time_ = end->time;
  end_step_ = end->step;
  ended_ = use_failed ? std::string("failed") : finished->summary.status;
  error_ = use_failed ? failed->error : finished->summary.error;
}

std::optional<Validation> RunNumbers::bestValid() const {
  std::optional<Validation> best;
  for (const auto& [step, v] : valid_) {
    if (!std::isfinite(v.value)) continue;
    const bool better = !best || (classification() ? v.value > best->value : v.value < best->value);
    if (better) best = v;
  }
  return best;
}

std::optional<double> RunNumbers::bestValidTokenLoss() const {
  std::optional<double> best;
  for (const auto& [step, v] : valid_) {
    if (std::isfinite(v.token_loss) && (!best || v.token_loss < *best)) best = v.token_loss;
  }
  return best;
}

std::optional<Validation> RunNumbers::latestValid() const {
  if (valid_.empty()) return std::nullopt;
  return valid_.rbegin()->second;
}

std::optional<double> RunNumbers::recentTokensPerSecond() const {
  // Each step event's rate covers the tokens since the one before: the harmonic mean weighted
  // by those tokens (total tokens over total training seconds).
  double tokens = 0, seconds = 0;
  for (std::size_t i = 1; i < recent_.size(); ++i) {
    const double dt = static_cast<double>(recent_[i].tokens - recent_[i - 1].tokens);
    if (dt <= 0 || !(recent_[i].tokens_per_s > 0)) continue;
    tokens += dt;
    seconds += dt / recent_[i].tokens_per_s;
  }
  if (seconds <= 0) return std::nullopt;
  return tokens / seconds;
}

std::optional<double> RunNumbers::recentSecondsPerStep() const {
  if (recent_.size() < 2) return std::nullopt;
  const double steps = static_cast<double>(recent_.back().step - recent_.front().step);
  const double seconds = recent_.back().time - recent_.front().time;
  if (steps <= 0 || !(seconds > 0)) return std::nullopt;
  return seconds / steps;
}

}  // namespace gwb
