import LensTensor

/// Whether a map can be drawn as if fine: no NaN, no infinity, not all one value. A map that fails
/// is flagged wherever it is shown (the report's badge, the renderer) and left out of every mean.
public struct MapCheck: Codable, Sendable, Equatable, CustomStringConvertible {
    public var nanCount: Int
    public var infiniteCount: Int
    /// Every value equal (an all-zero Grad-CAM with no positive evidence): nothing to rank or draw.
    public var isConstant: Bool

    public enum Problem: String, Codable, Sendable, CaseIterable {
        case nan, infinite, constant
    }

    public init(_ values: some Collection<Float>) {
        var nan = 0, infinite = 0
        var first: Float?, constant = true
        for value in values {
            if value.isNaN { nan += 1 } else if value.isInfinite { infinite += 1 }
            if let first { if value != first { constant = false } } else { first = value }
        }
        nanCount = nan
        infiniteCount = infinite
        // A map holding a NaN compares unequal to itself; it is flagged as NaN, not as constant.
        isConstant = constant && nan == 0
    }

    /// One check per item of maps [N, ...].
    public static func items(of maps: Tensor) -> [MapCheck] {
        let items = maps.shape.first ?? 0
        let size = items > 0 ? maps.count / items : 0
        return (0..<items).map { MapCheck(maps.scalars[($0 * size)..<(($0 + 1) * size)]) }
    }

    public var problems: [Problem] {
        (nanCount > 0 ? [.nan] : []) + (infiniteCount > 0 ? [.infinite] : []) + (isConstant ? [.constant] : [])
    }

    public var isHealthy: Bool { problems.isEmpty }

    /// In words, wherever a check is printed: never the struct's fields.
    public var description: String { summary }

    /// One line for a badge or a log: "fine", or what is wrong.
    public var summary: String {
        guard !isHealthy else { return "fine" }
        var parts: [String] = []
        if nanCount > 0 { parts.append("\(nanCount) NaN value\(nanCount == 1 ? "" : "s")") }
        if infiniteCount > 0 { parts.append("\(infiniteCount) infinite value\(infiniteCount == 1 ? "" : "s")") }
        if isConstant { parts.append("every value equal: nothing to show") }
        return parts.joined(separator: ", ")
    }
}
