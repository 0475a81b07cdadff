import Foundation

/// Command line of lens-bench.
struct BenchOptions {
    var quick = false
    var json = false
    var peersFile: String?
    var only: Set<String>?
    /// `--gemm` shapes to probe instead of the workloads.
    var gemmShapes: [String] = []
    /// `--profile`: one row's work, untimed, `--repeat` times (for callgrind or perf).
    var profile: ProfileRun?
    /// `--layer-times`: per-layer CPU time of a W9 inference row, `--repeat` passes.
    var layerTimes: LayerTimeTable?
    /// `--threads`: Parallel.maximumThreads for the run (1 keeps callgrind's counts free of the pool's spin).
    var threads: Int?

    static let usage = """
        usage: lens-bench [--quick] [--json] [--peers FILE] [--only G1,W6,...]
               lens-bench [--quick] [--json] --gemm MxNxK[:TT],...
               lens-bench --profile ROW [--repeat N] [--threads T]
               lens-bench --layer-times ROW [--repeat N] [--threads T]
          --quick       fewer and shorter repetitions (a smoke run; figures are rougher)
          --json        one JSON object per line instead of a table
          --peers FILE  peer figures from a results.jsonl written by ../shared/bench/peers/run_all.sh,
                        measured on this machine (default: the reference figures in peers.json)
          --only LIST   workload groups or row ids to run, comma-separated (e.g. G1,W6 or G1-1024-t2);
                        scale (or scale-w6, scale-k, scale-ig, scale-gallery) runs the scaling series,
                        which a default run leaves out
          --gemm LIST   instead: GFLOP/s of products MxNxK[:TT] at 1 and 2 threads (e.g. 64x300x4096:NT)
          --profile ROW one of \(ProfileRun.rows.joined(separator: ", ")), run --repeat times
                        (default 1) without timing, for valgrind --tool=callgrind or perf record
          --layer-times ROW  one of \(LayerTimeTable.rows.joined(separator: ", ")): one thread's CPU time per
                        layer and each layer's multiply-adds, over --repeat passes (default 1) after a warm-up;
                        with --threads T above 1, beside each layer's wall time at T threads instead
          --threads T   at most T threads (callgrind: 1, so the worker pool's spin is not counted)
          W9 (ResNet-18 and MobileNetV2 from ONNX) runs only when --only names it, reading
          $W9_DIR/resnet18.onnx and mobilenet_v2.onnx (default ./w9-models), as w9_real_cnn.py exports them;
          W10 (PCA of 54000x784, t-SNE of 10000 points, as w10_embedding.py) only when --only names it,
          reading Fashion-MNIST from $FASHION_MNIST_DIR (default /usr/share/datasets/fashion-mnist)
        example: swift run -c release lens-bench --peers peers-results/results.jsonl
        """

    init(arguments: [String]) throws(BenchError) {
        var rest = arguments[...]
        while let argument = rest.popFirst() {
            switch argument {
            case "--quick": quick = true
            case "--json": json = true
            case "--peers":
                guard let file = rest.popFirst() else { throw .usage("--peers needs a file") }
                peersFile = file
            case "--only":
                guard let list = rest.popFirst() else { throw .usage("--only needs a list such as G1,W6") }
                only = Set(list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).uppercased() })
            case "--gemm":
                guard let list = rest.popFirst() else { throw .usage("--gemm needs shapes such as 64x300x4096:NT") }
                for shape in list.split(separator: ",").map(String.init) {
                    guard GemmProbe.Shape(shape) != nil else {
                        throw .usage("--gemm: '\(shape)' is not MxNxK or MxNxK:TT (positive sizes; T or N for each operand)")
                    }
                    gemmShapes.append(shape)
                }
            case "--profile":
                guard let row = rest.popFirst(), let run = ProfileRun(row: row, repetitions: profile?.repetitions ?? 1) else {
                    throw .usage("--profile needs one of \(ProfileRun.rows.joined(separator: ", "))")
                }
                profile = run
            case "--repeat":
                guard profile != nil || layerTimes != nil, let value = rest.popFirst(), let count = Int(value), count >= 0 else {
                    throw .usage("--repeat needs a count, after --profile ROW or --layer-times ROW")
                }
                if let profile { self.profile = ProfileRun(row: profile.row, repetitions: count) }
                if let layerTimes { self.layerTimes = LayerTimeTable(row: layerTimes.row, repetitions: max(count, 1)) }
            case "--layer-times":
                guard let row = rest.popFirst(), let table = LayerTimeTable(row: row, repetitions: layerTimes?.repetitions ?? 1) else {
                    throw .usage("--layer-times needs one of \(LayerTimeTable.rows.joined(separator: ", "))")
                }
                layerTimes = table
            case "--threads":
                guard let value = rest.popFirst(), let count = Int(value), count >= 1 else { throw .usage("--threads needs a count of at least 1") }
                threads = count
            case "--help", "-h": throw .help
            default: throw .usage("unknown argument '\(argument)'")
            }
        }
    }

    /// Whether a row runs: its group (G1) or its own id (G1-1024-t2) was asked for, or nothing was.
    func selects(group: String, id: String? = nil) -> Bool {
        guard let only else { return true }
        if only.contains(group.uppercased()) { return true }
        if let id { return only.contains(id.uppercased()) }
        return only.contains { $0.hasPrefix(group.uppercased() + "-") }
    }
}
