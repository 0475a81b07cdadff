import LensTensor

/// Whether a map can be drawn honestly. A map with NaN or infinite values, or with every value
/// equal (a dead gradient, a saturated unit), would otherwise come out as a flat or garbled
/// picture that looks like an answer; pictures show a marked placeholder instead, and the
/// trust checks read the same verdict.
public enum MapHealth: Sendable, Equatable {
    case healthy
    case empty
    /// Counts of NaN and of infinite values, and of all values.
    case nonFinite(nan: Int, infinite: Int, count: Int)
    /// Every value is this one.
    case constant(Float)

    public init(_ map: Tensor) {
        self.init(values: map.scalars)
    }

    public init(values: [Float]) {
        guard let first = values.first else {
            self = .empty
            return
        }
        var nan = 0, infinite = 0, varies = false
        for value in values {
            if value.isNaN { nan += 1 } else if value.isInfinite { infinite += 1 }
            if value != first { varies = true }
        }
        if nan + infinite > 0 {
            self = .nonFinite(nan: nan, infinite: infinite, count: values.count)
        } else {
            self = varies ? .healthy : .constant(first)
        }
    }

    public var isDrawable: Bool { self == .healthy }

    /// What the placeholder says, or nil for a healthy map.
    public var problem: String? {
        switch self {
        case .healthy: nil
        case .empty: "no map: it has no values"
        case let .nonFinite(nan, infinite, count):
            "no map: " + [nan > 0 ? "NaN in \(nan)" : nil, infinite > 0 ? "±∞ in \(infinite)" : nil]
                .compactMap { $0 }.joined(separator: " and ") + " of \(count) values"
        case let .constant(value):
            "no map: all values equal (\(MapNumber.format(value)))"
        }
    }
}
