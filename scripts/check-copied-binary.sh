#!/usr/bin/env bash
# Checks that `lens` copied alone out of its build folder works (the ORL faces and the web pages are
# compiled in): copies the binary to an empty temporary folder and runs `lens dataset info orl`,
# `lens demo --quick` and `lens serve` from there, fetching every page and every file of
# Sources/LensServer/Resources/web with curl. `serve` runs with the binary's build folder hidden
# behind an empty private mount (unshare), so no path into the build can be used.
# Use: scripts/check-copied-binary.sh [BINARY] (default .build/release/lens)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
binary=$(realpath "${1:-.build/release/lens}")
hidden=$(dirname "$binary")
# The copy runs from a folder outside the one that is hidden from it later.
for parent in "${TMPDIR:-/tmp}" /var/tmp "$repo"; do
    case "$parent/" in "$hidden"/*) continue ;; esac
    place=$(mktemp -d -p "$parent")
    break
done
server=
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$place"' EXIT
cp "$binary" "$place/lens"
cd "$place"
./lens dataset info orl | head -1
./lens demo --quick --out report >demo.log 2>&1 || { cat demo.log; exit 1; }
test -s report/index.html
echo "ok: a copy of $binary alone in $place read the embedded faces and wrote report/index.html"

unshare --mount --map-root-user sh -c 'mount -t tmpfs none "$1" && exec "$2" serve --port 0 --models-dir "$3"' \
    sh "$hidden" "$place/lens" "$place/models" >serve.log 2>&1 &
server=$!
for _ in $(seq 600); do
    port=$(grep -o 'http://127.0.0.1:[0-9]*' serve.log | head -1 | sed 's/.*://') || true
    [ -n "$port" ] && break
    kill -0 "$server" 2>/dev/null || { cat serve.log; exit 1; }
    sleep 0.1
done
[ -n "$port" ] || { echo "the copy did not start serving:"; cat serve.log; exit 1; }
fetched=$("$repo/scripts/fetch-every-page.sh" "$port")
kill -TERM "$server"
status=0; wait "$server" || status=$?
server=
[ "$status" = 143 ] || { echo "serve exited with $status after SIGTERM:"; cat serve.log; exit 1; }
echo "ok: the copy served $fetched pages and files with $hidden hidden, and stopped with 143 on SIGTERM"
