// RunProgressReader on the run store's RunReader.
#include "engine/runs/run_progress.h"

#include <filesystem>

#include "engine/runs/run_reader.h"

namespace fs = std::filesystem;

namespace gwb {

RunProgressReader::RunProgressReader(std::string run_dir)
    : dir_(std::move(run_dir)), reader_(std::make_unique<RunReader>(dir_)) {}

RunProgressReader::~RunProgressReader() = default;
RunProgressReader::RunProgressReader(RunProgressReader&&) noexcept = default;
RunProgressReader& RunProgressReader::operator=(RunProgressReader&&) noexcept = default;

RunProgress RunProgressReader::poll() {
  reader_->poll();
  const RunRecord& r = reader_->record();
  RunProgress out;
  std::error_code ec;
  out.exists = fs::is_regular_file(fs::path(dir_) / "config.json", ec) ||
               fs::is_regular_file(fs::path(dir_) / "metrics.jsonl", ec);
  switch (r.status) {
    case RunStatus::Finished:
    case RunStatus::Stopped:
    case RunStatus::Failed:
      out.status = statusName(r.status);
      break;
    default:
      out.status.clear();  // training, or killed before it could say
  }
  out.step = r.numbers.step();
  out.time = r.numbers.time();
  if (r.summary && r.ended() && out.step == 0) out.step = r.summary->best_step;
  if (const auto best = r.bestValid()) {
    out.best = best;
    out.best_metric = r.classification() ? "valid_accuracy" : "valid_ppl";
  }
  out.seconds_per_step = r.numbers.recentSecondsPerStep().value_or(0);
  out.resumes = r.numbers.resumes();
  out.error = !r.numbers.error().empty()                   ? r.numbers.error()
              : r.summary && r.status == RunStatus::Failed ? r.summary->error
                                                           : std::string();
  return out;
}

RunProgress readRunProgress(const std::string& run_dir) {
  RunProgressReader reader(run_dir);
  return reader.poll();
}

}  // namespace gwb
