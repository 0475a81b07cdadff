#!/usr/bin/env bash
# Measures NeuralLens and its peers side by side on this machine: ROUNDS rounds, each the peers'
# run_all.sh (../shared/bench/peers) and then lens-bench compared with that round's peer figures.
# The VM's speed drifts from minute to minute, so only ratios from the same round mean anything;
# the summary gives, per row, the median over rounds of each side and of the ratio.
#
# Usage: bash scripts/bench-side-by-side.sh VENV [ROUNDS] [WORKLOADS]
#   VENV    the peers' Python environment (bash ../shared/bench/peers/setup.sh VENV builds it)
#   ROUNDS  default 3;  WORKLOADS  default "G1 W1 W2 W3 W4 W5 W6"
# Output: .build-bench/round*/ (results.jsonl from the peers, ours.jsonl), versions.txt and
# summary.md, which scripts/benchmark_tables.py turns into BENCHMARKS.md's tables.
set -euo pipefail
VENV="${1:?usage: bench-side-by-side.sh VENV [ROUNDS] [WORKLOADS]}"
ROUNDS="${2:-3}"
WORKLOADS="${3:-G1 W1 W2 W3 W4 W5 W6}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PEERS="${PEERS_DIR:-$ROOT/../shared/bench/peers}"
OUT="${OUT:-$ROOT/.build-bench}"
[ -f "$PEERS/run_all.sh" ] || { echo "no peers' scripts at $PEERS (set PEERS_DIR)" >&2; exit 2; }
mkdir -p "$OUT"
cd "$ROOT"
# The peers' versions and the date, for the header of every table made from this run.
"$VENV/bin/python" "$PEERS/versions.py" > "$OUT/versions.txt" 2>/dev/null || echo "not recorded" > "$OUT/versions.txt"
STARTED="$(date -u '+%Y-%m-%d %H:%M UTC')"
swift build -c release --product lens-bench >/dev/null
for round in $(seq 1 "$ROUNDS"); do
  echo "round $round/$ROUNDS: peers ($WORKLOADS)" >&2
  PEERS_OUT="$OUT/round$round" PEERS_ONLY="$WORKLOADS" bash "$PEERS/run_all.sh" "$VENV" > "$OUT/round$round.peers.log" 2>&1
  if [[ " $WORKLOADS " == *" G1 "* ]]; then
    # numpy again with OpenBLAS's AVX-512 kernel forced: some machines' environment pins an older
    # one (OPENBLAS_CORETYPE=Haswell here); lens-bench takes the better of the two as the bar.
    (cd "$PEERS" && OPENBLAS_CORETYPE=SkylakeX PEER_THREADS=2 "$VENV/bin/python" g1_gemm.py skylakex numpy \
      2>/dev/null | grep '"workload"' >> "$OUT/round$round/results.jsonl")
  fi
  echo "round $round/$ROUNDS: lens-bench" >&2
  .build/release/lens-bench --json --only "${WORKLOADS// /,}" --peers "$OUT/round$round/results.jsonl" > "$OUT/round$round/ours.jsonl"
done
python3 "$ROOT/scripts/summarize_rounds.py" --versions "$OUT/versions.txt" --date "$STARTED" \
  "$OUT"/round*/ours.jsonl | tee "$OUT/summary.md"
# BENCHMARKS.md's tables from it: python3 scripts/benchmark_tables.py "$OUT/summary.md"
