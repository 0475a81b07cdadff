import LensTensor

/// The orders in which the faithfulness curves remove or add pixels.
public enum PixelRanking: String, Codable, Sendable, CaseIterable {
    /// Largest map magnitude first (`PixelMagnitudes`), ties by position.
    case map
    /// The map's order backwards: least important first. A faithful map's curve is far from it.
    case reversed
    /// A seeded random order, the same for every method on one image.
    case random
    /// Brightest pixels first (mean over channels): a control that needs no model at all.
    case brightness

    /// Pixel indices, most important first, by descending `scores` (ties by position).
    static func descending(_ scores: [Float]) -> [Int] {
        scores.indices.sorted { scores[$0] > scores[$1] || (scores[$0] == scores[$1] && $0 < $1) }
    }

    /// Per pixel, the mean over channels of image `item` of `images` [N, C, H, W] (or [N, D]).
    static func brightness(of images: Tensor, item: Int, geometry: MapGeometry) -> [Float] {
        let pixels = geometry.pixels, channels = geometry.channels
        let base = item * channels * pixels
        return (0..<pixels).map { pixel in
            var sum: Float = 0
            for channel in 0..<channels { sum += images.scalars[base + channel * pixels + pixel] }
            return sum / Float(channels)
        }
    }

    static func random(pixels: Int, seed: UInt64, item: Int) -> [Int] {
        var order = Array(0..<pixels)
        var generator = SeededGenerator(seed: seed &+ 0x9E37_79B9 &* UInt64(item + 1))
        generator.shuffle(&order)
        return order
    }
}
