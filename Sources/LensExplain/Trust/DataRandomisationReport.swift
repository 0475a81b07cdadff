/// A model trained for the comparison.
public struct RetrainedModel: Codable, Sendable, Equatable {
    public var role: String
    /// The seed of its initial weights (the shuffling and augmentation seed is offset alike).
    public var seed: UInt64
    /// Epochs of its last training round.
    public var epochs: Int
    public var rounds: Int
    /// Whether more epochs than the model's own were needed to memorise the shuffled labels.
    public var epochsRaised: Bool
    /// Accuracy on the training images, against the labels it was trained on.
    public var trainingAccuracy: Double
    /// Shuffled model: whether it reached `TrustSettings.memorisationAccuracy`.
    public var memorised: Bool?
}

public struct DataRandomisationVerdict: Codable, Sendable, Equatable {
    public var outcome: RandomisationVerdict.Outcome
    /// Mean Spearman against the control minus that against the shuffled model.
    public var difference: Double?
    public var margin: Double
    public var rule: String
    /// Why the outcome is undetermined although a figure was measured (too few images), else nil.
    public var withheld: String?

    /// The outcome in words: "passed", "failed", or "undetermined" with why when a figure was withheld.
    public var words: String { withheld.map { "undetermined (\($0))" } ?? outcome.rawValue }

    init(shuffled: MapAgreement, control: MapAgreement, margin: Double, images: Int) {
        let difference = control.spearman.flatMap { c in shuffled.spearman.map { c.mean - $0.mean } }
        self.difference = difference
        self.margin = margin
        withheld = difference == nil ? nil : TrustSettings.tooFewImages(images)
        self.outcome = withheld != nil ? .undetermined : difference.map { $0 >= margin ? .passed : .failed } ?? .undetermined
        self.rule = "passes when the mean Spearman correlation of |map| with the control model's maps exceeds that with the "
            + "shuffled-label model's by at least \(margin)"
    }
}

public struct MethodDataRandomisation: Codable, Sendable, Equatable {
    public var method: AttributionMethod
    public var notApplicable: String?
    public var realVsShuffled: MapAgreement?
    public var realVsControl: MapAgreement?
    public var verdict: DataRandomisationVerdict?
}

public struct DataRandomisationReport: Codable, Sendable, Equatable {
    public var settings: TrustSettings
    public var imageIndices: [Int]
    public var targets: [Int]
    public var realTrainingAccuracy: Double
    public var shuffled: RetrainedModel
    public var control: RetrainedModel
    public var reduction = PixelMagnitudes.description
    public var similarity = StructuralSimilarity.description
    public var methods: [MethodDataRandomisation]

    public func method(_ method: AttributionMethod) -> MethodDataRandomisation? { methods.first { $0.method == method } }
}
