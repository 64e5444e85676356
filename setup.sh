#!/usr/bin/env bash
# Grassmann Workbench set-up for Debian 12: installs the missing Debian packages, makes OpenBLAS
# (OpenMP) the active BLAS, configures and builds, then starts the workbench (`run`, default),
# runs every test (`test`), or stops after building (`build`). Idempotent: quick when nothing is
# missing. Extra arguments after `test` go to ctest (e.g. `./setup.sh test -L engine`).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

mode="${1:-run}"
shift || true
case "$mode" in run|test|build) ;; *) echo "usage: $0 [run|test|build] [ctest args...]" >&2; exit 2 ;; esac

packages=(
  build-essential cmake ninja-build pkg-config git
  qt6-base-dev libqcustomplot-dev libqcustomplot2.1-qt6
  libtorch-dev libopenblas0-openmp
  nlohmann-json3-dev zlib1g-dev libcli11-dev libpcre2-dev libutf8proc-dev libssl-dev
  libcurl4-openssl-dev libarchive-dev
  # SLURM client tools for --backend slurm, and a single-node cluster for its tests (ctest fixture
  # tests/cluster/slurm_cluster.sh; their services are never started by the packages here)
  slurm-client slurmctld slurmd munge
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >&2
fi

# LibTorch calls whatever libblas.so.3 the alternatives system points at; the reference BLAS is
# about 10x slower than OpenBLAS, so make OpenBLAS (OpenMP) the active one.
multiarch="$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -print-multiarch)"
for lib in libblas.so.3 liblapack.so.3; do
  want="/usr/lib/$multiarch/openblas-openmp/$lib"
  name="$lib-$multiarch"
  current="$(update-alternatives --query "$name" 2>/dev/null | sed -n 's/^Value: //p')"
  if [ -e "$want" ] && [ "$current" != "$want" ]; then
    echo "setup: making $want the active $lib" >&2
    "${sudo_cmd[@]}" update-alternatives --set "$name" "$want" >&2
  fi
done

build_dir="${GWB_BUILD_DIR:-build}"
if [ ! -f "$build_dir/CMakeCache.txt" ]; then
  werror=OFF
  [ "${CI:-}" = "true" ] && werror=ON
  cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGWB_WERROR="$werror" >&2
fi
cmake --build "$build_dir" -j "$(nproc)" >&2

case "$mode" in
  run) exec "$build_dir/bin/grassmann-workbench" "$@" ;;
  test) cd "$build_dir" && QT_QPA_PLATFORM=offscreen exec ctest --output-on-failure -j "$(nproc)" "$@" ;;
  build) ;;
esac
