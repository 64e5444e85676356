// A minimal harness for the GPU tests (no Qt, as CONTRACTS.md asks): named checks, a summary, and
// exit code 0 (all passed), 1 (a check failed) or 77 (no CUDA here: ctest reports a skip).
#pragma once

#include <cstdio>
#include <string>

namespace gwb::gputest {

constexpr int kSkip = 77;

inline int& failures() {
  static int n = 0;
  return n;
}

inline void check(bool ok, const std::string& what) {
  std::printf("%s  %s\n", ok ? "PASS" : "FAIL", what.c_str());
  if (!ok) ++failures();
}

inline int finish() {
  std::printf("%s\n", failures() ? "FAILED" : "ALL PASSED");
  return failures() ? 1 : 0;
}

}  // namespace gwb::gputest
