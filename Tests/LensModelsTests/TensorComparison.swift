import LensTensor

/// numpy.allclose-style comparison: |actual − expected| ≤ atol + rtol·|expected| everywhere.
struct Tolerance: Sendable {
    var relative: Float
    var absolute: Float

    static let forward = Tolerance(relative: 1e-4, absolute: 1e-5)
    static let optimizerStep = Tolerance(relative: 1e-3, absolute: 1e-4)
}

/// nil when `actual` matches `expected`, otherwise what differs (for the test's message).
func mismatch(_ actual: Tensor, _ expected: Tensor, _ tolerance: Tolerance) -> String? {
    guard actual.count == expected.count else {
        return "shape \(actual.shape) vs expected \(expected.shape)"
    }
    var worst: (index: Int, excess: Float)?
    for i in 0..<actual.count {
        let difference = abs(actual.scalars[i] - expected.scalars[i])
        let allowed = tolerance.absolute + tolerance.relative * abs(expected.scalars[i])
        if !(difference <= allowed), difference - allowed > (worst?.excess ?? -1) {
            worst = (i, difference - allowed)
        }
    }
    guard let worst else { return nil }
    return "item \(worst.index): \(actual.scalars[worst.index]) vs expected \(expected.scalars[worst.index])"
}
