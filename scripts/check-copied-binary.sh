#!/usr/bin/env bash
# Checks that `lens` copied alone out of its build folder works (the ORL faces are compiled in):
# copies the binary to an empty temporary folder and runs `lens dataset info orl` and
# `lens demo --quick` from there. Use: scripts/check-copied-binary.sh [BINARY] (default .build/release/lens)
set -euo pipefail
binary=$(realpath "${1:-.build/release/lens}")
place=$(mktemp -d)
trap 'rm -rf "$place"' EXIT
cp "$binary" "$place/lens"
cd "$place"
./lens dataset info orl | head -1
./lens demo --quick --out report >demo.log 2>&1 || { cat demo.log; exit 1; }
test -s report/index.html
echo "ok: a copy of $binary alone in $place read the embedded faces and wrote report/index.html"
