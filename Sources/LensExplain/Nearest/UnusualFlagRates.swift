import LensTensor

/// Inputs unlike any training image, made from an image of the data so they share its shape and
/// range: uniform noise, a checkerboard of the image's extremes, and the image upside down.
public enum Strangers {
    public static func make(like image: Tensor, seed: UInt64 = 7) -> [(image: Tensor, caption: String)] {
        let shape = image.shape
        guard shape.count == 3, image.count > 0 else { return [] }
        let (channels, height, width) = (shape[0], shape[1], shape[2])
        let low = image.scalars.min() ?? 0, high = image.scalars.max() ?? 1
        var flipped = image.scalars, checkerboard = image.scalars
        let square = max(1, min(height, width) / 8)
        for c in 0..<channels {
            for y in 0..<height {
                for x in 0..<width {
                    flipped[(c * height + y) * width + x] = image.scalars[(c * height + height - 1 - y) * width + x]
                    checkerboard[(c * height + y) * width + x] = (y / square + x / square) % 2 == 0 ? low : high
                }
            }
        }
        var generator = SeededGenerator(seed: seed)
        let noise = (0..<image.count).map { _ in Float.random(in: low...max(high, low), using: &generator) }
        return [(Tensor(shape: shape, scalars: flipped), "upside down"),
                (Tensor(shape: shape, scalars: noise), "uniform noise"),
                (Tensor(shape: shape, scalars: checkerboard), "checkerboard")]
    }
}

/// How often the unusual flag fires where it should not (held-out test images, which are like
/// the training data) and where it should (strangers): the evidence that the flag keeps its word.
public struct UnusualFlagRates: Codable, Sendable, Equatable {
    public struct Stranger: Codable, Sendable, Equatable {
        public var caption: String
        public var nearestDistance: Float
        public var flagged: Bool
    }

    /// The threshold applied: inputs whose nearest distance lies above it are flagged.
    public var unusualAbove: Float
    /// The row-profile threshold applied beside it (`NearestEvidence.profileAbove`), for images.
    public var profileAbove: Float?
    public var testFlagged: Int
    public var testCount: Int
    public var strangers: [Stranger]

    /// Share of the test images flagged (0-1).
    public var testRate: Double { testCount > 0 ? Double(testFlagged) / Double(testCount) : 0 }
    public var strangersFlagged: Int { strangers.filter(\.flagged).count }

    /// `evidence`'s flag on `testImages` [N, ...] and on `strangers` (by default those made from the first test image).
    public init(_ evidence: NearestEvidence, testImages: Tensor,
                strangers: [(image: Tensor, caption: String)]? = nil) throws {
        let count = testImages.shape.first ?? 0
        let strangers = strangers ?? (count > 0
            ? Strangers.make(like: testImages.slice(0..<1).reshaped(Array(testImages.shape.dropFirst()))) : [])
        let test = count > 0 ? try evidence.evidence(for: testImages) : []
        unusualAbove = evidence.unusualAbove
        profileAbove = evidence.profileAbove
        testFlagged = test.filter(\.unusual).count
        testCount = test.count
        var found: [NeighborEvidence] = []
        if let first = strangers.first {
            found = try evidence.evidence(for: Tensor(shape: [strangers.count] + first.image.shape,
                                                      scalars: strangers.flatMap(\.image.scalars)))
        }
        self.strangers = zip(strangers, found).map { Stranger(caption: $0.caption, nearestDistance: $1.nearestDistance, flagged: $1.unusual) }
    }

    /// One sentence: the threshold and what it flags.
    public var summary: String {
        let rate = String(format: "%.1f", 100 * testRate)
        return "flags \(testFlagged) of \(testCount) test images (\(rate)%) and \(strangersFlagged) of \(strangers.count) strangers ("
            + strangers.map { "\($0.caption) \($0.flagged ? "flagged" : "not flagged")" }.joined(separator: ", ") + ")"
    }
}
