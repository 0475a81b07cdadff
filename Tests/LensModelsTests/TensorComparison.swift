import LensTensor
import Testing

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

/// The fixtures' rule for attribution tensors, whose scales differ by orders of magnitude:
/// max |actual − expected| ≤ 1e-3 · max |expected| + 1e-9 (an absolute tolerance alone would pass
/// a map of zeros). nil when it holds, otherwise the worst element.
func attributionMismatch(_ actual: Tensor, _ expected: Tensor) -> String? {
    guard actual.count == expected.count else { return "shape \(actual.shape) vs expected \(expected.shape)" }
    if let bad = actual.scalars.firstIndex(where: { !$0.isFinite }) { return "item \(bad) is \(actual.scalars[bad])" }
    let scale = expected.scalars.reduce(Float(0)) { max($0, abs($1)) }
    let allowed = 1e-3 * scale + 1e-9
    var worst = 0
    for i in 0..<actual.count where abs(actual.scalars[i] - expected.scalars[i]) > abs(actual.scalars[worst] - expected.scalars[worst]) {
        worst = i
    }
    let difference = actual.count == 0 ? 0 : abs(actual.scalars[worst] - expected.scalars[worst])
    guard !(difference <= allowed) else { return nil }
    return "item \(worst): \(actual.scalars[worst]) vs expected \(expected.scalars[worst]) (allowed difference \(allowed), max |expected| \(scale))"
}

/// A fast path against the plain one: every element within 1e-5 of the expected, relative to
/// max(1, |expected|); a NaN where a number is expected (an output never written) fails.
func expectScalarsClose(_ actual: [Float], _ expected: [Float], _ what: String,
                        sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(actual.count == expected.count, "\(what): count", sourceLocation: sourceLocation)
    let worst = zip(actual, expected).map { pair -> Float in
        let difference = abs(pair.0 - pair.1) / max(1, abs(pair.1))
        return difference.isNaN && !pair.1.isNaN ? .infinity : difference
    }.max() ?? 0
    #expect(!(worst >= 1e-5), "\(what): largest difference \(worst)", sourceLocation: sourceLocation)
}
