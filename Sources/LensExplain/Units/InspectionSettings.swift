import LensModels

/// The knobs of templates, nearest-neighbour evidence and unit inspection, with their defaults
/// and allowed ranges in one place: the CLI, the report and the server read these, and
/// `validate()` is the one check (as `AttributionSettings` is for the attribution methods).
public struct InspectionSettings: Codable, Sendable, Equatable {
    /// Templates: an MLP's strongest voters shown per class.
    public var topVotes = Knobs.topVotes.defaultValue
    /// Nearest-neighbour evidence: training images shown per input.
    public var neighbors = Knobs.neighbors.defaultValue
    /// Where neighbours are sought for a network (a k-NN model always uses its own metric).
    public var nearestSpace = Knobs.nearestSpace.defaultValue
    /// An input whose nearest distance lies above this percentile of the test images' is unusual.
    public var unusualPercentile = Knobs.unusualPercentile.defaultValue
    /// How far above that percentile's distance (in percent of it) a nearest distance must lie to be unusual.
    public var unusualMargin = Knobs.unusualMargin.defaultValue
    /// Units: dataset images (dense units) or patches (conv channels) shown per unit.
    public var topImages = Knobs.topImages.defaultValue
    /// Images per forward pass when streaming a dataset through a network.
    public var batchSize = Knobs.batchSize.defaultValue

    public init() {}

    /// Each knob declared once: key, name, default, range, unit and help.
    public enum Knobs {
        public static let topVotes = Knob<Int>(
            "top_votes", name: "top votes", default: 5, range: 1...1000, unit: "units",
            help: "templates: an MLP's strongest voters shown per class.")
        public static let neighbors = Knob<Int>(
            "neighbors", name: "neighbours", default: 5, range: 1...1000, unit: "images",
            help: "nearest: training images shown per input.")
        public static let nearestSpace = ChoiceKnob<NearestSpace>(
            "nearest_space", name: "nearest space", default: .penultimate,
            help: "nearest, for a network: penultimate (the layer feeding the output) or pixels.")
        public static let unusualPercentile = Knob<Double>(
            "unusual_percentile", name: "unusual percentile", default: 100, range: 0...100, unit: "percent",
            help: "nearest: flag an input as unusual when its nearest distance lies above this percentile of the validation images' (100: farther than every one).")
        public static let unusualMargin = Knob<Double>(
            "unusual_margin", name: "unusual margin", default: 5, range: 0...100, unit: "percent",
            help: "nearest: flag only a nearest distance more than this many percent above that percentile's (the farthest validation image is one sample, not the edge of the data).")
        public static let topImages = Knob<Int>(
            "top_images", name: "top images", default: 9, range: 1...1000, unit: "images",
            help: "units and deconvnet projections: top images or patches per unit.")
        public static let batchSize = Knob<Int>(
            "batch_size", name: "batch size", default: 64, range: 1...4096, unit: "images",
            help: "Images per forward pass when streaming a dataset through a network.")

        /// Every inspection knob and the setting it sets, in the order a form shows them.
        static var table: [KnobRow<InspectionSettings>] {
            [neighbors.row(\.neighbors), nearestSpace.row(), unusualPercentile.row(\.unusualPercentile),
             unusualMargin.row(\.unusualMargin), topVotes.row(\.topVotes),
             topImages.row(\.topImages), batchSize.row(\.batchSize)]
        }

        public static var all: [SettingInfo] { table.map(\.info) }
    }

    /// Throws for the first setting out of its declared range, naming it and the range.
    public func validate() throws { try Knobs.table.validate(self) }

    /// Throws unless a count asks for at most `available` things (k nearest of 240 images, ...).
    static func check(_ setting: String, _ value: Int, available: Int, of things: String) throws {
        guard (1...max(available, 1)).contains(value), available > 0 else {
            throw ExplainError.settingOutOfRange(setting: setting, value: "\(value)",
                                                 allowed: "between 1 and \(available), the number of \(things)")
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
