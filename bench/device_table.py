"""The short table that bench/device.sh prints last, from the logs it wrote into OUT.

    python3 bench/device_table.py OUT ARCH:L:N:B...

Throughput rows: ours (CUDA graph; eager and with ATen's cross-entropy where measured) against ref_bench.py on the same card
and settings; the largest kernels of each model's step (gwb-profile-step); the one-epoch reference
sweep with its projection to 20 epochs.
"""
import json
import pathlib
import re
import sys


def json_lines(path):
    if not path.exists():
        return []
    rows = []
    for line in path.read_text(errors='replace').splitlines():
        line = line.strip()
        if line.startswith('{'):
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError:
                pass
    return rows


def ours(out, prefix, config):
    arch, L, N, B = config.split(':')
    rows = json_lines(out / f'{prefix}-{arch}-{L}-{N}-{B}.log')
    return rows[0]['train']['tokens_per_s'] if rows and 'train' in rows[0] else float('nan')


def seconds(text):
    m = re.search(r'(\d+)h(\d+)m(\d+)s', text)
    return int(m.group(1)) * 3600 + int(m.group(2)) * 60 + int(m.group(3)) if m else None


def main():
    out = pathlib.Path(sys.argv[1])
    configs = sys.argv[2:]
    ref = {(r['kind'], r['L'], r['N'], r['B'], r['compile']): r['tok_s']
           for r in json_lines(out / 'ref-bench.log')}
    nan = float('nan')
    print('Training throughput, tokens/s (bf16, GPT-2 vocabulary, 4 heads, dropout 0.1, clip 1.0)')
    print(f"{'configuration':22}{'ours':>10}{'ours eager':>12}{'ATen CE':>10}{'ref eager':>11}{'ratio':>7}"
          f"{'ref compiled':>14}{'ratio':>7}")
    for c in configs:
        arch, L, N, B = c.split(':')
        key = (arch, int(L), int(N), int(B))
        o, e, a = ours(out, 'bench', c), ours(out, 'eager', c), ours(out, 'atence', c)
        re_, rc = ref.get(key + (False,), nan), ref.get(key + (True,), nan)
        print(f"{c:22}{o:10.0f}{e:12.0f}{a:10.0f}{re_:11.0f}{o / re_:7.2f}{rc:14.0f}{o / rc:7.2f}")

    for arch in ('grassmann', 'transformer'):
        path = out / f'profile-{arch}.log'
        if not path.exists():
            continue
        lines = path.read_text(errors='replace').splitlines()
        head = next((l for l in lines if 'per step' in l), f'{arch}: no profile')
        print(f'\nWhere the time goes: {head}')
        for r in json_lines(path)[:10]:
            print(f"{100 * r['share']:6.1f}%  {r['ms_per_step']:7.3f} ms  {r['calls_per_step']:5.0f}x  "
                  f"{r['name'][:80]}")

    summaries = sorted((out / 'sweep').glob('*.summary.json'))
    if summaries:
        log = (out / 'sweep.log').read_text(errors='replace') if (out / 'sweep.log').exists() else ''
        jobs = re.search(r'--jobs auto: (\d+) at a time[^\n]*', log)
        print('\nOne epoch of the reference sweep (BERT tokens, SPEC batch sizes)'
              + (f'; {jobs.group(0)}' if jobs else ''))
        print(f"{'run':44}{'status':>10}{'wall s':>9}{'tok/s':>10}{'valid ppl':>11}")
        for p in summaries:
            s = json.loads(p.read_text())
            print(f"{p.name[:-len('.summary.json')][:44]:44}{s.get('status', '?'):>10}"
                  f"{s.get('wall_s', nan):9.1f}{s.get('tokens_per_s', nan):10.0f}"
                  f"{s.get('best_valid_ppl', nan):11.1f}")
        total = seconds(log[log.find('speedrun done in'):]) if 'speedrun done in' in log else None
        if total is not None and len(summaries) == 8:
            print(f'sweep wall time, one epoch each: {total} s; projected for 20 epochs: '
                  f'{20 * total} s ({20 * total / 60:.1f} min; an upper bound: set-up and the test '
                  f'evaluation happen once per run, not once per epoch)')
        else:
            print(f'sweep incomplete ({len(summaries)} of 8 runs have a summary): no projection')


if __name__ == '__main__':
    main()
