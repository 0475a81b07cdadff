"""BENCHMARKS.md's current tables from a side-by-side run's summary.md (summarize_rounds.py):
one table per workload group, each headed by the run's date, CPU and peers' versions, then the
targets of issue 19 with met / not met. Paste the output over the tables it replaces.

Usage: python3 scripts/benchmark_tables.py .build-bench/summary.md"""
import re
import sys

GROUPS = [
    ("G1: SGEMM, GFLOP/s against numpy/OpenBLAS", lambda i: i.startswith("G1-")),
    ("W1-W3: dense training against PyTorch", lambda i: re.match(r"W[123](-|$)", i)),
    ("W4, W5: CNN training and inference (inference against onnxruntime when it ran)", lambda i: re.match(r"W[45]-", i)),
    ("W6: 1-nearest-neighbour against faiss", lambda i: i == "W6"),
    ("W7: explanations against Captum / pytorch-grad-cam", lambda i: i.startswith("W7-")),
    ("W9: ResNet-18 and MobileNetV2 from ONNX, 224x224 RGB, against onnxruntime, pytorch-grad-cam and Captum", lambda i: i.startswith("W9-")),
    ("Scaling (no peer)", lambda i: i.startswith("scale-")),
]

# The scaling series: what each size counts, for the per-unit column.
SERIES = {
    "scale-w6": "references (10000 queries each)",
    "scale-k": "hidden units K (600 images, 10 epochs)",
    "scale-ig": "integration steps (one image)",
    "scale-gallery": "training images searched",
}


def parse(path):
    header, rows, columns = {}, {}, None
    with open(path) as handle:
        for line in handle:
            line = line.rstrip("\n")
            if line.startswith("- ") and ": " in line:
                key, value = line[2:].split(": ", 1)
                header[key] = value
            elif line.startswith("|") and not line.startswith("|---"):
                cells = [c.strip() for c in line.strip("|").split("|")]
                if columns is None:
                    columns = cells
                else:
                    rows[cells[0]] = dict(zip(columns, cells))
    return header, rows


def number(text):
    try:
        return float(text.rstrip("x"))
    except (ValueError, AttributeError):
        return None


def round_speedups(row):
    return [float(s) for s in row.get("speedup (rounds)", "-").split() if s != "-"]


def target_status(rows):
    """(target, what was measured, status) for each target of issue 19."""
    def speedup_target(label, ids, bar, every_round=False, peer=None):
        present = [rows[i] for i in ids if i in rows]
        if not present:
            return (label, "not measured", "not measured")
        parts, met = [], True
        for row in present:
            if peer and row.get("peer") != peer:
                parts.append(f"{row['id']}: peer {row.get('peer')}, not {peer}")
                met = False
                continue
            values = round_speedups(row) if every_round else [number(row.get("speedup (median)"))]
            values = [v for v in values if v is not None]
            if not values:
                parts.append(f"{row['id']}: no ratio")
                met = False
                continue
            worst = min(values)
            parts.append(f"{row['id']} {worst:.2f}x" + (" (worst round)" if every_round else ""))
            met = met and worst >= bar
        return (label, "; ".join(parts), "met" if met else "**not met**")

    def gemm_target(label, ids, bar):
        present = [rows[i] for i in ids if i in rows and number(rows[i].get("of_gemm")) is not None]
        if not present:
            return (label, "not measured", "not measured")
        shares = [(row["id"], number(row["of_gemm"])) for row in present]
        return (label, "; ".join(f"{i} {s:.2f}" for i, s in shares),
                "met" if all(s >= bar for _, s in shares) else "**not met**")

    g1 = [i for i in rows if i.startswith("G1-") and i.endswith("-t2")]
    # Rows without a peer (SmoothGrad, guided Grad-CAM: no Python peer times them) are not judged.
    w7 = [i for i in rows if i.startswith("W7-") and not i.endswith("-rss") and rows[i].get("peer", "-") != "-"]
    w9_infer = [i for i in rows if i.startswith("W9-") and ("-infer-" in i or "-latency-" in i)]
    w9_explain = [i for i in rows if i.startswith("W9-") and (i.endswith("-gradcam") or i.endswith("-ig50"))]

    def rss_target(label, row_id, limit_mib):
        row = rows.get(row_id)
        value = number(row.get("ours (median)", "").replace(",", "")) if row else None
        if value is None:
            return (label, "not measured", "not measured")
        return (label, f"{row_id} {value:.0f} MiB", "met" if value <= limit_mib else "**not met**")
    return [
        speedup_target("G1: ≥ 0.9x numpy on every shape, 2 threads", g1, 0.9),
        speedup_target("W1: ≥ 2x PyTorch", ["W1"], 2.0),
        speedup_target("W2: ≥ 2x PyTorch in every round", ["W2"], 2.0, every_round=True),
        speedup_target("W3: ≥ 1x PyTorch in every round", ["W3-train"], 1.0, every_round=True),
        gemm_target("W4/W5 training ≥ 0.8 of the GEMM ceiling", ["W4-train", "W5-train"], 0.8),
        speedup_target("W4/W5 inference ≥ 1x onnxruntime, batch 256 and batch 1",
                       ["W4-infer-bs256", "W5-infer-bs256", "W4-latency-bs1", "W5-latency-bs1"], 1.0, peer="onnxruntime"),
        speedup_target("W6: ≥ 1x faiss", ["W6"], 1.0),
        speedup_target("W7: ≥ 2x the Python peers", w7, 2.0),
        speedup_target("W9 inference ≥ 0.5x onnxruntime (issue 17; issue 19 asks 1x), batch 16 and batch 1",
                       w9_infer, 0.5, peer="onnxruntime"),
        speedup_target("W9 explanations (Grad-CAM, IG-50) ≥ 2x the Python peers", w9_explain, 2.0),
        rss_target("W9 IG-50 on ResNet-18 within 1 GiB peak RSS", "W9-resnet18-rss", 1024),
    ]


