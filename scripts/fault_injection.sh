#!/usr/bin/env bash
# Fault injection for issue 11 (not CI; run as root on a Linux machine: it mounts tmpfs and
# read-only bind mounts): random kill -9 of training, of resuming and of a speedrun; a disk that
# fills during a checkpoint (a small tmpfs) and a file-size limit (RLIMIT_FSIZE); a read-only
# runs folder; a NaN injected into a gradient; a huge batch; a run directory deleted under the
# workbench. Every run that was interrupted is resumed and compared with an uninterrupted run of
# the same configuration (test perplexity and the last step's loss to 1e-6 relative).
# Prints a table: fault, trials, outcomes, anything lost.
#   scripts/fault_injection.sh [KILL_TRIALS=30] [SPEEDRUN_TRIALS=6]     (build first: ./setup.sh build)
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo=$(pwd)
gwb="$repo/build/bin/gwb"
kills="${1:-30}"
speedruns="${2:-6}"
[ -x "$gwb" ] || { echo "fault_injection.sh: build first (./setup.sh build)" >&2; exit 2; }
work=$(mktemp -d /tmp/gwb-faults-XXXXXX)
export GWB_CACHE_DIR="$work/cache" GWB_DATA_HOME="$work/data-home"
trap 'umount "$work/full" "$work/ro" 2>/dev/null; rm -rf "$work"' EXIT
rows=()
row() { rows+=("$(printf '| %-34s | %6s | %-52s | %-22s |' "$1" "$2" "$3" "$4")"); }

# 120 steps of a tiny model, a checkpoint every 7 steps, validation every 40, one thread.
sets=(--set model.d_model=32 --set model.n_layers=1 --set model.d_ff=64 --set model.r=8
      --set "model.windows=[1,2,4]" --set data.tokenizer=bert --set data.seq_len=32
      --set data.max_train_tokens=30720 --set data.max_eval_tokens=248 --set train.batch_size=8
      --set train.epochs=1 --set train.warmup_steps=5 --set train.eval_every=40
      --set train.checkpoint_every=7 --set train.threads=1)
config="$work/tiny.json"
"$gwb" train cpu-small-grassmann "${sets[@]}" --set name=fault --dry-run |
  python3 -c 'import json,sys; json.dump(json.load(sys.stdin)["config"], open(sys.argv[1], "w"))' "$config"

# The numbers a finished run ends with: test ppl (or accuracy) and the last step's loss.
numbers() {
  python3 - "$1" <<'EOF'
import json, sys
d = sys.argv[1]
s = json.load(open(d + "/summary.json"))
last = {}
for line in open(d + "/metrics.jsonl"):
    try:
        e = json.loads(line)
    except ValueError:
        continue
    if e.get("event") == "step":
        last[e["step"]] = e["loss"]
print(s.get("status"), s.get("test_ppl") or s.get("test_accuracy"), last[max(last)] if last else None)
EOF
}
same() {  # same NUMBERS_A NUMBERS_B -> 0 if status finished and both numbers agree to 1e-6
  python3 - "$1" "$2" <<'EOF'
import sys
a, b = sys.argv[1].split(), sys.argv[2].split()
ok = a[0] == b[0] == "finished" and all(abs(float(x) - float(y)) <= 1e-6 * abs(float(y)) for x, y in zip(a[1:], b[1:]))
sys.exit(0 if ok else 1)
EOF
}
strays() { find "$1" -name '*.tmp*' | wc -l; }

start=$(date +%s.%N)
"$gwb" train "$config" --run-dir "$work/reference" >/dev/null 2>&1
reference=$(numbers "$work/reference")
seconds=$(python3 -c "import time; print(round(time.time() - $start, 2))")
echo "reference run: $reference in ${seconds}s" >&2

