#!/usr/bin/env bash
# CPU evidence (not a test): trains both cpu-small presets for STEPS steps each on the embedded
# Wikitext-2, prints their validation curves side by side, and benchmarks the full-size N=6, L=256
# models on this CPU. Usage: scripts/cpu_evidence.sh [STEPS=600] [OUT=runs/cpu-evidence]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
steps="${1:-600}"
out="${2:-runs/cpu-evidence}"
gwb=build/bin/gwb
[ -x "$gwb" ] || { echo "build first: ./setup.sh build" >&2; exit 2; }
mkdir -p "$out"
for arch in grassmann transformer; do
  "$gwb" train "cpu-small-$arch" --runs "$out" --set train.max_steps="$steps" --set train.checkpoint_every=0 \
    > "$out/$arch.jsonl" 2> "$out/$arch.log"
done
python3 - "$out" <<'PY'
import json, sys, glob, os
out = sys.argv[1]
curves = {}
for arch in ('grassmann', 'transformer'):
    run_dir = json.loads(open(f'{out}/{arch}.jsonl').readline())['run_dir']
    evals = [json.loads(l) for l in open(f'{run_dir}/metrics.jsonl') if '"event":"eval"' in l]
    curves[arch] = {e['step']: e['ppl'] for e in evals if e['split'] == 'valid'}
    summary = json.load(open(f'{run_dir}/summary.json'))
    print(f"{arch}: best valid ppl {summary['best_valid_ppl']:.1f} at step {summary['best_step']}, "
          f"test ppl {summary['test_ppl']:.1f}, {summary['tokens_per_s']:.0f} tokens/s, {summary['wall_s']:.0f} s")
steps = sorted(set(curves['grassmann']) | set(curves['transformer']))
print('| step | Grassmann valid PPL | Transformer valid PPL |\n|---:|---:|---:|')
for s in steps:
    g, t = curves['grassmann'].get(s), curves['transformer'].get(s)
    print(f"| {s} | {g:.1f} | {t:.1f} |" if g and t else f"| {s} | {g or ''} | {t or ''} |")
PY
for arch in grassmann transformer; do
  echo "bench reference-$arch-n6-l256 (GPT-2 vocabulary, B=32, fp32):"
  "$gwb" bench --config "reference-$arch-n6-l256" --set data.tokenizer=gpt2 --set train.batch_size=32 \
    --steps 3 --warmup 1 2>/dev/null
done