def scaling_size(row_id):
    """(series, size) of a scale row: scale-w6-15k -> ("scale-w6", 15000)."""
    series, _, size = row_id.rpartition("-")
    return series, int(size[:-1]) * 1000 if size.endswith("k") else int(size)


def print_scaling(rows, ids, stamp):
    """One table of every series: time, time per unit of size, and that against the largest size's
    (1.00 all the way down means the cost grows linearly)."""
    print("### How cost grows (no peer)")
    print()
    print(f"{stamp}.")
    print()
    print("| series | size | time | per unit | per unit / the largest size's |")
    print("|---|---|---|---|---|")
    by_series = {}
    for i in ids:
        series, size = scaling_size(i)
        by_series.setdefault(series, []).append((size, number(rows[i]["ours (median)"].replace(",", "")), rows[i]["unit"]))
    for series, points in by_series.items():
        points.sort()
        largest_per_unit = points[-1][1] / points[-1][0]
        for size, value, unit in points:
            per_unit = value / size
            print(f"| {series}: {SERIES.get(series, 'size')} | {size:,} | {value:.4g} {unit} | {per_unit:.3g} {unit} "
                  f"| {per_unit / largest_per_unit:.2f} |")
    print()


def main(path):
    header, rows = parse(path)
    stamp = (f"{header.get('date', 'date not recorded')}; {header.get('machine', 'CPU not recorded')}; "
             f"GEMM kernel {header.get('gemm kernel', 'not recorded')}; {header.get('rounds', '?')} rounds")
    print(f"Measured {stamp}. Peers: {header.get('peers', 'not recorded')}.")
    print()
    for title, wanted in GROUPS:
        ids = [i for i in rows if wanted(i)]
        if not ids:
            continue
        if title.startswith("Scaling"):
            print_scaling(rows, ids, stamp)
            continue
        has_gemm = any(rows[i].get("gflops", "-") != "-" for i in ids)
        print(f"### {title}")
        print()
        print(f"{stamp}.")
        print()
        extra = " gflops | of_gemm |" if has_gemm else ""
        print("| id | unit | ours (rounds) | peer (rounds) | peer | ours | peer figure | speedup (median) |" + extra)
        print("|---|---|---|---|---|---|---|---|" + ("---|---|" if has_gemm else ""))
        for i in ids:
            r = rows[i]
            cells = [i, r["unit"], r["ours (rounds)"], r["peer (rounds)"], r["peer"], r["ours (median)"], r["peer (median)"],
                     r.get("speedup (median)", "-")]
            if has_gemm:
                cells += [r.get("gflops", "-"), r.get("of_gemm", "-")]
            print("| " + " | ".join(cells) + " |")
        print()
    print("### Targets")
    print()
    print(f"{stamp}.")
    print()
    print("| target | measured (median over rounds unless marked) | status |")
    print("|---|---|---|")
    for target, measured, status in target_status(rows):
        print(f"| {target} | {measured} | {status} |")


if __name__ == "__main__":
    main(sys.argv[1])