# ---- kill -9 of training and of resuming, at random moments --------------------------------
ok=0; restarts=0; stray=0; left=0; lost=""
for ((i = 1; i <= kills; i++)); do
  dir="$work/kill-$i"
  for attempt in 1 2 3; do  # kill the first run and, half of the time, a resume as well
    "$gwb" train "$config" --run-dir "$dir" >/dev/null 2>&1 &
    pid=$!
    sleep "$(python3 -c "import random; print(random.uniform(0.05, $seconds))")"
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    [ $((RANDOM % 2)) -eq 0 ] && break
  done
  stray=$((stray + $(strays "$dir")))
  while ! "$gwb" train "$config" --run-dir "$dir" >/dev/null 2>"$dir.err"; do  # resume to the end
    restarts=$((restarts + 1))
    [ "$restarts" -gt $((kills * 4)) ] && break
  done
  left=$((left + $(strays "$dir")))
  if same "$(numbers "$dir")" "$reference"; then ok=$((ok + 1)); else lost+="trial $i: $(numbers "$dir"); "; fi
done
row "kill -9 during training/resume" "$kills" "$ok resumed to the reference numbers; stray tmp files: $stray after the kills, $left after the resumes" "${lost:-nothing}"

# ---- kill -9 of a speedrun: every run directory it made resumes to its run's numbers ---------
ok=0; total=0; lost=""
sweep_sets=(--set train.max_steps=40 --set train.eval_every=20 --set train.checkpoint_every=7
            --set data.max_eval_tokens=1024 --set train.threads=1)
[ "$speedruns" -gt 0 ] &&
  "$gwb" speedrun wikitext2 --preset-family cpu-small "${sweep_sets[@]}" --runs "$work/sweep-ref" >/dev/null 2>&1
for ((i = 1; i <= speedruns; i++)); do
  runs="$work/sweep-$i"
  "$gwb" speedrun wikitext2 --preset-family cpu-small "${sweep_sets[@]}" --runs "$runs" >/dev/null 2>&1 &
  pid=$!
  sleep "$(python3 -c "import random; print(random.uniform(1, 25))")"
  kill -9 "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  for d in "$runs"/*/; do
    [ -f "$d/config.json" ] || continue
    total=$((total + 1))
    name=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["name"])' "$d/config.json")
    ref=$(ls -d "$work/sweep-ref/"*"-$name" | head -1)
    if [ ! -f "$d/summary.json" ] || grep -q '"stopped"\|"failed"' "$d/summary.json"; then
      "$gwb" train --resume "$d" >/dev/null 2>&1
    fi
    if same "$(numbers "$d")" "$(numbers "$ref")"; then ok=$((ok + 1)); else lost+="$d; "; fi
  done
done
row "kill -9 during speedrun" "$speedruns" "$ok of $total run directories resumed to their numbers" "${lost:-nothing}"

# ---- a disk that fills during a checkpoint ---------------------------------------------------
# One checkpoint of the tiny model (BERT's 30,522-token embedding at d=32: 3.9 MB of weights, twice
# that of optimizer moments, the best weights) takes about 16 MB: 24 MB hold the first checkpoint
# and the metrics, and fill up during a later one.
mkdir -p "$work/full"
lost=""
if mount -t tmpfs -o size=24m tmpfs "$work/full" 2>/dev/null; then
  "$gwb" train "$config" --run-dir "$work/full/run" >/dev/null 2>"$work/full.err"
  rc=$?
  msg=$(grep -m1 -o 'No space left on device' "$work/full.err")
  good=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["step"])' "$work/full/run/checkpoints/trainer_state.json" 2>/dev/null || echo none)
  mount -o remount,size=64m "$work/full"
  "$gwb" train "$config" --run-dir "$work/full/run" >/dev/null 2>&1
  same "$(numbers "$work/full/run")" "$reference" || lost="the resumed run's numbers"
  row "disk full (24 MB tmpfs)" 1 "exit $rc, '$msg', last complete checkpoint step $good; resumed after growing" "${lost:-nothing}"
  umount "$work/full"
