// Fuzz target: the safetensors reader (header length, JSON header, dtypes, shapes, offsets).
#include <string>

#include "engine/io/safetensors.h"
#include "engine/util/error.h"
#include "fuzz_target.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const gwb::SafetensorsData st =
        gwb::parseSafetensors(std::string(reinterpret_cast<const char*>(data), size), "fuzz");
    for (const auto& [name, t] : st.tensors) (void)t.numel();
    (void)gwb::serializeSafetensors(st);
  } catch (const gwb::InputError&) {
  }
  return 0;
}
