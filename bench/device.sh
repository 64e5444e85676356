#!/usr/bin/env bash
# Everything the GPU machine does in one call (DEVICE.md): unpack what it lacks from the carried
# .deps/, configure against the CUDA LibTorch of its PyTorch with the GUI off, build with all
# cores, run the ctest label gpu, then `gwb bench` and the Python reference benchmark on the same
# settings (GPT-2 vocabulary, L=256, N=6, B=32, bf16, 4 heads, dropout 0.1, clip 1.0), a kernel
# profile of each model's step, and one epoch of each configuration of the reference sweep with
# --jobs auto; a short table comes last. OUT (argument, else $OUT, else /tmp/gwb-device) gets
# steps.log, table.txt and logs.tar.gz (every step's full log, the sweep's summaries and metrics).
#   bench/device.sh [OUT]            run it
#   bench/device.sh --dry-run [OUT]  print the steps and check what can be checked here
# Environment:
#   GWB_DEVICE_BUDGET_S=480   seconds the script may take: the optional steps (eager rows, sweep)
#                             are skipped or cut short when less is left
#   GWB_DEVICE_COMPILE=1      also time the reference's torch.compile rows (minutes)
#   GWB_DEVICE_SWEEP=0        skip the one-epoch sweep
#   GWB_DEVICE_BENCH=0        skip the benchmarks and profiles (build, gpu tests and sweep only)
# The rows "ATen CE" set GWB_FUSED_CROSS_ENTROPY=0 (log_softmax + nll_loss instead of the fused
# cross-entropy kernels).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
dry=0
if [ "${1:-}" = "--dry-run" ]; then dry=1; shift; fi
out="${1:-${OUT:-/tmp/gwb-device}}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
logs="$out/logs"  # every step's log; bundled into OUT/logs.tar.gz at the end (few files travel)
mkdir -p "$logs"
bundle() { [ "$dry" = 0 ] && [ -d "$logs" ] && tar czf "$out/logs.tar.gz" -C "$out" logs && rm -rf "$logs"; }
trap bundle EXIT
budget="${GWB_DEVICE_BUDGET_S:-480}"
build=build-gpu
configs=("grassmann:256:6:32" "transformer:256:6:32")
export GWB_CACHE_DIR="$PWD/$build/cache"  # token caches, shared by the sweep's runs
export TORCH_CUDA_ARCH_LIST="${TORCH_CUDA_ARCH_LIST:-9.0}"  # LibTorch's CMake reads this one

left() { echo $((budget - SECONDS)); }

step() {  # step NAME SECONDS COMMAND...: run (or, dry, print) a step, its log in OUT/NAME.log
  local name="$1" limit="$2"; shift 2
  echo "== $name (limit ${limit}s, $(left)s left): $*" | tee -a "$out/steps.log" >&2
  if [ "$dry" = 1 ]; then return 0; fi
  local start=$SECONDS
  timeout -s INT -k 20 "$limit" "$@" > "$logs/$name.log" 2>&1
  local rc=$?
  echo "   $name: exit $rc in $((SECONDS - start)) s" | tee -a "$out/steps.log" >&2
  [ "$rc" != 0 ] && tail -15 "$logs/$name.log" | sed "s/^/   $name| /" >&2
  return $rc
}

errors_of() {  # the first compiler or CMake errors of a log, for the call's short output
  grep -n -E "error|Error|FAILED" "$1" | head -40 >&2
}

# 0. The machine.
if [ "$dry" = 0 ]; then
  { nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
    python3 -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda)'
    nproc; cmake --version | head -1; command -v nvcc nsys ncu; } > "$logs/machine.txt" 2>&1
fi
if ! command -v nvcc > /dev/null && [ -x /usr/local/cuda/bin/nvcc ]; then
  export PATH="/usr/local/cuda/bin:$PATH"
fi

# 1. What the machine lacks, from the carried .deps (scripts/prepare_device_deps.sh made it).
deps_prefix=""
if [ -d .deps/usr ]; then
  deps_prefix="$PWD/.deps/usr"
elif [ -d .deps/debs ]; then
  step unpack 120 bash -c 'for d in .deps/debs/*.deb; do dpkg -x "$d" .deps; done' && deps_prefix="$PWD/.deps/usr"
else
  echo "warning: no .deps/ carried: pcre2, utf8proc and OpenSSL headers must be installed" >&2
fi

# 2. Configure against the CUDA LibTorch inside the machine's PyTorch, and build. If our CUDA glue
#    does not build there, build again without it (LibTorch's own kernels, eager steps) so that
#    the benchmarks still run, and show the first errors.
torch_prefix="$(python3 -c 'import torch; print(torch.utils.cmake_prefix_path)' 2>/dev/null || true)"
if [ -z "$torch_prefix" ] && [ "$dry" = 0 ]; then echo "error: python3 cannot import torch" >&2; exit 2; fi
generator=()
command -v ninja > /dev/null && generator=(-G Ninja)
configure() {  # configure DIR NAME [cmake args]
  local dir="$1" name="$2"; shift 2
  step "$name" 240 cmake -S . -B "$dir" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release \
    -DGWB_BUILD_GUI=OFF -DCMAKE_PREFIX_PATH="$torch_prefix" -DGWB_DEPS_PREFIX="$deps_prefix" \
    -DCMAKE_CUDA_ARCHITECTURES=90 "$@"
}
build_all() {  # build_all DIR NAME: everything that compiles (keep going), then the binaries needed
  local keep=()
  [ "${#generator[@]}" -gt 0 ] && keep=(-- -k 0)
  step "$2" 420 cmake --build "$1" -j "$(nproc)" "${keep[@]}"
  [ "$dry" = 1 ] || { [ -x "$1/bin/gwb" ] && [ -x "$1/bin/tst_gpu_training" ]; }
}
glue=on
if ! { configure "$build" configure && build_all "$build" build; }; then
  [ -f "$logs/configure.log" ] && errors_of "$logs/configure.log"
  [ -f "$logs/build.log" ] && errors_of "$logs/build.log"
  glue=off
  build=build-gpu-noglue
  configure "$build" configure-noglue -DGWB_CUDA_GLUE=OFF || { errors_of "$logs/configure-noglue.log"; exit 1; }
  build_all "$build" build-noglue || { errors_of "$logs/build-noglue.log"; exit 1; }
