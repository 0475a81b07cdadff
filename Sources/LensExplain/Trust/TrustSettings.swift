/// Every knob of the trust checks (`sanity`, `faithfulness`, data randomisation), with its default
/// and its allowed range in one place; `validate()` is the one check, and every report records
/// the settings it ran with.
public struct TrustSettings: Codable, Sendable, Equatable {
    /// Test images the figures are averaged over (fewer if fewer are given, never below `sampleRange`'s floor).
    public var samples = 32
    /// Seeds the choice of images, the re-initialised weights (`randomisationSeed`), the random
    /// rankings and the retrained models, so a run can be repeated exactly.
    public var seed: UInt64 = 0
    /// Model randomisation: a method passes when its mean Spearman correlation with the original
    /// map falls below this once the top learnable layer is re-initialised.
    public var randomisationThreshold = 0.5
    /// Data randomisation: a method passes when its maps agree with the control model's (mean
    /// Spearman) by at least this much more than with the shuffled-label model's.
    public var dataRandomisationMargin = 0.1
    /// Data randomisation: the shuffled-label model must reach this training accuracy (it has
    /// memorised the labels); training goes on in rounds of the model's epochs until it does.
    public var memorisationAccuracy = 0.95
    /// Data randomisation: at most this many rounds of the model's own epoch count.
    public var maxTrainingRounds = 6
    /// Faithfulness: the share of pixels removed or added per step of a curve.
    public var stepFraction = 1.0 / 32
    /// Faithfulness: what removed pixels become (deletion) and what insertion starts from. The
    /// default is the headline's alone (`headlineBaseline`): each baseline costs a full set of
    /// curves, and against zeros a brightness ranking wins whatever the model.
    public var baselines: [AttributionSettings.Baseline] = [headlineBaseline]
    /// The blurred baseline's Gaussian σ in pixels of the model's input (Petsiuk et al. 2018 use 5).
    public var blurSigma: Float = AttributionSettings().blurSigma

    public init() {}

    public static let minimumSamples = 2
    public static let sampleRange = minimumSamples...4096
    public static let stepFractionRange = (1.0 / 1024)...0.5
    public static let blurSigmaRange = AttributionSettings.blurRange
    public static let thresholdRange = -1.0...1.0
    public static let marginRange = 0.0...2.0
    public static let accuracyRange = 0.0...1.0
    public static let roundRange = 1...100

    /// The baseline the headline figure uses: insertion into a blurred copy, which a brightness
    /// ranking does not win (into zeros, adding the brightest pixels first already rebuilds a face).
    public static let headlineBaseline = AttributionSettings.Baseline.blurred

    /// Throws for the first setting out of range, naming it and the range.
    public func validate() throws {
        try checkSetting("test images", samples, Self.sampleRange)
        try checkSetting("randomisation threshold", randomisationThreshold, Self.thresholdRange)
        try checkSetting("data randomisation margin", dataRandomisationMargin, Self.marginRange)
        try checkSetting("memorisation accuracy", memorisationAccuracy, Self.accuracyRange)
        try checkSetting("training rounds", maxTrainingRounds, Self.roundRange)
        try checkSetting("step fraction", stepFraction, Self.stepFractionRange)
        try checkSetting("blur sigma", blurSigma, Self.blurSigmaRange)
        guard !baselines.isEmpty else {
            throw ExplainError.settingOutOfRange(setting: "baselines", value: "none",
                                                 allowed: "one or more of \(Self.baselineNames)")
        }
    }

    /// The baseline called `name`; the error lists the ones there are.
    public static func baseline(named name: String) throws -> AttributionSettings.Baseline {
        guard let baseline = AttributionSettings.Baseline(rawValue: name) else {
            throw ExplainError.settingOutOfRange(setting: "baseline", value: name, allowed: "one of \(baselineNames)")
        }
        return baseline
    }

    static var baselineNames: String { AttributionSettings.Baseline.allCases.map(\.rawValue).joined(separator: ", ") }
}
