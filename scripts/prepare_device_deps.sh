#!/usr/bin/env bash
# Prepares .deps/ (git-ignored) with what the GPU machine lacks (DEVICE.md): the headers and
# libraries of PCRE2, utf8proc and OpenSSL's libcrypto, as Debian 12 packages unpacked with
# dpkg -x. Carry .deps with the working tree; bench/device.sh points CMake at .deps/usr.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
packages=(libpcre2-dev libpcre2-8-0 libutf8proc-dev libutf8proc2 libssl-dev libssl3)
mkdir -p .deps/debs
cd .deps/debs
apt-get download "${packages[@]}" >&2
cd ..
for deb in debs/*.deb; do dpkg -x "$deb" .; done
echo "prepared $(pwd): $(ls debs | tr '\n' ' ')" >&2
