import LensTensor

/// Venna & Kaski's trustworthiness of an embedding, as scikit-learn's
/// `sklearn.manifold.trustworthiness` (Euclidean): how far the embedding's k nearest neighbours
/// of each point lie down its neighbour ranking in the original space.
///
///   T(k) = 1 − 2 / (n k (2n − 3k − 1)) · Σᵢ Σ_{j ∈ Uᵢᵏ} (r(i, j) − k)
///
/// Uᵢᵏ: i's k nearest in the embedding that are not among its k nearest in the original space;
/// r(i, j): j's rank among i's neighbours in the original space (1 = nearest). The original
/// distances come a block of rows at a time from one GEMM; no n x n matrix is kept.
public enum Trustworthiness {
    public static func score(original: Tensor, embedded: Tensor, neighbours k: Int) throws -> Double {
        let n = original.shape.first ?? 0
        guard original.rank == 2, embedded.rank == 2, embedded.shape[0] == n else {
            throw ExplainError.invalidInput("trustworthiness needs [n, d] originals and [n, 2] coordinates, got \(original.shape) and \(embedded.shape)")
        }
        guard k >= 1, Double(k) < Double(n) / 2 else {
            throw ExplainError.settingOutOfRange(setting: "neighbours", value: "\(k)", allowed: "between 1 and \(max(1, (n - 1) / 2)): below half of the \(n) points")
        }
        let near = BlockedNearestNeighbors.search(queries: embedded, references: embedded, k: k + 1, metric: .euclidean).indices
        let d = original.shape[1]
        let norms = (0..<n).map { i in (0..<d).reduce(Float(0)) { $0 + original.scalars[i * d + $1] * original.scalars[i * d + $1] } }
        let block = 256
        var penalties = [Double](repeating: 0, count: (n + block - 1) / block)
        penalties.withUnsafeMutableBufferPointer { sums in
            Parallel.forEachChunk(count: sums.count, minimumChunk: 1) { blocks in
                for b in blocks {
                    let rows = (b * block)..<min((b + 1) * block, n)
                    let gram = MatrixMultiply.matmul(original.slice(rows), original, transposeB: true)
                    var total = 0.0
                    for (offset, i) in rows.enumerated() {
                        // squared distances from i (their order is the distances' order)
                        var row = [Float](repeating: 0, count: n)
                        for j in 0..<n { row[j] = max(0, norms[i] + norms[j] - 2 * gram.scalars[offset * n + j]) }
                        for j in near[i].filter({ $0 != i }).prefix(k) {
                            // rank: 1 + the points strictly closer, ties broken by index as a stable sort does
                            var rank = 1
                            let target = row[j]
                            for m in 0..<n where m != i && (row[m] < target || (row[m] == target && m < j)) { rank += 1 }
                            if rank > k { total += Double(rank - k) }
                        }
                    }
                    sums[b] = total
                }
            }
        }
        let (nd, kd) = (Double(n), Double(k))
        return 1 - penalties.reduce(0, +) * 2 / (nd * kd * (2 * nd - 3 * kd - 1))
    }
}
