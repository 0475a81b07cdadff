import LensTensor

/// G1: C = A·B, float32, row-major; GFLOP/s = 2·M·N·K / s; 1 and 2 threads.
struct GemmWorkload: Workload {
    let group = "G1"
    /// (M, K, N) as WORKLOADS.md lists them.
    static let shapes = [(1024, 1024, 1024), (2048, 2048, 2048), (64, 4096, 300), (128, 784, 512), (128, 3136, 128)]

    static func name(m: Int, k: Int, n: Int) -> String { m == k && k == n ? "\(m)" : "\(m)x\(k)x\(n)" }

    func run(options: BenchOptions, peers: PeerFigures, report: (BenchRow) -> Void) {
        let effort = Effort(quick: options.quick)
        let savedThreads = Parallel.maximumThreads
        defer { Parallel.maximumThreads = savedThreads }
        for (m, k, n) in Self.shapes {
            let ids = [1, 2].map { "G1-\(Self.name(m: m, k: k, n: n))-t\($0)" }
            guard ids.contains(where: { options.selects(group: group, id: $0) }) else { continue }
            var rng = SeededGenerator(seed: 1)
            let a = (0..<(m * k)).map { _ in Float.random(in: -1...1, using: &rng) }
            let b = (0..<(k * n)).map { _ in Float.random(in: -1...1, using: &rng) }
            var c = [Float](repeating: 0, count: m * n)
            for (threads, id) in zip([1, 2], ids) where options.selects(group: group, id: id) {
                Parallel.maximumThreads = threads
                let seconds = c.withUnsafeMutableBufferPointer { pc in
                    Measure.medianSeconds(samples: effort.samples, warmups: effort.warmups, sampleSeconds: effort.sampleSeconds) {
                        MatrixMultiply.gemm(m: m, n: n, k: k, a: a, lda: k, b: b, ldb: n, c: pc.baseAddress!, ldc: n)
                    }
                }
                let gflops = 2.0 * Double(m) * Double(n) * Double(k) / seconds / 1e9
                report(BenchRow(id: id, unit: "GFLOP/s", ours: gflops, higherIsBetter: true,
                                peer: peers.figure(workload: "G1", peer: "numpy",
                                                   metric: PeerFigures.gemmMetric(m: m, k: k, n: n, threads: threads),
                                                   higherIsBetter: true)))
            }
        }
    }
}
