// Fuzz target: the metrics.jsonl reader (any line may be malformed; none may cost the others).
#include <string>

#include "engine/runs/metrics_reader.h"
#include "fuzz_target.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  gwb::MetricsEvents events;
  const std::size_t used = gwb::parseMetrics(text, events, "fuzz.jsonl");
  if (used > size) __builtin_trap();
  events.dedupe();
  return 0;
}
