/// One step of a randomisation: the layer it re-initialised and how alike the maps stayed.
public struct RandomisationStep: Codable, Sendable, Equatable {
    /// Cascading: the lowest layer re-initialised so far; independent: the one layer.
    public var layer: String
    public var randomisedLayers: [String]
    public var agreement: MapAgreement
}

/// Whether a method's maps changed enough once the top layer was re-initialised.
public struct RandomisationVerdict: Codable, Sendable, Equatable {
    public enum Outcome: String, Codable, Sendable { case passed, failed, undetermined }
    public var outcome: Outcome
    /// Mean Spearman correlation with the original maps once the top layer is re-initialised.
    public var topStepSpearman: Double?
    public var threshold: Double
    public var rule: String
    /// Why the outcome is undetermined although a figure was measured (too few images), else nil.
    public var withheld: String?

    /// The outcome in words: "passed", "failed", or "undetermined" with why when a figure was withheld.
    public var words: String { withheld.map { "undetermined (\($0))" } ?? outcome.rawValue }

    init(topStep: RandomisationStep?, threshold: Double, images: Int) {
        let mean = topStep?.agreement.spearman?.mean
        self.topStepSpearman = mean
        self.threshold = threshold
        withheld = mean == nil ? nil : TrustSettings.tooFewImages(images)
        self.outcome = withheld != nil ? .undetermined : mean.map { $0 < threshold ? .passed : .failed } ?? .undetermined
        self.rule = "passes when the mean Spearman correlation of |map| with the trained model's map falls below "
            + "\(threshold) once the top learnable layer (\(topStep?.layer ?? "none")) is re-initialised; "
            + "undetermined when every map at that step was constant or fewer than \(TrustSettings.minimumVerdictImages) images were measured"
    }
}

/// One method's randomisation figures.
public struct MethodRandomisation: Codable, Sendable, Equatable {
    public var method: AttributionMethod
    /// Why the method does not apply to this model (Grad-CAM without a conv layer), else nil.
    public var notApplicable: String?
    /// From the top learnable layer down, each step adding the next layer below.
    public var cascading: [RandomisationStep]
    /// Each learnable layer alone, from the top down.
    public var independent: [RandomisationStep]
    public var verdict: RandomisationVerdict?
}

/// Everything `ModelRandomisation.run` measured, with what it ran on.
public struct ModelRandomisationReport: Codable, Sendable, Equatable {
    public var settings: TrustSettings
    /// The seed of the re-initialised weights (`Network(architecture:seed:)`).
    public var randomisationSeed: UInt64
    public var imageIndices: [Int]
    public var targets: [Int]
    public var reduction = PixelMagnitudes.description
    public var similarity = StructuralSimilarity.description
    public var methods: [MethodRandomisation]

    public func method(_ method: AttributionMethod) -> MethodRandomisation? { methods.first { $0.method == method } }
}
