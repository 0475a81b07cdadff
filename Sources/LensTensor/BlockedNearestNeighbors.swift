/// k-nearest-neighbour search by blocks: each block of queries is multiplied against each block of
/// references with `MatrixMultiply` (one GEMM gives all the dot products), turned into distances
/// and folded into a running top-k per query. The full queries x references distance matrix never
/// exists: memory is one block of distances per thread plus k results per query.
public enum BlockedNearestNeighbors {
    /// Queries per block (the GEMM's M).
    static let queryBlock = 1024
    /// References per block (the GEMM's N); one distance block is queryBlock x referenceBlock floats.
    static let referenceBlock = 2048

    /// The `k` references nearest to each query, nearest first, under `metric`.
    /// Ties go to the lower reference index. With fewer than `k` references, every reference is
    /// returned. `queries` is [Q, D], `references` is [R, D]. A NaN distance never counts as closer.
    public static func search(queries: Tensor, references: Tensor, k: Int, metric: DistanceMetric)
        -> (indices: [[Int]], distances: [[Float]]) {
        search(queries: queries, references: references, k: k, metric: metric,
               queryBlock: queryBlock, referenceBlock: referenceBlock)
    }

    static func search(queries: Tensor, references: Tensor, k: Int, metric: DistanceMetric,
                       queryBlock: Int, referenceBlock: Int) -> (indices: [[Int]], distances: [[Float]]) {
        precondition(queries.rank == 2 && references.rank == 2,
                     "nearest neighbours need [count, dimensions] tensors, got \(queries.shape) and \(references.shape)")
        precondition(queries.shape[1] == references.shape[1],
                     "queries have \(queries.shape[1]) dimensions, references \(references.shape[1])")
        precondition(k >= 1, "k must be at least 1, got \(k)")
        precondition(queries.shape[1] > 0, "nearest neighbours need vectors of at least one dimension")
        let queryCount = queries.shape[0], referenceCount = references.shape[0], dimensions = queries.shape[1]
        let kept = min(k, referenceCount)
        guard queryCount > 0, kept > 0 else { return (Array(repeating: [], count: queryCount), Array(repeating: [], count: queryCount)) }

        let queryNorms = rowTerms(queries, metric: metric)
        let referenceNorms = rowTerms(references, metric: metric)
        var bestIndices = [Int](repeating: -1, count: queryCount * kept)
        var bestValues = [Float](repeating: .infinity, count: queryCount * kept)

        let work = 2.0 * Double(queryCount) * Double(referenceCount) * Double(dimensions)
        let possibleParts = Parallel.parts(forWork: work, minimumPerPart: MatrixMultiply.minimumFlopsPerThread)
        // Enough queries: each thread takes its own queries. Too few: one pass, the GEMM splits instead.
        let parts = queryCount >= possibleParts * 16 ? possibleParts : 1
        let scan = Scan(metric: metric, dimensions: dimensions, referenceCount: referenceCount, kept: kept,
                        queryBlock: queryBlock, referenceBlock: referenceBlock, gemmThreads: parts == 1 ? nil : 1)

        queries.scalars.withUnsafeBufferPointer { q in
            references.scalars.withUnsafeBufferPointer { r in
                bestIndices.withUnsafeMutableBufferPointer { indices in
                    bestValues.withUnsafeMutableBufferPointer { values in
                        Parallel.run(parts: parts) { part in
                            let first = queryCount * part / parts, last = queryCount * (part + 1) / parts
                            scan.run(queries: q.baseAddress!, queryRange: first..<last, queryNorms: queryNorms,
                                     references: r.baseAddress!, referenceNorms: referenceNorms,
                                     indices: indices.baseAddress!, values: values.baseAddress!)
                        }
                    }
                }
            }
        }

        var indices = [[Int]](), distances = [[Float]]()
        indices.reserveCapacity(queryCount)
        distances.reserveCapacity(queryCount)
        for query in 0..<queryCount {
            let row = (query * kept)..<((query + 1) * kept)
            indices.append(Array(bestIndices[row]))
            distances.append(bestValues[row].map { metric == .euclidean ? $0.squareRoot() : $0 })
        }
        return (indices, distances)
    }

