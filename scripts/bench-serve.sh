#!/usr/bin/env bash
# Load benchmark of `lens serve` (not a test): wrk from Debian, 8 connections on 2 threads, first
# predict requests of a 64x64 ORL face for SECONDS, then explain requests (every method) for as
# long. Prints requests, requests/s, p50/p99 latency and errors of each; the script fails on any
# error or on fewer than PREDICTS predict or EXPLAINS explain requests.
#   scripts/bench-serve.sh                      # release build, the demo's CNN
#   MODEL=orl-mlp PREDICTS=4000 scripts/bench-serve.sh
set -euo pipefail
cd "$(dirname "$0")/.."
LENS=${LENS:-.build/release/lens}
MODELS=${MODELS:-lens-models}
MODEL=${MODEL:-orl-cnn}
PREDICTS=${PREDICTS:-2000}
EXPLAINS=${EXPLAINS:-200}
SECONDS_EACH=${SECONDS_EACH:-20}
work=$(mktemp -d)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$LENS" serve --port "$port" --models-dir "$MODELS" 2>"$work/server.log" &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$work"' EXIT
base="http://127.0.0.1:$port"

# Wait for the model (the demo's models train on a first start), then take a 64x64 test face.
ready() {
  curl -sf "$base/api/models" 2>/dev/null | python3 -c "import json, sys; m = [x for x in json.load(sys.stdin)['models'] if x['id'] == '$MODEL']; sys.exit(0 if m and m[0]['evaluation'] == 'ready' else 1)" 2>/dev/null
}
for _ in $(seq 600); do ready && break; sleep 0.5; done
ready || { echo "model $MODEL not ready after 5 minutes"; cat "$work/server.log"; exit 1; }
curl -sf "$base/api/samples?model=$MODEL" | python3 -c "
import base64, json, sys
uri = json.load(sys.stdin)[0]['image']
open('$work/face.png', 'wb').write(base64.b64decode(uri.split(',', 1)[1]))"

cat > "$work/post.lua" <<'LUA'
-- POSTs the face as the raw body.
wrk.method = "POST"
wrk.body = io.open(os.getenv("FACE"), "rb"):read("a")
wrk.headers["Content-Type"] = "image/png"
function done(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout
  io.write(string.format("RESULT requests=%d seconds=%.2f rps=%.1f p50_ms=%.2f p99_ms=%.2f errors=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, errors))
end
LUA

status=0
for route in predict explain; do
  least=$PREDICTS; [ "$route" = explain ] && least=$EXPLAINS
  result=$(FACE="$work/face.png" wrk -t2 -c8 -d"${SECONDS_EACH}s" --timeout 30s -s "$work/post.lua" "$base/api/$route?model=$MODEL" | grep '^RESULT')
  echo "$route ($MODEL): ${result#RESULT }"
  case "$result" in *" errors=0"*) ;; *) echo "$route: errors"; status=1 ;; esac
  count=$(echo "$result" | sed 's/.*requests=\([0-9]*\).*/\1/')
  if [ "$count" -lt "$least" ]; then echo "$route: only $count requests, fewer than $least"; status=1; fi
done
exit $status
