// Fuzz target: trainer_state.json (nulls, wrong types, huge numbers, odd hex).
#include <string>

#include "engine/runs/run_dir.h"
#include "engine/util/error.h"
#include "fuzz_target.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const gwb::TrainerState s =
        gwb::parseTrainerState(std::string(reinterpret_cast<const char*>(data), size), "fuzz");
    (void)gwb::parseTrainerState(gwb::trainerStateToJson(s), "round trip");
  } catch (const gwb::InputError&) {
  }
  return 0;
}
