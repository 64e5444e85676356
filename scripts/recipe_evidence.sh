#!/usr/bin/env bash
# Recipe evidence (not a test): the parameter counts of every recipe-* preset (gwb train --dry-run),
# then each recipe's block form at cpu-small size (d 64, N 2, L 64, batch 16, r 16, the recipe's own
# tokenizer, norm, mixer, initialisation, targets and optimiser) trained STEPS steps on the embedded
# Wikitext-2 for both architectures (falling loss, finite numbers, pace), and `gwb bench` of each
# form beside the reference form. Usage: scripts/recipe_evidence.sh [STEPS=300] [OUT=runs/recipe-evidence]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
steps="${1:-300}"
out="${2:-runs/recipe-evidence}"
gwb=build/bin/gwb
[ -x "$gwb" ] || { echo "build first: ./setup.sh build" >&2; exit 2; }
mkdir -p "$out"
small=(--set model.d_model=64 --set model.n_layers=2 --set model.d_ff=256 --set model.r=16
       --set model.max_len=0 --set data.seq_len=64 --set train.batch_size=16
       --set data.max_eval_tokens=16384 --set train.epochs=1 --set train.max_steps="$steps"
       --set train.eval_every=50 --set train.probe_every=0 --set train.checkpoint_every=0
       --set train.warmup_steps=20 --set train.precision=fp32)
echo "| preset | parameters (dry run) |"
echo "|---|---:|"
for preset in resources/presets/recipe-*.json; do
  name=$(basename "$preset" .json)
  n=$("$gwb" train "$name" --dry-run | python3 -c 'import json,sys; print(json.load(sys.stdin)["parameters"]["total"])')
  echo "| $name | $n |"
done
echo
echo "| recipe | arch | norm | first loss | last loss | best valid ppl | finite | s/step (train) | bench ms/step |"
echo "|---|---|---|---:|---:|---:|---|---:|---:|"
for recipe in reference paper arledge kanenorman youdie6 youdie12 grasslm; do
  for arch in grassmann transformer; do
    preset=$(ls resources/presets/recipe-"$recipe"-"$arch"-n*.json 2>/dev/null | head -1)
    [ -n "$preset" ] || continue
    name=$(basename "$preset" .json)
    windows=()
    # youdie12's and GrassLM's one offset per layer: the first two of the schedule at N = 2.
    if grep -q '"window_mode": "per_layer"' "$preset"; then windows=(--set 'model.windows=[1,2]'); fi
    "$gwb" train "$name" --runs "$out" "${small[@]}" "${windows[@]}" > "$out/$name.json" 2> "$out/$name.log"
    run_dir=$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["run_dir"])' "$out/$name.json")
    "$gwb" train "$name" --dry-run "${small[@]}" "${windows[@]}" | python3 -c 'import json,sys; json.dump(json.load(sys.stdin)["config"], open(sys.argv[1], "w"))' "$out/$name.config.json"
    bench=$("$gwb" bench --config "$out/$name.config.json" --steps 10 --warmup 2 2>/dev/null | python3 -c 'import json,sys; print(round(json.load(sys.stdin)["train"]["ms_per_step"]))' || echo "-")
    python3 - "$run_dir" "$recipe" "$arch" "$bench" <<'PY'
import json, math, sys
run_dir, recipe, arch, bench = sys.argv[1:]
events = [json.loads(l) for l in open(f"{run_dir}/metrics.jsonl")]
steps = [e for e in events if e["event"] == "step"]
summary = json.load(open(f"{run_dir}/summary.json"))
config = json.load(open(f"{run_dir}/config.json"))
finite = all(math.isfinite(e["loss"]) and math.isfinite(e["grad_norm"]) for e in steps)
first = sum(e["loss"] for e in steps[:10]) / len(steps[:10])
last = sum(e["loss"] for e in steps[-10:]) / len(steps[-10:])
spstep = summary["wall_s"] / max(1, steps[-1]["step"])
print(f"| {recipe} | {arch} | {config['model'].get('norm', 'pre')} | {first:.2f} | {last:.2f} | "
      f"{summary['best_valid_ppl']:.1f} | {'yes' if finite else 'NO'} | {spstep:.3f} | {bench} |")
PY
  done
done
