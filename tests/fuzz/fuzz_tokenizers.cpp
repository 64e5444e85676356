// Fuzz target: both tokenizers on arbitrary bytes (the first byte picks one): UTF-8 is checked as
// the loaders check it; valid text is encoded, decoded and joined into pairs.
#include <memory>
#include <string>

#include "engine/tokenizers/tokenizer.h"
#include "engine/util/error.h"
#include "engine/util/file_io.h"
#include "fuzz_target.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::unique_ptr<gwb::Tokenizer> gpt2 = gwb::loadTokenizer(gwb::TokenizerKind::Gpt2);
  static const std::unique_ptr<gwb::Tokenizer> bert = gwb::loadTokenizer(gwb::TokenizerKind::Bert);
  if (size == 0) return 0;
  const gwb::Tokenizer& t = data[0] & 1 ? *bert : *gpt2;
  const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  try {
    gwb::checkUtf8(text, "fuzz");
  } catch (const gwb::InputError&) {
    return 0;
  }
  const std::vector<std::int32_t> ids = t.encode(text);
  for (std::int32_t id : ids) {
    if (id < 0 || id >= t.vocabSize()) __builtin_trap();
  }
  (void)t.decode(ids);
  (void)t.joinPair(ids, ids);
  (void)t.wrapSingle(ids);
  return 0;
}
