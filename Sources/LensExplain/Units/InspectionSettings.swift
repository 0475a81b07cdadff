/// The knobs of templates, nearest-neighbour evidence and unit inspection, with their defaults
/// and allowed ranges in one place: the CLI, the report and the server read these, and
/// `validate()` is the one check (as `AttributionSettings` is for the attribution methods).
public struct InspectionSettings: Codable, Sendable, Equatable {
    /// Templates: an MLP's strongest voters shown per class.
    public var topVotes = 5
    /// Nearest-neighbour evidence: training images shown per input.
    public var neighbors = 5
    /// Where neighbours are sought for a network (a k-NN model always uses its own metric).
    public var nearestSpace: NearestSpace = .penultimate
    /// An input whose nearest distance lies above this percentile of the test images' is unusual.
    public var unusualPercentile: Double = 95
    /// Units: dataset images (dense units) or patches (conv channels) shown per unit.
    public var topImages = 9
    /// Images per forward pass when streaming a dataset through a network.
    public var batchSize = 64

    public init() {}

    public static let countRange = 1...1000
    public static let percentileRange: ClosedRange<Double> = 0...100
    public static let batchRange = 1...4096

    /// Throws for the first setting out of range, naming it and the range.
    public func validate() throws {
        try Self.check("top votes", topVotes, Self.countRange)
        try Self.check("neighbours", neighbors, Self.countRange)
        try Self.check("top images", topImages, Self.countRange)
        try Self.check("batch size", batchSize, Self.batchRange)
        try Self.check("unusual percentile", unusualPercentile, Self.percentileRange)
    }

    /// Throws unless a count asks for at most `available` things (k nearest of 240 images, ...).
    static func check(_ setting: String, _ value: Int, available: Int, of things: String) throws {
        guard (1...max(available, 1)).contains(value), available > 0 else {
            throw ExplainError.settingOutOfRange(setting: setting, value: "\(value)",
                                                 allowed: "between 1 and \(available), the number of \(things)")
        }
    }

    private static func check<T: Comparable>(_ name: String, _ value: T, _ range: ClosedRange<T>) throws {
        guard range.contains(value) else {
            throw ExplainError.settingOutOfRange(setting: name, value: "\(value)",
                                                 allowed: "between \(range.lowerBound) and \(range.upperBound)")
        }
    }
}

/// The representation nearest neighbours are sought in, for a network.
public enum NearestSpace: String, Codable, Sendable, CaseIterable {
    /// The output of the layer feeding the output layer (pixels for softmax regression).
    case penultimate
    /// Raw input pixels.
    case pixels
}
