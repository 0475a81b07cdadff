#!/usr/bin/env bash
# Fetches every page of `lens serve` on 127.0.0.1:PORT (the list in PageRoutes.pages, read from its
# source so that a new page is fetched too), the stylesheet, and every file of
# Sources/LensServer/Resources/web under /static/ (compared byte for byte), with curl.
# Prints how many were fetched; fails at the first page missing or file different.
# Use: scripts/fetch-every-page.sh PORT   (scripts/check-copied-binary.sh and check-minimal-root.sh)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
port=$1
pages=$(grep -oE '\("/[a-z]*", "[A-Za-z]+", "[a-z]+\.js"\)' "$repo/Sources/LensServer/PageRoutes.swift" | cut -d'"' -f2)
[ -n "$pages" ] || { echo "FAIL: no pages found in Sources/LensServer/PageRoutes.swift" >&2; exit 1; }
fetched=0
copy=$(mktemp)
trap 'rm -f "$copy"' EXIT
# Each answer is read whole before it is checked: `curl | grep -q` fails under pipefail when grep
# stops reading early.
for page in $pages; do
    body=$(curl -fsS "http://127.0.0.1:$port$page") && [[ $body == *'<script src="/static/'* ]] \
        || { echo "FAIL: page $page not served" >&2; exit 1; }
    fetched=$((fetched + 1))
done
body=$(curl -fsS "http://127.0.0.1:$port/static/style.css") && [ -n "$body" ] || { echo "FAIL: /static/style.css not served" >&2; exit 1; }
fetched=$((fetched + 1))
for file in "$repo"/Sources/LensServer/Resources/web/*; do
    name=$(basename "$file")
    curl -fsS -o "$copy" "http://127.0.0.1:$port/static/$name" && cmp -s "$copy" "$file" \
        || { echo "FAIL: /static/$name differs from $file" >&2; exit 1; }
    fetched=$((fetched + 1))
done
echo "$fetched"
