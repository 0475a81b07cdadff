import Testing
@testable import LensTensor

/// Brute force in Double: every distance, sorted by (distance, index).
private func bruteForce(_ queries: Tensor, _ references: Tensor, k: Int, metric: DistanceMetric)
    -> (indices: [[Int]], distances: [[Double]]) {
    let d = queries.shape[1]
    func row(_ t: Tensor, _ i: Int) -> [Double] { (0..<d).map { Double(t.scalars[i * d + $0]) } }
    var allIndices = [[Int]](), allDistances = [[Double]]()
    for q in 0..<queries.shape[0] {
        let a = row(queries, q)
        var scored = [(distance: Double, index: Int)]()
        for r in 0..<references.shape[0] {
            let b = row(references, r)
            var dot = 0.0, squared = 0.0, na = 0.0, nb = 0.0
            for j in 0..<d {
                dot += a[j] * b[j]
                squared += (a[j] - b[j]) * (a[j] - b[j])
                na += a[j] * a[j]
                nb += b[j] * b[j]
            }
            let distance: Double
            switch metric {
            case .euclidean: distance = squared.squareRoot()
            case .dot: distance = -dot
            case .cosine: distance = na == 0 || nb == 0 ? 1 : 1 - dot / (na.squareRoot() * nb.squareRoot())
            }
            scored.append((distance, r))
        }
        scored.sort { $0.distance != $1.distance ? $0.distance < $1.distance : $0.index < $1.index }
        let best = scored.prefix(k)
        allIndices.append(best.map { $0.index })
        allDistances.append(best.map { $0.distance })
    }
    return (allIndices, allDistances)
}

/// Small integers: every dot product and squared distance is exact in Float, and ties are common.
private func integerMatrix(rows: Int, columns: Int, seed: UInt64) -> Tensor {
    var rng = SeededGenerator(seed: seed)
    return Tensor(shape: [rows, columns], scalars: (0..<(rows * columns)).map { _ in Float(Int.random(in: -2...2, using: &rng)) })
}

@Test(arguments: [DistanceMetric.euclidean, .dot], [1, 3, 8])
func exactDataMatchesBruteForceIncludingTies(metric: DistanceMetric, k: Int) {
    let queries = integerMatrix(rows: 29, columns: 5, seed: 1)
    let references = integerMatrix(rows: 101, columns: 5, seed: 2)
    let expected = bruteForce(queries, references, k: k, metric: metric)
    // Tiny blocks cross many block boundaries; the default blocks take one pass.
    for (queryBlock, referenceBlock) in [(4, 7), (29, 101), (1024, 2048)] {
        let found = BlockedNearestNeighbors.search(queries: queries, references: references, k: k, metric: metric,
                                                   queryBlock: queryBlock, referenceBlock: referenceBlock)
        #expect(found.indices == expected.indices, "\(metric) k=\(k) blocks \(queryBlock)x\(referenceBlock)")
        for (got, want) in zip(found.distances.joined(), expected.distances.joined()) {
            #expect(abs(Double(got) - want) <= 1e-5 * max(1, abs(want)))
        }
    }
}

@Test func tiesGoToTheLowerReferenceIndex() {
    // References 1, 3 and 4 are the same vector; the query equals it.
    let references = Tensor(shape: [5, 2], scalars: [9, 9, 1, 2, 5, 5, 1, 2, 1, 2])
    let query = Tensor(shape: [1, 2], scalars: [1, 2])
    for metric in DistanceMetric.allCases {
        let found = BlockedNearestNeighbors.search(queries: query, references: references, k: 3, metric: metric,
                                                   queryBlock: 1, referenceBlock: 2)
        if metric == .dot {
            #expect(found.indices == [[0, 2, 1]])   // −a·b: 27, 15, 5 = 5 = 5
        } else {
            #expect(found.indices == [[1, 3, 4]], "\(metric)")
            #expect(found.distances[0].allSatisfy { abs($0) < 1e-6 }, "\(metric)")
        }
    }
}

@Test func cosineMatchesBruteForceAndHandlesZeroVectors() {
    var rng = SeededGenerator(seed: 5)
    var referenceScalars = (0..<(60 * 7)).map { _ in Float.random(in: -1...1, using: &rng) }
    for j in 0..<7 { referenceScalars[10 * 7 + j] = 0 }   // reference 10 is the zero vector
    let references = Tensor(shape: [60, 7], scalars: referenceScalars)
    var queryScalars = (0..<(9 * 7)).map { _ in Float.random(in: -1...1, using: &rng) }
    for j in 0..<7 { queryScalars[j] = 0 }                 // query 0 is the zero vector
    let queries = Tensor(shape: [9, 7], scalars: queryScalars)
    let expected = bruteForce(queries, references, k: 4, metric: .cosine)
    let found = BlockedNearestNeighbors.search(queries: queries, references: references, k: 4, metric: .cosine,
                                               queryBlock: 2, referenceBlock: 16)
    // A zero query is at distance 1 from everything: the first four references.
    #expect(found.indices[0] == [0, 1, 2, 3])
    #expect(found.distances[0] == [1, 1, 1, 1])
    for q in 1..<9 {
        #expect(found.indices[q] == expected.indices[q], "query \(q)")
        for (got, want) in zip(found.distances[q], expected.distances[q]) { #expect(abs(Double(got) - want) < 1e-5) }
    }
}

@Test func kLargerThanReferenceCountReturnsEveryReference() {
    let references = Tensor(shape: [3, 1], scalars: [5, -1, 2])
    let found = BlockedNearestNeighbors.search(queries: Tensor(shape: [2, 1], scalars: [0, 4]), references: references,
                                               k: 10, metric: .euclidean)
    #expect(found.indices == [[1, 2, 0], [0, 2, 1]])
    #expect(found.distances == [[1, 2, 5], [1, 2, 5]])
}

@Test func largeSearchSplitOverThreadsMatchesBruteForce() {
    // 2·100·1000·64 flops: enough work that two threads each take half the queries (default blocks).
    let queries = integerMatrix(rows: 100, columns: 64, seed: 11)
    let references = integerMatrix(rows: 1000, columns: 64, seed: 12)
    let expected = bruteForce(queries, references, k: 2, metric: .euclidean)
    let found = BlockedNearestNeighbors.search(queries: queries, references: references, k: 2, metric: .euclidean)
    #expect(found.indices == expected.indices)
}
