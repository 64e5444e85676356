// The libFuzzer entry point every target in tests/fuzz defines. Built two ways: with clang's
// -fsanitize=fuzzer (scripts/fuzz.sh) and, in every build, with replay_main.cpp, which feeds the
// checked-in corpus through it as an ordinary ctest test. A target must never crash, leak, hang
// or trip a sanitizer on any input: bad input is an InputError, which the targets catch.
#pragma once

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);
