import LensTensor

/// Lucid's diversity term: images made together for one unit are pushed apart by the cosine
/// similarity of their activations' style at the objective's layer (the Gram matrix G = A·Aᵀ of a
/// spatial output A [C, P]; the activation vector itself for a dense layer).
///
///   penalty = λ/(n − 1) · Σ_{i≠j} cos(vᵢ, vⱼ)
///   ∂cos(vᵢ, vⱼ)/∂vᵢ = vⱼ/(|vᵢ||vⱼ|) − cos(vᵢ, vⱼ) · vᵢ/|vᵢ|²        ∂⟨G, H⟩/∂A = 2·H·A (H symmetric)
enum DiversityTerm {
    /// The penalty and its gradient with respect to `output` [n, ...] (zero for one image).
    static func penalty(_ output: Tensor, weight: Float) -> (value: Float, gradient: Tensor) {
        let n = output.shape[0]
        var gradient = Tensor(shape: output.shape)
        guard n > 1, weight > 0 else { return (0, gradient) }
        let size = output.count / n
        let spatial = output.rank == 4
        let channels = spatial ? output.shape[1] : size, positions = spatial ? size / channels : 1
        // vᵢ: the Gram matrix [C·C] or the activations [size]
        let vectors: [[Float]] = (0..<n).map { i in
            let a = output.scalars[(i * size)..<((i + 1) * size)]
            guard spatial else { return Array(a) }
            let base = a.startIndex
            var gram = [Float](repeating: 0, count: channels * channels)
            for c in 0..<channels {
                for d in c..<channels {
                    var sum: Float = 0
                    for p in 0..<positions { sum += a[base + c * positions + p] * a[base + d * positions + p] }
                    gram[c * channels + d] = sum
                    gram[d * channels + c] = sum
                }
            }
            return gram
        }
        let norms = vectors.map { max(($0.reduce(0) { $0 + $1 * $1 }).squareRoot(), 1e-12) }
        var value: Float = 0
        let scale = weight / Float(n - 1)
        for i in 0..<n {
            // H = ∂penalty/∂vᵢ, each pair counted from both sides
            var h = [Float](repeating: 0, count: vectors[i].count)
            for j in 0..<n where j != i {
                let dot = zip(vectors[i], vectors[j]).reduce(0) { $0 + $1.0 * $1.1 }
                let cosine = dot / (norms[i] * norms[j])
                value += scale * cosine
                for k in h.indices {
                    h[k] += 2 * scale * (vectors[j][k] / (norms[i] * norms[j]) - cosine * vectors[i][k] / (norms[i] * norms[i]))
                }
            }
            let base = i * size
            if spatial {
                // ∂/∂A = 2·H·A
                for c in 0..<channels {
                    for d in 0..<channels where h[c * channels + d] != 0 {
                        let factor = 2 * h[c * channels + d]
                        for p in 0..<positions { gradient.scalars[base + c * positions + p] += factor * output.scalars[base + d * positions + p] }
                    }
                }
            } else {
                for k in 0..<size { gradient.scalars[base + k] = h[k] }
            }
        }
        return (value, gradient)
    }
}
