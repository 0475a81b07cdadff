/// Resizes square planes along both axes with precomputed taps: an exact box filter with
/// fractional coverage when shrinking (like OpenCV's INTER_AREA), bilinear interpolation with
/// pixel centres at +0.5 when growing (PyTorch's align_corners=False), a copy at equal size.
struct Resampler: Sendable {
    let sourceSize: Int
    let targetSize: Int
    /// Output pixel i is the sum over k < counts[i] of weights[offsets[i] + k] · source[starts[i] + k].
    private let starts: [Int]
    private let counts: [Int]
    private let offsets: [Int]
    private let weights: [Float]

    init(from sourceSize: Int, to targetSize: Int) {
        precondition(sourceSize > 0 && targetSize > 0, "cannot resample \(sourceSize) to \(targetSize)")
        self.sourceSize = sourceSize
        self.targetSize = targetSize
        let taps = (0..<targetSize).map { i in
            sourceSize > targetSize ? Self.areaTaps(i, sourceSize, targetSize)
                : sourceSize < targetSize ? Self.bilinearTaps(i, sourceSize, targetSize) : (i, [Float(1)])
        }
        starts = taps.map(\.0)
        counts = taps.map(\.1.count)
        offsets = counts.reduce(into: [0]) { $0.append($0.last! + $1) }
        weights = taps.flatMap(\.1)
    }

    /// Output pixel i averages source interval [i·s, (i+1)·s), s = source/target, weighting each
    /// source pixel by the length of its overlap.
    private static func areaTaps(_ i: Int, _ source: Int, _ target: Int) -> (Int, [Float]) {
        let scale = Double(source) / Double(target)
        let low = Double(i) * scale, high = Double(i + 1) * scale
        let first = Int(low.rounded(.down)), last = min(Int(high.rounded(.up)), source) - 1
        var taps = [Float]()
        for j in first...max(first, last) {
            let overlap = min(high, Double(j + 1)) - max(low, Double(j))
            taps.append(Float(max(overlap, 0) / scale))
        }
        return (first, taps)
    }

    private static func bilinearTaps(_ i: Int, _ source: Int, _ target: Int) -> (Int, [Float]) {
        let position = max((Double(i) + 0.5) * Double(source) / Double(target) - 0.5, 0)
        let left = min(Int(position.rounded(.down)), source - 1)
        let fraction = Float(position - Double(left))
        return left + 1 < source ? (left, [1 - fraction, fraction]) : (left, [1])
    }

    /// Resizes the `sourceSize`² plane at `input` (rows `rowStride` apart) into the `targetSize`²
    /// plane at `output`. `scratch` must hold sourceSize · targetSize floats.
    func resize(_ input: UnsafePointer<Float>, rowStride: Int,
                into output: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>) {
        let size = targetSize
        starts.withUnsafeBufferPointer { starts in
            counts.withUnsafeBufferPointer { counts in
                offsets.withUnsafeBufferPointer { offsets in
                    weights.withUnsafeBufferPointer { weights in
                        let w = weights.baseAddress!
                        // Horizontal pass: sourceSize rows of targetSize values.
                        for y in 0..<sourceSize {
                            let row = input + y * rowStride, target = scratch + y * size
                            for x in 0..<size {
                                let source = row + starts[x], tap = w + offsets[x]
                                var sum: Float = 0
                                for k in 0..<counts[x] { sum += tap[k] * source[k] }
                                target[x] = sum
                            }
                        }
                        // Vertical pass: whole rows at a time.
                        for y in 0..<size {
                            let target = output + y * size
                            target.update(repeating: 0, count: size)
                            for k in 0..<counts[y] {
                                let weight = w[offsets[y] + k], source = scratch + (starts[y] + k) * size
                                for x in 0..<size { target[x] += weight * source[x] }
                            }
                        }
                    }
                }
            }
        }
    }
}
