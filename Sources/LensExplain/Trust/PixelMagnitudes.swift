import LensTensor

/// The one way the trust checks turn a raw map into a per-pixel importance: the largest |value|
/// over the channels of each pixel (what the saliency picture shows). The same reduction ranks
/// pixels for faithfulness and feeds the rank correlation and SSIM of the randomisation tests.
public enum PixelMagnitudes {
    public static let description = "per pixel, the maximum of |map| over channels"

    /// [N, H·W] for maps [N, C, H, W] (or [N, C·H·W] items of an input shape [C, H, W]); for flat
    /// inputs [N, D], every feature is a pixel.
    public static func of(_ maps: Tensor, inputShape: [Int]) -> [[Float]] {
        let items = maps.shape.first ?? 0
        let channels = inputShape.count == 3 ? inputShape[0] : 1
        let pixels = inputShape.reduce(1, *) / max(channels, 1)
        return (0..<items).map { item in
            var result = [Float](repeating: 0, count: pixels)
            maps.scalars.withUnsafeBufferPointer { values in
                let base = item * channels * pixels
                for channel in 0..<channels {
                    for pixel in 0..<pixels {
                        let value = abs(values[base + channel * pixels + pixel])
                        // NaN stays NaN so that MapCheck and the comparisons see it.
                        if value.isNaN || value > result[pixel] { result[pixel] = value.isNaN ? .nan : value }
                    }
                }
            }
            return result
        }
    }

    /// Whether every value is the same (no ranking, no correlation).
    static func isConstant(_ values: [Float]) -> Bool {
        guard let first = values.first else { return true }
        return values.allSatisfy { $0 == first }
    }
}
