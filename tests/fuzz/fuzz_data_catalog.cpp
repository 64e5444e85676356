// Fuzz target: the data manager's catalogue and MANIFEST.json parsers (the first byte picks one).
#include <string>

#include "engine/catalog/catalog.h"
#include "engine/catalog/manifest.h"
#include "engine/util/error.h"
#include "fuzz_target.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  try {
    if (data[0] & 1) {
      (void)gwb::parseCatalog(text, "fuzz.json");
    } else {
      (void)gwb::manifestToJson(gwb::parseManifest(text, "MANIFEST.json"));
    }
  } catch (const gwb::InputError&) {
  }
  return 0;
}