else
  row "disk full (tmpfs)" 0 "not run: mounting a tmpfs needs root" "-"
fi
rm -rf "$work/fsize"
(ulimit -f 2000; "$gwb" train "$config" --run-dir "$work/fsize" >/dev/null 2>"$work/fsize.err")
rc=$?
msg=$(grep -m1 -o 'File too large' "$work/fsize.err")
"$gwb" train "$config" --run-dir "$work/fsize" >/dev/null 2>&1
same "$(numbers "$work/fsize")" "$reference" && lost=nothing || lost="the resumed run's numbers"
row "file size limit (ulimit -f 2000)" 1 "exit $rc, '$msg'; resumed without the limit" "$lost"

# ---- a read-only runs folder -------------------------------------------------------------------
mkdir -p "$work/ro"
cp -a "$work/kill-1" "$work/ro/run" 2>/dev/null
if mount --bind "$work/ro" "$work/ro" 2>/dev/null && mount -o remount,ro,bind "$work/ro" 2>/dev/null; then
  "$gwb" train "$config" --runs "$work/ro" >/dev/null 2>"$work/ro-new.err"
  rc_new=$?
  "$gwb" train --resume "$work/ro/run" >/dev/null 2>"$work/ro-resume.err"
  rc_resume=$?
  row "read-only runs folder" 2 "new run exit $rc_new, resume exit $rc_resume: $(grep -m1 'gwb: error' "$work/ro-new.err" | head -c 110)" "nothing (read-only)"
  umount "$work/ro"
else
  row "read-only runs folder" 0 "not run: a read-only bind mount needs root" "-"
fi

# ---- a NaN injected into a gradient --------------------------------------------------------------
GWB_FAULT_NAN_GRAD_STEP=30 "$gwb" train "$config" --run-dir "$work/nan" >/dev/null 2>"$work/nan.err"
rc=$?
finite=$("$gwb" eval "$work/nan" --checkpoint last --split valid 2>/dev/null |
  python3 -c 'import json,sys,math; d=json.load(sys.stdin); print("finite" if math.isfinite(d["splits"]["valid"]["loss"]) else "NaN")' 2>/dev/null)
step=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["step"])' "$work/nan/checkpoints/trainer_state.json")
row "NaN gradient at step 30" 1 "exit $rc, $(grep -m1 -o 'non-finite gradient norm[^;]*' "$work/nan.err"); last checkpoint step $step, $finite" "nothing"

# ---- a huge batch --------------------------------------------------------------------------------
/usr/bin/time -f '%M' -o "$work/huge.rss" "$gwb" train "$config" --set train.batch_size=1000000000000 --runs "$work/huge" >/dev/null 2>"$work/huge.err"
rc=$?
row "train.batch_size=1e12" 1 "exit $rc in $(tail -1 "$work/huge.rss") KB peak: $(grep -m1 -o 'train.batch_size: expected a batch that fits[^(]*' "$work/huge.err")" "nothing created: $(ls "$work/huge" 2>/dev/null | wc -l) entries"

# ---- a run directory deleted under the workbench ---------------------------------------------
if [ -x "$repo/build/bin/tst_run_state" ]; then
  QT_QPA_PLATFORM=offscreen "$repo/build/bin/tst_run_state" deletedRunIsNoticedInMonitorAndRuns >"$work/gui.log" 2>&1
  rc=$?
  row "run directory deleted under the GUI" 1 "tst_run_state deletedRunIsNoticedInMonitorAndRuns: exit $rc" "nothing (the view marks it)"
fi

printf '| %-34s | %6s | %-52s | %-22s |\n' fault trials outcomes "anything lost"
printf '|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..36})" "$(printf -- '-%.0s' {1..8})" "$(printf -- '-%.0s' {1..54})" "$(printf -- '-%.0s' {1..24})"
printf '%s\n' "${rows[@]}"
