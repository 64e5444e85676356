// Fuzz target: a Wikitext-2 split's token stream (the SPEC §3 rule of either tokenizer; the first
// byte picks one) on any valid UTF-8 text.
#include <memory>
#include <string>

#include "engine/data/wikitext.h"
#include "engine/tokenizers/tokenizer.h"
#include "engine/util/error.h"
#include "engine/util/file_io.h"
#include "fuzz_target.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::unique_ptr<gwb::Tokenizer> gpt2 = gwb::loadTokenizer(gwb::TokenizerKind::Gpt2);
  static const std::unique_ptr<gwb::Tokenizer> bert = gwb::loadTokenizer(gwb::TokenizerKind::Bert);
  if (size == 0) return 0;
  const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  try {
    gwb::checkUtf8(text, "fuzz");
    (void)gwb::wikitextTokenStream(text, data[0] & 1 ? *bert : *gpt2);
  } catch (const gwb::InputError&) {
  }
  return 0;
}
