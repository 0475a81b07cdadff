import LensTensor

/// Not a WORKLOADS.md row: measures where a second thread starts to pay off in a matrix multiply,
/// to set `MatrixMultiply.minimumFlopsPerThread`. Run with `--only scan`.
struct ThreadThresholdScan: Workload {
    let group = "SCAN"

    func run(options: BenchOptions, peers: PeerFigures, report: (BenchRow) -> Void) {
        guard options.only?.contains(group) == true else { return }
        let effort = Effort(quick: options.quick)
        for size in [24, 32, 48, 64, 96, 128, 160, 192, 256] {
            let (m, n, k) = (size, size, size)
            var rng = SeededGenerator(seed: 3)
            let a = (0..<(m * k)).map { _ in Float.random(in: -1...1, using: &rng) }
            let b = (0..<(k * n)).map { _ in Float.random(in: -1...1, using: &rng) }
            var c = [Float](repeating: 0, count: m * n)
            let half = n / 2
            let (one, two) = c.withUnsafeMutableBufferPointer { pc -> (Double, Double) in
                let cBase = pc.baseAddress!
                let one = Measure.medianSeconds(samples: effort.samples, warmups: effort.warmups, sampleSeconds: effort.sampleSeconds) {
                    MatrixMultiply.gemm(m: m, n: n, k: k, a: a, lda: k, b: b, ldb: n, c: cBase, ldc: n, maxThreads: 1)
                }
                let two = a.withUnsafeBufferPointer { pa in
                    b.withUnsafeBufferPointer { pb in
                        Measure.medianSeconds(samples: effort.samples, warmups: effort.warmups, sampleSeconds: effort.sampleSeconds) {
                            Parallel.run(parts: 2) { part in
                                let first = part == 0 ? 0 : half, count = part == 0 ? half : n - half
                                MatrixMultiply.gemm(m: m, n: count, k: k, a: pa.baseAddress!, lda: k, b: pb.baseAddress! + first, ldb: n,
                                                    c: cBase + first, ldc: n, maxThreads: 1)
                            }
                        }
                    }
                }
                return (one, two)
            }
            let flops = 2.0 * Double(m * n * k)
            report(BenchRow(id: "scan-\(size)", unit: "µs", ours: two * 1e6, higherIsBetter: false,
                            peer: PeerFigure(value: one * 1e6, name: "1 thread", measuredHere: true),
                            note: String(format: "%.2g flop; 2 threads vs 1", flops)))
        }
    }
}
