// Fuzz target: the gzip path of the data files (truncated, corrupt, multi-member streams).
#include <string>

#include "engine/util/error.h"
#include "engine/util/file_io.h"
#include "fuzz_target.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  try {
    if (gwb::isGzip(bytes)) (void)gwb::gunzip(bytes, "fuzz.gz");
  } catch (const gwb::InputError&) {
  }
  return 0;
}
