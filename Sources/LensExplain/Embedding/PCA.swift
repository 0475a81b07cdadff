import LensTensor

/// Principal components by randomized SVD (Halko, Martinsson & Tropp 2011, as scikit-learn's
/// `PCA(svd_solver="randomized")`): every product with the data is one GEMM.
///
///   X̄ = X − mean                                   [N, D]
///   Y = X̄ Ω,  Ω ~ N(0, 1) [D, l],  l = k + 10     then q power iterations Y ← X̄ (X̄ᵀ Y), each orthonormalised
///   B = Qᵀ X̄ [l, D],  B Bᵀ = U Λ Uᵀ               components Vᵢ = Bᵀ uᵢ / √λᵢ, variance λᵢ / (N − 1)
///
/// Signs follow scikit-learn's `svd_flip(u_based_decision=False)`: each component's largest |entry| is positive.
public struct PCA: Sendable {
    public var mean: [Float]
    /// [k, D], rows orthonormal.
    public var components: Tensor
    /// Variance along each component (over N − 1), largest first.
    public var explainedVariance: [Float]

    /// `data` [N, D]; `count` components (at most min(N, D)).
    public init(_ data: Tensor, components count: Int, seed: UInt64 = 0, powerIterations: Int = 4) throws {
        guard data.rank == 2, data.shape[0] >= 2, data.shape[1] >= 1 else {
            throw ExplainError.invalidInput("PCA needs at least 2 rows of at least 1 value, got shape \(data.shape)")
        }
        let (n, d) = (data.shape[0], data.shape[1])
        guard (1...min(n, d)).contains(count) else {
            throw ExplainError.settingOutOfRange(setting: "components", value: "\(count)", allowed: "between 1 and \(min(n, d)) for \(n) rows of \(d) values")
        }
        let centred = Self.centre(data)
        mean = centred.mean
        let x = centred.data
        let l = min(count + 10, min(n, d))
        var generator = SeededGenerator(seed: seed)
        let omega = Tensor(shape: [l, d], scalars: (0..<(l * d)).map { _ in generator.nextNormal() })
        // rows of Qᵗ [l, N] span X̄'s column space; Zᵗ [l, D] its row space
        var qt = Self.orthonormalRows(MatrixMultiply.matmul(omega, x, transposeB: true))
        for _ in 0..<powerIterations {
            let zt = Self.orthonormalRows(MatrixMultiply.matmul(qt, x))
            qt = Self.orthonormalRows(MatrixMultiply.matmul(zt, x, transposeB: true))
        }
        let b = MatrixMultiply.matmul(qt, x)                        // [l, D]
        let gram = MatrixMultiply.matmul(b, b, transposeB: true)    // [l, l]
        let (values, vectors) = SymmetricEigen.decompose(gram.scalars.map(Double.init), size: l)
        var rows = [Float]()
        rows.reserveCapacity(count * d)
        for i in 0..<count {
            let u = Tensor(shape: [1, l], scalars: vectors[(i * l)..<((i + 1) * l)].map(Float.init))
            var v = MatrixMultiply.matmul(u, b).scalars              // uᵢᵀ B = √λᵢ Vᵢᵀ
            let norm = max(v.reduce(0) { $0 + $1 * $1 }.squareRoot(), .leastNormalMagnitude)
            let largest = v.indices.max { abs(v[$0]) < abs(v[$1]) } ?? 0
            let sign: Float = v[largest] < 0 ? -1 : 1
            for j in v.indices { v[j] *= sign / norm }
            rows += v
        }
        components = Tensor(shape: [count, d], scalars: rows)
        explainedVariance = values.prefix(count).map { Float(max($0, 0) / Double(n - 1)) }
    }

    /// Coordinates [N, k] of `data` [N, D] along the components.
    public func transform(_ data: Tensor) -> Tensor {
        var x = data
        let d = mean.count
        for row in 0..<(x.count / max(d, 1)) { for j in 0..<d { x.scalars[row * d + j] -= mean[j] } }
        return MatrixMultiply.matmul(x, components, transposeB: true)
    }

    private static func centre(_ data: Tensor) -> (data: Tensor, mean: [Float]) {
        let (n, d) = (data.shape[0], data.shape[1])
        var sums = [Double](repeating: 0, count: d)
        for row in 0..<n { for j in 0..<d { sums[j] += Double(data.scalars[row * d + j]) } }
        let mean = sums.map { Float($0 / Double(n)) }
        var x = data
        for row in 0..<n { for j in 0..<d { x.scalars[row * d + j] -= mean[j] } }
        return (x, mean)
    }

    /// Modified Gram–Schmidt on the rows of `m` [l, n], twice for stability; a row that
    /// vanishes (rank deficiency) stays zero.
    static func orthonormalRows(_ m: Tensor) -> Tensor {
        var a = m
        let (rows, n) = (m.shape[0], m.shape[1])
        a.scalars.withUnsafeMutableBufferPointer { s in
            for _ in 0..<2 {
                for i in 0..<rows {
                    for j in 0..<i {
                        var dot: Double = 0
                        for k in 0..<n { dot += Double(s[i * n + k]) * Double(s[j * n + k]) }
                        let f = Float(dot)
                        for k in 0..<n { s[i * n + k] -= f * s[j * n + k] }
                    }
                    var norm: Double = 0
                    for k in 0..<n { norm += Double(s[i * n + k]) * Double(s[i * n + k]) }
                    let inverse: Float = norm > 1e-20 ? Float(1 / norm.squareRoot()) : 0
                    for k in 0..<n { s[i * n + k] *= inverse }
                }
            }
        }
        return a
    }
}
