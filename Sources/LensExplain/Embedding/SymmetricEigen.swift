/// Eigenvalues and eigenvectors of a small symmetric matrix by cyclic Jacobi rotations (in
/// Double): each rotation zeroes one off-diagonal pair, sweeps repeat until the off-diagonal
/// part is negligible. Used on PCA's l x l sketch (l ≤ a few hundred), never on a full covariance.
enum SymmetricEigen {
    /// `matrix` [n · n] row-major; returns eigenvalues descending and eigenvectors as rows [n · n].
    static func decompose(_ matrix: [Double], size n: Int) -> (values: [Double], vectors: [Double]) {
        var a = matrix
        var v = [Double](repeating: 0, count: n * n)
        for i in 0..<n { v[i * n + i] = 1 }
        for _ in 0..<100 {
            var off = 0.0, diagonal = 0.0
            for i in 0..<n {
                diagonal += a[i * n + i] * a[i * n + i]
                for j in (i + 1)..<max(n, i + 1) { off += a[i * n + j] * a[i * n + j] }
            }
            if off <= 1e-30 * max(diagonal, 1e-300) { break }
            for p in 0..<n {
                for q in (p + 1)..<max(n, p + 1) where a[p * n + q] != 0 {
                    // the rotation angle that zeroes a[p, q]: tan 2φ = 2a_pq / (a_qq − a_pp)
                    let theta = (a[q * n + q] - a[p * n + p]) / (2 * a[p * n + q])
                    let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
                    let c = 1 / (t * t + 1).squareRoot(), s = t * c
                    for k in 0..<n {
                        let (akp, akq) = (a[k * n + p], a[k * n + q])
                        a[k * n + p] = c * akp - s * akq
                        a[k * n + q] = s * akp + c * akq
                    }
                    for k in 0..<n {
                        let (apk, aqk) = (a[p * n + k], a[q * n + k])
                        a[p * n + k] = c * apk - s * aqk
                        a[q * n + k] = s * apk + c * aqk
                    }
                    for k in 0..<n {
                        let (vpk, vqk) = (v[p * n + k], v[q * n + k])
                        v[p * n + k] = c * vpk - s * vqk
                        v[q * n + k] = s * vpk + c * vqk
                    }
                }
            }
        }
        let order = (0..<n).sorted { a[$0 * n + $0] > a[$1 * n + $1] }
        return (order.map { a[$0 * n + $0] }, order.flatMap { v[($0 * n)..<(($0 + 1) * n)] })
    }
}
