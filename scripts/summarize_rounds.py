"""Summarises lens-bench --json files of several side-by-side rounds (see bench-side-by-side.sh):
per row id, each round's figures, then the median of ours, of the peer and of the speedup."""
import json
import statistics
import sys


def main(paths):
    rows = {}
    order = []
    for path in paths:
        with open(path) as handle:
            for line in handle:
                row = json.loads(line)
                if "id" not in row:
                    continue
                if row["id"] not in rows:
                    order.append(row["id"])
                rows.setdefault(row["id"], []).append(row)
    print("| id | unit | ours (rounds) | peer (rounds) | peer | ours | peer | speedup (median) |")
    print("|---|---|---|---|---|---|---|---|")
    for key in order:
        runs = rows[key]
        ours = [r["ours"] for r in runs]
        peers = [r["peer"] for r in runs if r.get("peer") is not None]
        speedups = [r["speedup"] for r in runs if r.get("speedup") is not None]
        name = next((r["peer_name"] for r in runs if r.get("peer_name")), "-")
        fmt = lambda xs: " ".join(f"{x:.4g}" for x in xs) or "-"
        median = lambda xs: f"{statistics.median(xs):.4g}" if xs else "-"
        speedup = f"{statistics.median(speedups):.2f}x" if speedups else "-"
        print(f"| {key} | {runs[0]['unit']} | {fmt(ours)} | {fmt(peers)} | {name} | {median(ours)} | {median(peers)} | {speedup} |")


if __name__ == "__main__":
    main(sys.argv[1:])
