#!/usr/bin/env bash
# SNLI evidence (not a test): trains both cpu-small-snli presets from scratch on the embedded 1%
# train sample (5,498 pairs), evaluates each best checkpoint on the full dev (9,842) and test
# (9,824) splits with `gwb eval RUN_DIR`, and prints accuracy, per-class accuracy and the
# confusion matrix of each beside the majority-class baseline of the split.
#   scripts/snli_evidence.sh [OUT=runs/snli-evidence] [gwb train --set options...]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out="${1:-runs/snli-evidence}"
shift || true
gwb=build/bin/gwb
[ -x "$gwb" ] || { echo "build first: ./setup.sh build" >&2; exit 2; }
mkdir -p "$out"
for arch in grassmann transformer; do
  start=$(date +%s)
  "$gwb" train "cpu-small-snli-$arch" --runs "$out" "$@" >"$out/$arch.jsonl" 2>"$out/$arch.log"
  echo "$arch trained in $(( $(date +%s) - start )) s" >&2
  run_dir=$(head -1 "$out/$arch.jsonl" | python3 -c 'import json,sys; print(json.load(sys.stdin)["run_dir"])')
  "$gwb" eval "$run_dir" --checkpoint best --split all >"$out/$arch.eval.json" 2>/dev/null
done
python3 - "$out" <<'PY'
import json, sys
out = sys.argv[1]
names = ['entailment', 'neutral', 'contradiction']
print('| model | split | pairs | accuracy | E / N / C | majority class | confusion (rows gold E, N, C; columns predicted) |')
print('|---|---|---:|---:|---|---:|---|')
for arch in ('grassmann', 'transformer'):
    e = json.load(open(f'{out}/{arch}.eval.json'))
    summary = json.load(open(f"{e['run_dir']}/summary.json"))
    for split in ('valid', 'test'):
        s = e['splits'][split]
        rows = [sum(r) for r in s['confusion']]
        majority = 100.0 * max(rows) / s['examples']
        per = ' / '.join(f"{100 * s['per_class_accuracy'][n]:.1f}" for n in names)
        conf = '; '.join(' '.join(str(v) for v in r) for r in s['confusion'])
        label = 'dev' if split == 'valid' else 'test'
        print(f"| cpu-small-snli-{arch} (best step {e['step']}) | {label} | {s['examples']} | "
              f"{100 * s['accuracy']:.2f}% | {per} | {majority:.1f}% | {conf} |")
    print(f"<!-- {arch}: {summary['params']} parameters, {summary['tokens_per_s']:.0f} tokens/s, "
          f"{summary['wall_s']:.0f} s -->")
PY
