// Fuzz target: the configuration loader, its validation and what is derived from it (parameter
// counts, the memory estimate), which must never overflow or throw anything but InputError.
#include <string>

#include "engine/cluster/scheduler.h"
#include "engine/config/run_config.h"
#include "engine/util/error.h"
#include "fuzz_target.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    gwb::RunConfig c = gwb::parseRunConfig(text, "fuzz.json");
    (void)gwb::configProblems(c, false);
    gwb::resolveRunConfig(c, 30522);
    if (gwb::configProblems(c, false).empty()) {
      (void)gwb::countTrainedParameters(c);
      (void)gwb::countTwinParameters(c);
      (void)gwb::estimateFootprint(c, false);
      (void)gwb::memoryProblem(c, false, std::int64_t{1} << 34, "CPU");
    }
    (void)gwb::parseRunConfig(gwb::runConfigToJson(c), "round trip");
  } catch (const gwb::InputError&) {
  }
  return 0;
}
