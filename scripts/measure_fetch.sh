#!/usr/bin/env bash
# Times `gwb data fetch` of a large file over the loopback address whose first transfer is dropped
# halfway (the data manager's closing evidence): serves it with the tests' server
# (gwb-test-http-server), points GWB_DATA_CATALOG at it, fetches into a scratch GWB_DATA_HOME with
# the default retry pause (1 s), and prints the server's log and the wall time.
# Usage: scripts/measure_fetch.sh [BUILD_DIR] [MEGABYTES]   (defaults: build, 100)
set -euo pipefail
build="${1:-build}"
mb="${2:-100}"
work="$(mktemp -d)"
server_pid=""
trap '[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; rm -rf "$work"' EXIT
mkdir -p "$work/serve"
head -c $((mb * 1000000)) /dev/urandom > "$work/serve/big.bin"
bytes=$(stat -c %s "$work/serve/big.bin")
sha=$(sha256sum "$work/serve/big.bin" | cut -d' ' -f1)
"$build/bin/gwb-test-http-server" "$work/serve" --drop "/big.bin=$((bytes / 2))" > "$work/server.out" &
server_pid=$!
until [ -s "$work/server.out" ]; do sleep 0.05; done
base="$(head -1 "$work/server.out")"
printf '{"items":[{"name":"big","files":[{"urls":["%s/big.bin"],"bytes":%s,"sha256":"%s","to":"big.bin"}]}]}\n' \
  "$base" "$bytes" "$sha" > "$work/catalog.json"
export GWB_DATA_CATALOG="$work/catalog.json" GWB_DATA_HOME="$work/home"
start=$(date +%s.%N)
"$build/bin/gwb" data fetch big > "$work/manifest.json"
end=$(date +%s.%N)
kill -INT "$server_pid"
wait "$server_pid" || true
server_pid=""
tail -n +2 "$work/server.out"
cmp "$work/serve/big.bin" "$work/home/big/big.bin"
echo "fetched and installed $bytes bytes (dropped once at $((bytes / 2))) in $(echo "$end - $start" | bc) s"
