import Foundation

extension AttributionSettings.IntegrationRule {
    /// Points αᵢ in (0, 1) and weights wᵢ with ∫₀¹ f ≈ Σ wᵢ f(αᵢ), in increasing α.
    ///
    /// Gauss–Legendre is what Captum uses by default: the nodes tᵢ and weights of numpy's
    /// `leggauss(count)` on [−1, 1], mapped to αᵢ = ½(1 + tᵢ) with weights ½wᵢ. They are computed
    /// here in double precision (Newton's method on the Legendre recurrence), which agrees with
    /// numpy to ~1e-15, far below the float32 the maps are kept in.
    public func nodes(count: Int) -> (alphas: [Double], weights: [Double]) {
        switch self {
        case .midpoint:
            let n = Double(count)
            return ((0..<count).map { (Double($0) + 0.5) / n }, Array(repeating: 1 / n, count: count))
        case .gaussLegendre:
            let legendre = Self.legendreNodes(count)
            return (legendre.map { 0.5 * (1 + $0.node) }, legendre.map { 0.5 * $0.weight })
        }
    }

    /// Roots of Pₙ on [−1, 1] in increasing order, with their Gauss weights 2 / ((1 − t²) Pₙ'(t)²).
    private static func legendreNodes(_ n: Int) -> [(node: Double, weight: Double)] {
        guard n > 0 else { return [] }
        /// Pₙ(t) and Pₙ'(t) by the three-term recurrence.
        func legendre(_ t: Double) -> (value: Double, derivative: Double) {
            var previous = 1.0, current = t
            if n == 1 { return (t, 1) }
            for k in 2...n {
                let next = (Double(2 * k - 1) * t * current - Double(k - 1) * previous) / Double(k)
                previous = current
                current = next
            }
            return (current, Double(n) * (t * current - previous) / (t * t - 1))
        }
        var result: [(node: Double, weight: Double)] = []
        for i in 0..<n {
            // Tricomi's first guess for the i-th largest root; Newton converges in a few steps.
            var t = cos(Double.pi * (Double(i) + 0.75) / (Double(n) + 0.5))
            var value = legendre(t)
            for _ in 0..<100 {
                let step = value.value / value.derivative
                t -= step
                value = legendre(t)
                if abs(step) < 1e-16 { break }
            }
            result.append((t, 2 / ((1 - t * t) * value.derivative * value.derivative)))
        }
        return result.reversed()
    }
}
