import LensTensor

/// W6: 1-nearest-neighbour, Euclidean, 10000 queries against 60000 references of 784 dimensions.
struct NearestNeighborWorkload: Workload {
    let group = "W6"

    func run(options: BenchOptions, peers: PeerFigures, report: (BenchRow) -> Void) {
        guard options.selects(group: group, id: "W6") else { return }
        var rng = SeededGenerator(seed: 6)
        let dimensions = 784
        let references = Tensor(shape: [60000, dimensions], scalars: (0..<(60000 * dimensions)).map { _ in Float.random(in: 0..<1, using: &rng) })
        let queries = Tensor(shape: [10000, dimensions], scalars: (0..<(10000 * dimensions)).map { _ in Float.random(in: 0..<1, using: &rng) })
        // Like the peers: warm up on 1000 queries, then time whole searches.
        _ = BlockedNearestNeighbors.search(queries: queries.slice(0..<1000), references: references, k: 1, metric: .euclidean)
        let samples = options.quick ? 1 : 5
        let seconds = Measure.median((0..<samples).map { _ in
            Measure.time { _ = BlockedNearestNeighbors.search(queries: queries, references: references, k: 1, metric: .euclidean) }
        })
        report(BenchRow(id: "W6", unit: "s", ours: seconds, higherIsBetter: false,
                        peer: peers.figure(workload: "W6", peer: "faiss", metric: PeerFigures.nearestNeighborMetrics["faiss"]!, higherIsBetter: false),
                        note: options.quick ? "1 sample (--quick)" : "median of \(samples)"))
    }
}
