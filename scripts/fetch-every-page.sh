#!/usr/bin/env bash
# Fetches every page of `lens serve` on 127.0.0.1:PORT and every file of
# Sources/LensServer/Resources/web under /static/ (compared byte for byte), with curl.
# Prints how many were fetched; fails at the first page missing or file different.
# Use: scripts/fetch-every-page.sh PORT   (scripts/check-copied-binary.sh and check-minimal-root.sh)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
port=$1
fetched=0
for page in / /templates /units /explain /train; do
    curl -fsS "http://127.0.0.1:$port$page" | grep -q '<script src="/static/' || { echo "FAIL: page $page not served" >&2; exit 1; }
    fetched=$((fetched + 1))
done
for file in "$repo"/Sources/LensServer/Resources/web/*; do
    name=$(basename "$file")
    curl -fsS "http://127.0.0.1:$port/static/$name" | cmp -s - "$file" || { echo "FAIL: /static/$name differs from $file" >&2; exit 1; }
    fetched=$((fetched + 1))
done
echo "$fetched"
