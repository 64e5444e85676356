#!/usr/bin/env bash
# The sanitizer runs of issue 11 (not CI: each is a build of its own):
#  asan  the engine's tests (label engine, GPU tests excluded) built with AddressSanitizer and
#        UndefinedBehaviorSanitizer (g++; Debian's LibTorch and Qt are not instrumented, so their
#        own code is not checked, and leak detection is off for the same reason: the fuzzers of
#        scripts/fuzz.sh check the parsers for leaks);
#  tsan  the torch-free shared-state pieces (tests/tst_shared_state.cpp: metrics writer and
#        follower, run lock, write scopes and fault hook, scheduler; and the replayed fuzz
#        corpora) under ThreadSanitizer with clang-14, in a core-only build.
# Prints one line per suite and exits non-zero if any failed.   scripts/sanitize.sh [asan] [tsan]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
modes=("$@")
[ "${#modes[@]}" -gt 0 ] || modes=(asan tsan)
jobs="$(nproc)"
status=0

for mode in "${modes[@]}"; do
  case "$mode" in
    asan)
      build=build-asan
      if [ ! -f "$build/CMakeCache.txt" ]; then
        # -O0 -g1: LibTorch's headers make each translation unit costly, and optimising them
        # under ASan doubles that; the heavy arithmetic runs in LibTorch itself, uninstrumented.
        cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug "-DCMAKE_CXX_FLAGS_DEBUG=-O0 -g1" \
          "-DCMAKE_CXX_FLAGS=-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer" \
          "-DCMAKE_EXE_LINKER_FLAGS=-fsanitize=address,undefined" -DGWB_TEST_TIMEOUT=3600 >&2
      fi
      # The engine's tests and the gwb they run.
      targets=$(cd "$build" && ctest -N -L engine | sed -n 's/^ *Test *#[0-9]*: //p' | grep -v '^cuda_glue\|^tst_gpu')
      cmake --build "$build" -j "$jobs" --target gwb $targets >&2
      set +e
      # Training tests at -O0 under ASan outlast Qt Test's 5-minute watchdog and the 10-minute
      # ctest limit (GWB_TEST_TIMEOUT): both are raised to an hour here.
      (cd "$build" && ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 QTEST_FUNCTION_TIMEOUT=3600000 \
         UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 QT_QPA_PLATFORM=offscreen \
         ctest -L engine -E '^cuda_glue|^tst_gpu' -j "$jobs" --output-on-failure) \
        >"$build/sanitize.log" 2>&1
      rc=$?
      set -e
      ;;
    tsan)
      build=build-tsan
      if [ ! -f "$build/CMakeCache.txt" ]; then
        CC=clang-14 CXX=clang++-14 cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
          -DGWB_CORE_ONLY=ON "-DCMAKE_CXX_FLAGS=-fsanitize=thread -fno-omit-frame-pointer" \
          "-DCMAKE_EXE_LINKER_FLAGS=-fsanitize=thread" >&2
      fi
      cmake --build "$build" -j "$jobs" >&2
      set +e
      (cd "$build" && TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
         ctest -j "$jobs" --output-on-failure) >"$build/sanitize.log" 2>&1
      rc=$?
      set -e
      ;;
    *) echo "usage: $0 [asan] [tsan]" >&2; exit 2 ;;
  esac
  summary=$(grep -E 'tests passed|tests failed' "$build/sanitize.log" | tail -1)
  echo "$mode: ${summary:-no ctest summary} (log: $build/sanitize.log)"
  if [ "$rc" -ne 0 ]; then
    status=1
    grep -E 'ERROR: (Address|Thread|Undefined)|runtime error|WARNING: ThreadSanitizer' "$build/sanitize.log" | head -5 || true
  fi
done
exit "$status"