fi
[ "$dry" = 0 ] && errors_of "$logs/build.log"  # what did not compile, if anything (e.g. the profiler)
gwb="$build/bin/gwb"

# 3. The gpu tests (the fused kernels against ATen; graph vs eager steps).
step gpu-tests 240 ctest --test-dir "$build" -L gpu -V  # -V: every check's line and number
gpu_rc=$?
[ "$dry" = 0 ] && grep -E "FAIL|Passed|Failed|Skipped|tests passed|every loss|falls" "$logs/gpu-tests.log" | head -30 >&2

# 4. Ours and the reference, same settings, same card.
bench=1
[ "${GWB_DEVICE_BENCH:-1}" = 0 ] && bench=0
bench_ours() {  # bench_ours NAME ARCH L N B [--set ...]
  local name="$1" arch="$2" L="$3" N="$4" B="$5"; shift 5
  step "$name" 120 "$gwb" bench --config "reference-$arch-n$N-l$L" --set data.tokenizer=gpt2 \
    --set train.batch_size="$B" --set model.dropout=0.1 --set train.clip=1.0 --set model.heads=4 \
    --steps 30 --warmup 8 "$@"
}
for c in "${configs[@]}"; do
  [ "$bench" = 1 ] || break
  IFS=: read -r arch L N B <<< "$c"
  bench_ours "bench-$arch-$L-$N-$B" "$arch" "$L" "$N" "$B"
done
compile=(--no-compile)
[ "${GWB_DEVICE_COMPILE:-0}" = 1 ] && compile=()
[ "$bench" = 1 ] && step ref-bench 300 python3 bench/ref_bench.py --configs "${configs[@]}" --vocab 50257 --steps 30 \
  --warmup 8 "${compile[@]}"
# What the CUDA graph is worth: the same rows stepping eagerly.
if [ "$bench" = 1 ] && [ "$glue" = on ] && [ "$(left)" -gt 240 ]; then
  for c in "${configs[@]}"; do
    IFS=: read -r arch L N B <<< "$c"
    bench_ours "eager-$arch-$L-$N-$B" "$arch" "$L" "$N" "$B" --set train.cuda_graph=false
  done
fi

# What the fused cross-entropy is worth: the same rows with ATen's log_softmax + nll_loss.
if [ "$bench" = 1 ] && [ "$glue" = on ] && [ "$(left)" -gt 200 ]; then
  for c in "${configs[@]}"; do
    IFS=: read -r arch L N B <<< "$c"
    GWB_FUSED_CROSS_ENTROPY=0 bench_ours "atence-$arch-$L-$N-$B" "$arch" "$L" "$N" "$B"
  done
fi

# 5. Where the time goes: the kernels of one eager step of each model (LibTorch's Kineto
#    profiler; kernels inside a CUDA graph are not all reported, and the graph changes little).
if [ "$bench" = 1 ] && { [ -x "$build/bin/gwb-profile-step" ] || [ "$dry" = 1 ]; }; then
  for arch in grassmann transformer; do
    step "profile-$arch" 90 "$build/bin/gwb-profile-step" --config "reference-$arch-n6-l256" \
      --set data.tokenizer=gpt2 --set train.batch_size=32 --set model.dropout=0.1 \
      --set model.heads=4 --set train.cuda_graph=false --steps 10 --warmup 5 \
      --trace "$build/profile-$arch.json" --top 15
  done
fi

# 6. One epoch of each of the reference family's 8 configurations (BERT tokens, SPEC §4 batch
#    sizes), --jobs auto: the measured wall time x 20 epochs projects `gwb speedrun wikitext2`.
if [ "${GWB_DEVICE_SWEEP:-1}" = 1 ]; then
  sweep_limit=$(($(left) - 25))
  if [ "$dry" = 1 ] || [ "$sweep_limit" -gt 60 ]; then
    rm -rf "$build/sweep-runs"
    step sweep "$sweep_limit" "$gwb" speedrun wikitext2 --preset-family reference --jobs auto \
      --set train.epochs=1 --runs "$build/sweep-runs"
    mkdir -p "$logs/sweep"
    for d in "$build"/sweep-runs/*/; do
      [ -f "$d/summary.json" ] && cp "$d/summary.json" "$logs/sweep/$(basename "$d").summary.json"
      [ -f "$d/metrics.jsonl" ] && cp "$d/metrics.jsonl" "$logs/sweep/$(basename "$d").metrics.jsonl"
    done
  else
    echo "no time left for the sweep (${sweep_limit}s)" | tee "$logs/sweep.log" >&2
  fi
fi

if [ "$dry" = 1 ]; then
  bash -n "$0" && python3 -c 'import ast,sys; ast.parse(open(sys.argv[1]).read())' bench/device_table.py &&
    echo "dry run: script syntax ok; steps listed above; logs would go to $out" >&2
  exit 0
fi

# 7. The table.
python3 bench/device_table.py "$logs" "${configs[@]}" | tee "$out/table.txt"
echo "device: $(head -1 "$logs/machine.txt"); CUDA glue $glue; gpu tests exit $gpu_rc; $SECONDS s"
exit $gpu_rc
