import Foundation
import LensTensor

/// The value range a map picture spans, stated explicitly so that several pictures can share it
/// and a colour bar can print it: ±bound for signed maps (zero in the middle of a diverging
/// colormap), 0...bound for magnitudes (a sequential one). Values beyond the bound are clipped.
/// Linear by default; a logarithmic scale spans `decades` powers of ten below the bound, so that maps
/// whose values differ by orders of magnitude (a gradient beside occlusion's score drops) can share
/// one scale and all still be read.
public struct MapScale: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        case signed, magnitude
    }

    public var kind: Kind
    /// Always finite and above zero.
    public var bound: Float
    /// Whether `bound` is a percentile of |v| rather than the largest |v| (then some values are clipped).
    public var isRobust: Bool
    /// Powers of ten below `bound` a logarithmic scale spans (|v| under bound·10^−decades shows as
    /// zero); nil for a linear scale.
    public var decades: Int?

    /// The decades a logarithmic scale shared by maps of different units spans.
    public static let sharedDecades = 3

    /// The percentile of |v| a robust scale spans: one hot pixel cannot wash out the rest of the map.
    public static let robustPercentile: Float = 99

    public init(kind: Kind, bound: Float, isRobust: Bool = false) {
        self.kind = kind
        self.bound = bound.isFinite && bound > 0 ? bound : 1
        self.isRobust = isRobust
    }

    /// This scale made logarithmic over `decades` (at least 1) powers of ten below its bound.
    public func logarithmic(decades: Int) -> MapScale {
        var scale = self
        scale.decades = max(1, decades)
        return scale
    }

    /// The scale spanning every finite value of `maps` (one scale shared by a row of maps). Robust:
    /// the 99th percentile of |v|, or the largest |v| where that percentile is 0 (a sparse map).
    /// Maps with no finite non-zero value give bound 1 (they are drawn as placeholders anyway).
    public static func fitting(_ maps: [Tensor], kind: Kind, robust: Bool = true) -> MapScale {
        var magnitudes: [Float] = []
        magnitudes.reserveCapacity(maps.reduce(0) { $0 + $1.count })
        for map in maps {
            for value in map.scalars where value.isFinite { magnitudes.append(abs(value)) }
        }
        let largest = magnitudes.max() ?? 0
        guard robust, largest > 0 else { return MapScale(kind: kind, bound: largest) }
        let percentile = Self.percentile(&magnitudes, Self.robustPercentile)
        return percentile > 0 ? MapScale(kind: kind, bound: percentile, isRobust: percentile < largest)
                              : MapScale(kind: kind, bound: largest)
    }

    /// Position of `value` on the colormap, in [0, 1] (clipped at the bound).
    public func position(of value: Float) -> Float {
        switch kind {
        case .signed: 0.5 + 0.5 * (value < 0 ? -strength(of: value) : strength(of: value))
        case .magnitude: value > 0 ? strength(of: value) : 0
        }
    }

    /// How strongly `value` shows, in [0, 1]: 0 at zero, 1 at the bound (the overlay's opacity).
    /// Logarithmic: 1 + log10(|v| / bound) / decades, so each power of ten is an equal step.
    public func strength(of value: Float) -> Float {
        let fraction = min(abs(value) / bound, 1)
        guard let decades else { return fraction }
        guard fraction > 0 else { return 0 }
        return max(0, 1 + log10(fraction) / Float(decades))
    }

    /// The value shown at strength `strength` in [0, 1] (the inverse of `strength(of:)` for v ≥ 0).
    public func value(atStrength strength: Float) -> Float {
        guard let decades else { return bound * strength }
        return strength <= 0 ? 0 : bound * pow(10, (strength - 1) * Float(decades))
    }

    /// The diverging colormap for signed scales, the sequential one for magnitudes.
    public var colormap: Colormap { kind == .signed ? .diverging : .sequential }

    /// The lowest and highest value the scale shows.
    public var range: (low: Float, high: Float) { kind == .signed ? (-bound, bound) : (0, bound) }

    /// NumPy's default (linear) percentile of `values`, which it sorts.
    static func percentile(_ values: inout [Float], _ p: Float) -> Float {
        guard !values.isEmpty else { return 0 }
        values.sort()
        let rank = Double(p) / 100 * Double(values.count - 1)
        let low = Int(rank.rounded(.down)), high = min(low + 1, values.count - 1)
        let fraction = Float(rank - Double(low))
        return values[low] + (values[high] - values[low]) * fraction
    }
}
