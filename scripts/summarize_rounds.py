"""Summarises lens-bench --json files of several side-by-side rounds (see bench-side-by-side.sh):
a header (date, machine, GEMM kernel, rounds, the peers' versions), then per row id each round's
figures, the median of ours, of the peer and of the speedup, every round's speedup, and for
W4/W5 rows the median GFLOP/s and share of the GEMM ceiling (`of_gemm`).
scripts/benchmark_tables.py turns this summary.md into BENCHMARKS.md's tables.

Usage: python3 summarize_rounds.py [--versions FILE] [--date TEXT] ROUND.jsonl..."""
import datetime
import json
import statistics
import sys


def read_rounds(paths):
    rows, order, info = {}, [], []
    for path in paths:
        with open(path) as handle:
            for line in handle:
                line = line.strip()
                if not line.startswith("{"):
                    continue
                row = json.loads(line)
                if "info" in row and not info:
                    info = row["info"] if isinstance(row["info"], list) else [row["info"]]
                if "id" not in row:
                    continue
                if row["id"] not in rows:
                    order.append(row["id"])
                rows.setdefault(row["id"], []).append(row)
    return rows, order, info


def peers_line(versions_path):
    """The peers' versions from versions.py's output: one line, the BLAS pools left out."""
    if not versions_path:
        return "not recorded"
    try:
        with open(versions_path) as handle:
            lines = [l.strip() for l in handle if l.strip() and not l.startswith("  pool:")]
    except OSError:
        return "not recorded"
    return "; ".join(lines) or "not recorded"


def main(arguments):
    versions, date = None, datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    paths = []
    rest = iter(arguments)
    for argument in rest:
        if argument == "--versions":
            versions = next(rest)
        elif argument == "--date":
            date = next(rest)
        else:
            paths.append(argument)
    rows, order, info = read_rounds(paths)
    machine = next((l.split(": ", 1)[1] for l in info if l.startswith("machine: ")), "not recorded")
    kernel = next((l.split(": ", 1)[1] for l in info if l.startswith("gemm kernel: ")), "not recorded")
    print(f"- date: {date}")
    print(f"- machine: {machine}")
    print(f"- gemm kernel: {kernel}")
    print(f"- rounds: {len(paths)}")
    print(f"- peers: {peers_line(versions)}")
    print()
    print("| id | unit | ours (rounds) | peer (rounds) | peer | ours (median) | peer (median) | speedup (median) | speedup (rounds) | gflops | of_gemm |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    one = lambda x: f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.4g}"
    fmt = lambda xs: " ".join(one(x) for x in xs) or "-"
    median = lambda xs, spec=None: (format(statistics.median(xs), spec) if spec else one(statistics.median(xs))) if xs else "-"
    for key in order:
        runs = rows[key]
        ours = [r["ours"] for r in runs]
        peers = [r["peer"] for r in runs if r.get("peer") is not None]
        speedups = [r["speedup"] for r in runs if r.get("speedup") is not None]
        name = next((r["peer_name"] for r in runs if r.get("peer_name")), "-")
        gflops = [r["gflops"] for r in runs if r.get("gflops") is not None]
        of_gemm = [r["of_gemm"] for r in runs if r.get("of_gemm") is not None]
        speedup = f"{statistics.median(speedups):.2f}x" if speedups else "-"
        rounds = " ".join(f"{s:.2f}" for s in speedups) or "-"
        print(f"| {key} | {runs[0]['unit']} | {fmt(ours)} | {fmt(peers)} | {name} | {median(ours)} | {median(peers)} "
              f"| {speedup} | {rounds} | {median(gflops, '.1f')} | {median(of_gemm, '.2f')} |")


if __name__ == "__main__":
    main(sys.argv[1:])
