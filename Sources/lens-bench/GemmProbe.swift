import LensTensor

/// `--gemm MxNxK[:TT]`: GFLOP/s of one product shape at 1 and 2 threads (T = transposed operand,
/// N = not; e.g. 64x300x4096:NT is a dense layer's x·Wᵀ). For tuning the layers' products; the
/// rows are not WORKLOADS.md rows and have no peer.
struct GemmProbe: Workload {
    let group = "PROBE"
    let shapes: [String]

    /// A parsed `MxNxK[:TT]`.
    struct Shape {
        let m: Int, n: Int, k: Int
        let transposeA: Bool, transposeB: Bool

        init?(_ text: String) {
            let parts = text.uppercased().split(separator: ":", omittingEmptySubsequences: false)
            let sizes = parts[0].split(separator: "X", omittingEmptySubsequences: false).map { Int($0) }
            let flags = parts.count > 1 ? Array(parts[1]) : ["N", "N"]
            guard parts.count <= 2, sizes.count == 3, let m = sizes[0], let n = sizes[1], let k = sizes[2],
                  [m, n, k].allSatisfy({ $0 > 0 && $0 <= 1 << 16 }), m * n <= 1 << 28, m * k <= 1 << 28, k * n <= 1 << 28,
                  flags.count == 2, flags.allSatisfy({ $0 == "N" || $0 == "T" }) else { return nil }
            (self.m, self.n, self.k) = (m, n, k)
            (transposeA, transposeB) = (flags[0] == "T", flags[1] == "T")
        }
    }

    func run(options: BenchOptions, peers: PeerFigures, report: (BenchRow) -> Void) {
        let effort = Effort(quick: options.quick)
        let savedThreads = Parallel.maximumThreads
        defer { Parallel.maximumThreads = savedThreads }
        for text in shapes {
            guard let shape = Shape(text) else { continue }   // BenchOptions refused it already
            let (m, n, k, ta, tb) = (shape.m, shape.n, shape.k, shape.transposeA, shape.transposeB)
            var rng = SeededGenerator(seed: 1)
            let a = (0..<(m * k)).map { _ in Float.random(in: -1...1, using: &rng) }
            let b = (0..<(k * n)).map { _ in Float.random(in: -1...1, using: &rng) }
            var c = [Float](repeating: 0, count: m * n)
            for threads in [1, 2] {
                Parallel.maximumThreads = threads
                let seconds = c.withUnsafeMutableBufferPointer { pc in
                    Measure.medianSeconds(samples: effort.samples, warmups: effort.warmups, sampleSeconds: effort.sampleSeconds) {
                        MatrixMultiply.gemm(transposeA: ta, transposeB: tb, m: m, n: n, k: k, a: a, lda: ta ? m : k,
                                            b: b, ldb: tb ? k : n, c: pc.baseAddress!, ldc: n)
                    }
                }
                report(BenchRow(id: "gemm-\(m)x\(n)x\(k):\(ta ? "T" : "N")\(tb ? "T" : "N")-t\(threads)", unit: "GFLOP/s",
                                ours: 2.0 * Double(m) * Double(n) * Double(k) / seconds / 1e9, higherIsBetter: true,
                                peer: nil, note: String(format: "%.1f µs", seconds * 1e6)))
            }
        }
    }
}
