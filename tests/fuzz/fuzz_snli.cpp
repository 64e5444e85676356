// Fuzz target: the SNLI readers (the first byte picks .jsonl, the 14-column .txt or the 4-column
// .tsv, read by header).
#include <string>

#include "engine/data/snli.h"
#include "engine/util/error.h"
#include "fuzz_target.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  static const char* const kNames[] = {"fuzz.jsonl", "fuzz.txt", "fuzz.tsv"};
  const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  try {
    (void)gwb::parseSnliRecords(text, kNames[data[0] % 3]);
  } catch (const gwb::InputError&) {
  }
  return 0;
}
