#!/usr/bin/env bash
# Fuzzes the parsers of tests/fuzz with libFuzzer (Debian's clang-14 with libclang-rt-14-dev,
# -fsanitize=fuzzer,address,undefined) for SECONDS each (default 300), one target after another,
# starting from the checked-in corpora, and prints a table: target, executions, coverage, corpus
# size, findings. Not part of CI (CI replays the corpora as ordinary tests); a crash leaves its
# input under build-fuzz/findings/<target>/ and makes the script exit 1.
#   scripts/fuzz.sh [SECONDS] [TARGET...]     GWB_FUZZ_MERGE=1 merges new inputs into the corpora
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
seconds="${1:-300}"
shift || true
targets=("$@")
[ "${#targets[@]}" -gt 0 ] || targets=(safetensors config trainer_state tokenizers metrics snli wikitext gzip data_catalog)

missing=()
for p in clang-14 libclang-rt-14-dev; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "fuzz.sh: installing ${missing[*]}" >&2
  apt-get install -y -qq "${missing[@]}" >&2
fi

build=build-fuzz
flags="-fsanitize=address,undefined,fuzzer-no-link -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
if [ ! -f "$build/CMakeCache.txt" ]; then
  CC=clang-14 CXX=clang++-14 cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DGWB_CORE_ONLY=ON -DGWB_FUZZ=ON -DGWB_BUILD_GUI=OFF "-DCMAKE_CXX_FLAGS=$flags" \
    "-DCMAKE_EXE_LINKER_FLAGS=-fsanitize=address,undefined" >&2
fi
cmake --build "$build" -j "$(nproc)" $(printf -- '--target fuzz_%s ' "${targets[@]}") >&2

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
status=0
printf '%-14s %12s %8s %8s %8s\n' target executions cov corpus findings
for t in "${targets[@]}"; do
  work="$build/corpus/$t"
  findings="$build/findings/$t"
  rm -rf "$findings"
  mkdir -p "$work" "$findings"
  cp -n tests/fuzz/corpus/"$t"/* "$work"/ 2>/dev/null || true
  log="$build/fuzz-$t.log"
  set +e
  "$build/bin/fuzz_$t" -max_total_time="$seconds" -print_final_stats=1 -timeout=10 -rss_limit_mb=4096 \
    -artifact_prefix="$findings/" "$work" >"$log" 2>&1
  rc=$?
  set -e
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | awk '{print $2}')
  n=$(find "$findings" -type f | wc -l)
  printf '%-14s %12s %8s %8s %8s\n' "$t" "${execs:-?}" "${cov:-?}" "$(ls "$work" | wc -l)" "$n"
  if [ "$rc" -ne 0 ] || [ "$n" -gt 0 ]; then
    status=1
    grep -m3 -E 'ERROR|SUMMARY|runtime error' "$log" >&2 || true
  fi
  if [ "${GWB_FUZZ_MERGE:-0}" = 1 ]; then
    "$build/bin/fuzz_$t" -merge=1 tests/fuzz/corpus/"$t" "$work" >/dev/null 2>&1 || true
  fi
done
exit "$status"