    /// Per-row terms the distance needs besides the dot product: |x|² (euclidean), 1/|x| (cosine, 0
    /// for a zero row), nothing (dot).
    private static func rowTerms(_ matrix: Tensor, metric: DistanceMetric) -> [Float] {
        guard metric != .dot else { return [] }
        let rows = matrix.shape[0], columns = matrix.shape[1]
        return matrix.scalars.withUnsafeBufferPointer { x in
            (0..<rows).map { row in
                var sum: Float = 0
                for j in 0..<columns { sum += x[row * columns + j] * x[row * columns + j] }
                if metric == .euclidean { return sum }
                return sum > 0 ? 1 / sum.squareRoot() : 0
            }
        }
    }
}

/// One thread's walk over its queries: GEMM per (query block, reference block), then top-k.
private struct Scan {
    let metric: DistanceMetric
    let dimensions: Int, referenceCount: Int, kept: Int
    let queryBlock: Int, referenceBlock: Int
    let gemmThreads: Int?

    func run(queries: UnsafePointer<Float>, queryRange: Range<Int>, queryNorms: [Float],
             references: UnsafePointer<Float>, referenceNorms: [Float],
             indices: UnsafeMutablePointer<Int>, values: UnsafeMutablePointer<Float>) {
        guard !queryRange.isEmpty else { return }
        let rowsInBlock = min(queryBlock, queryRange.count), columnsInBlock = min(referenceBlock, referenceCount)
        var block = [Float](repeating: 0, count: rowsInBlock * columnsInBlock)
        // The GEMM writes −2a·b (euclidean) or −a·b (cosine, dot): every distance is then a sum.
        let alpha: Float = metric == .euclidean ? -2 : -1
        block.withUnsafeMutableBufferPointer { scores in
            for q0 in stride(from: queryRange.lowerBound, to: queryRange.upperBound, by: queryBlock) {
                let qCount = min(queryBlock, queryRange.upperBound - q0)
                for r0 in stride(from: 0, to: referenceCount, by: referenceBlock) {
                    let rCount = min(referenceBlock, referenceCount - r0)
                    MatrixMultiply.gemm(transposeB: true, m: qCount, n: rCount, k: dimensions, alpha: alpha,
                                        a: queries + q0 * dimensions, lda: max(dimensions, 1),
                                        b: references + r0 * dimensions, ldb: max(dimensions, 1),
                                        c: scores.baseAddress!, ldc: rCount, maxThreads: gemmThreads)
                    for i in 0..<qCount {
                        fold(scores: scores.baseAddress! + i * rCount, count: rCount, firstReference: r0,
                             query: q0 + i, queryNorms: queryNorms, referenceNorms: referenceNorms,
                             indices: indices + (q0 + i) * kept, values: values + (q0 + i) * kept)
                    }
                }
            }
        }
    }

    /// Turns one query's scores against references firstReference..<firstReference+count into
    /// distances (in place; squared for euclidean) and folds them into its sorted top-k. References
    /// arrive in increasing index, so a strict `<` keeps the lower index on ties.
    private func fold(scores: UnsafeMutablePointer<Float>, count: Int, firstReference: Int, query: Int,
                      queryNorms: [Float], referenceNorms: [Float],
                      indices: UnsafeMutablePointer<Int>, values: UnsafeMutablePointer<Float>) {
        referenceNorms.withUnsafeBufferPointer { allNorms in
            // Separate loops per metric so that each vectorises.
            switch metric {
            case .euclidean:
                let norms = allNorms.baseAddress! + firstReference, queryNorm = queryNorms[query]
                for j in 0..<count {
                    let squared = queryNorm + norms[j] + scores[j]
                    scores[j] = squared < 0 ? 0 : squared
                }
            case .cosine:
                let norms = allNorms.baseAddress! + firstReference, queryNorm = queryNorms[query]
                for j in 0..<count { scores[j] = 1 + scores[j] * queryNorm * norms[j] }
            case .dot:
                break
            }
        }
        var worst = values[kept - 1]
        for j in 0..<count {
            // A NaN or infinite distance (vectors so large their products overflow) still ranks, after
            // every finite one, so that each query always gets k neighbours that exist.
            let value = scores[j] < .infinity ? scores[j] : .greatestFiniteMagnitude
            guard value < worst else { continue }
            var slot = kept - 1
            while slot > 0 && value < values[slot - 1] {
                values[slot] = values[slot - 1]
                indices[slot] = indices[slot - 1]
                slot -= 1
            }
            values[slot] = value
            indices[slot] = firstReference + j
            worst = values[kept - 1]
        }
    }
}
