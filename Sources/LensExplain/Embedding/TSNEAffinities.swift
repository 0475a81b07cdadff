import Foundation
import LensTensor

/// t-SNE's input affinities P (van der Maaten & Hinton 2008), as scikit-learn makes them: per
/// point a Gaussian over squared Euclidean distances whose precision βᵢ is found by bisection
/// so that the conditional distribution's entropy is log(perplexity); then P = (P + Pᵀ) / Σ.
/// Exact: every other point. Sparse (Barnes-Hut): the ⌊3·perplexity + 1⌋ nearest neighbours.
struct TSNEAffinities: Sendable {
    /// Sparse rows: for point i, neighbours `columns[rowStart[i]..<rowStart[i+1]]` with `values`.
    var rowStart: [Int]
    var columns: [Int]
    var values: [Float]

    /// Conditional P(j|i) from squared distances of one row (self excluded by the caller).
    static func conditional(_ distances: [Float], perplexity: Float) -> [Float] {
        let target = log(Double(perplexity))
        var beta = 1.0, low = -Double.infinity, high = Double.infinity
        var p = [Double](repeating: 0, count: distances.count)
        for _ in 0..<100 {
            var sum = 0.0
            for j in distances.indices { p[j] = exp(-Double(distances[j]) * beta); sum += p[j] }
            if sum == 0 { sum = 1e-8 }
            var weighted = 0.0
            for j in distances.indices { weighted += Double(distances[j]) * p[j] }
            // H = log Σ + β Σ d p / Σ
            let entropy = log(sum) + beta * weighted / sum
            for j in p.indices { p[j] /= sum }
            let difference = entropy - target
            if abs(difference) <= 1e-5 { break }
            if difference > 0 {
                low = beta
                beta = high == .infinity ? beta * 2 : (beta + high) / 2
            } else {
                high = beta
                beta = low == -.infinity ? beta / 2 : (beta + low) / 2
            }
        }
        return p.map(Float.init)
    }

    /// Every pair: `data` [N, D].
    static func exact(_ data: Tensor, perplexity: Float) -> TSNEAffinities {
        let n = data.shape[0]
        let squared = squaredDistances(data)
        var dense = [Float](repeating: 0, count: n * n)
        dense.withUnsafeMutableBufferPointer { buffer in
            // each chunk writes only its own rows
            Parallel.forEachChunk(count: n, minimumChunk: 64) { range in
                for i in range {
                    var row = Array(squared[(i * n)..<((i + 1) * n)])
                    row.remove(at: i)
                    let p = conditional(row, perplexity: perplexity)
                    for j in 0..<n where j != i { buffer[i * n + j] = p[j < i ? j : j - 1] }
                }
            }
        }
        return symmetrised(rows: (0..<n).map { i in (0..<n).filter { $0 != i }.map { ($0, dense[i * n + $0]) } }, count: n)
    }

    /// Nearest neighbours only.
    static func sparse(_ data: Tensor, perplexity: Float) -> TSNEAffinities {
        let n = data.shape[0]
        let k = min(n - 1, Int(3 * perplexity + 1))
        // k + 1: each point finds itself first
        let (indices, distances) = BlockedNearestNeighbors.search(queries: data, references: data, k: k + 1, metric: .euclidean)
        let rows: [[(Int, Float)]] = (0..<n).map { i in
            let pairs = zip(indices[i], distances[i]).filter { $0.0 != i }.prefix(k)
            let p = conditional(pairs.map { $0.1 * $0.1 }, perplexity: perplexity)
            return zip(pairs.map(\.0), p).map { ($0, $1) }
        }
        return symmetrised(rows: rows, count: n)
    }

    /// P = (P + Pᵀ) / Σ P, kept sparse, columns sorted per row.
    static func symmetrised(rows: [[(Int, Float)]], count n: Int) -> TSNEAffinities {
        var merged = [[Int: Float]](repeating: [:], count: n)
        var total: Double = 0
        for (i, row) in rows.enumerated() {
            for (j, p) in row where p > 0 {
                merged[i][j, default: 0] += p
                merged[j][i, default: 0] += p
                total += 2 * Double(p)
            }
        }
        var rowStart = [0], columns = [Int](), values = [Float]()
        for i in 0..<n {
            for (j, p) in merged[i].sorted(by: { $0.key < $1.key }) {
                columns.append(j)
                values.append(max(Float(Double(p) / total), Float.leastNormalMagnitude))
            }
            rowStart.append(columns.count)
        }
        return TSNEAffinities(rowStart: rowStart, columns: columns, values: values)
    }

    /// ‖xᵢ − xⱼ‖² [N · N] by one GEMM.
    static func squaredDistances(_ data: Tensor) -> [Float] {
        let (n, d) = (data.shape[0], data.shape[1])
        let gram = MatrixMultiply.matmul(data, data, transposeB: true)
        let norms = (0..<n).map { i in (0..<d).reduce(Float(0)) { $0 + data.scalars[i * d + $1] * data.scalars[i * d + $1] } }
        var result = gram.scalars
        for i in 0..<n { for j in 0..<n { result[i * n + j] = i == j ? 0 : max(0, norms[i] + norms[j] - 2 * gram.scalars[i * n + j]) } }
        return result
    }
}
