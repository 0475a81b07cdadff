/// The mean of a set of per-image figures and how far they spread: standard deviation (n − 1),
/// minimum, quartiles and maximum (linear interpolation between order statistics, NumPy's default).
public struct Spread: Codable, Sendable, Equatable {
    public var count: Int
    public var mean: Double
    public var std: Double
    public var min: Double
    public var lowerQuartile: Double
    public var median: Double
    public var upperQuartile: Double
    public var max: Double

    /// Nil for no values. NaNs are never passed in: callers leave undefined figures out and count them.
    public init?(_ values: [Double]) {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let n = Double(values.count)
        let mean = values.reduce(0, +) / n
        let squares = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        func quantile(_ q: Double) -> Double {
            let position = q * (n - 1)
            let low = Int(position.rounded(.down)), high = Swift.min(low + 1, sorted.count - 1)
            return sorted[low] + (sorted[high] - sorted[low]) * (position - Double(low))
        }
        self.count = values.count
        self.mean = mean
        std = values.count > 1 ? (squares / (n - 1)).squareRoot() : 0
        min = sorted[0]
        max = sorted[sorted.count - 1]
        lowerQuartile = quantile(0.25)
        median = quantile(0.5)
        upperQuartile = quantile(0.75)
    }
}
