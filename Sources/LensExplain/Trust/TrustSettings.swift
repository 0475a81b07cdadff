import LensModels

/// Every knob of the trust checks (`sanity`, `faithfulness`, data randomisation), with its default
/// and its allowed range in one place; `validate()` is the one check, and every report records
/// the settings it ran with.
public struct TrustSettings: Codable, Sendable, Equatable {
    /// Test images the figures are averaged over (fewer if fewer are given, never below `minimumSamples`).
    public var samples = Knobs.samples.defaultValue
    /// Seeds the choice of images, the re-initialised weights (`randomisationSeed`), the random
    /// rankings and the retrained models, so a run can be repeated exactly.
    public var seed = Knobs.seed.defaultValue
    /// Model randomisation: a method passes when its mean Spearman correlation with the original
    /// map falls below this once the top learnable layer is re-initialised.
    public var randomisationThreshold = Knobs.randomisationThreshold.defaultValue
    /// Data randomisation: a method passes when its maps agree with the control model's (mean
    /// Spearman) by at least this much more than with the shuffled-label model's.
    public var dataRandomisationMargin = Knobs.dataRandomisationMargin.defaultValue
    /// Data randomisation: the shuffled-label model must reach this training accuracy (it has
    /// memorised the labels); training goes on in rounds of the model's epochs until it does.
    public var memorisationAccuracy = Knobs.memorisationAccuracy.defaultValue
    /// Data randomisation: at most this many rounds of the model's own epoch count.
    public var maxTrainingRounds = Knobs.maxTrainingRounds.defaultValue
    /// Faithfulness: the share of pixels removed or added per step of a curve.
    public var stepFraction = Knobs.stepFraction.defaultValue
    /// Faithfulness: what removed pixels become (deletion) and what insertion starts from. The
    /// default is the headline's alone (`headlineBaseline`): each baseline costs a full set of
    /// curves, and against zeros a brightness ranking wins whatever the model.
    public var baselines: [AttributionSettings.Baseline] = [headlineBaseline]
    /// The blurred baseline's Gaussian σ in pixels of the model's input (Petsiuk et al. 2018 use 5).
    public var blurSigma = Knobs.blurSigma.defaultValue

    public init() {}

    public static var minimumSamples: Int { Knobs.samples.range.lowerBound }

    /// Images a pass/fail verdict needs: a mean over fewer is a look, not a measurement, and the
    /// verdict says so (undetermined, too few images) instead of passing or failing.
    public static let minimumVerdictImages = 8

    /// Why a verdict over `images` images is withheld, or nil when there are enough.
    public static func tooFewImages(_ images: Int) -> String? {
        images < minimumVerdictImages
            ? "too few images for a verdict: \(images) measured, at least \(minimumVerdictImages) needed" : nil
    }

    /// Each knob declared once: key, name, default, range, unit and help.
    public enum Knobs {
        public static let samples = Knob<Int>(
            "samples", name: "test images", default: 32, range: 2...4096, unit: "images",
            help: "sanity and faithfulness: test images averaged over.")
        public static let seed = Knob<UInt64>(
            "seed", name: "seed", default: 0, range: 0...UInt64.max,
            help: "Seeds the choice of images, the re-initialised weights, the random rankings and the retrained models.")
        public static let randomisationThreshold = Knob<Double>(
            "randomisation_threshold", name: "randomisation threshold", default: 0.5, range: -1...1,
            help: "model randomisation: a method passes when its maps' mean Spearman correlation with the originals falls below this.")
        public static let dataRandomisationMargin = Knob<Double>(
            "data_randomisation_margin", name: "data randomisation margin", default: 0.1, range: 0...2,
            help: "data randomisation: how much more a method's maps must agree with the control model's than with the shuffled-label model's.")
        public static let memorisationAccuracy = Knob<Double>(
            "memorisation_accuracy", name: "memorisation accuracy", default: 0.95, range: 0...1,
            help: "data randomisation: the training accuracy the shuffled-label model must reach.")
        public static let maxTrainingRounds = Knob<Int>(
            "max_training_rounds", name: "training rounds", default: 6, range: 1...100, unit: "rounds",
            help: "data randomisation: at most this many rounds of the model's own epoch count.")
        public static let stepFraction = Knob<Double>(
            "step_fraction", name: "step fraction", default: 1.0 / 32, range: (1.0 / 1024)...0.5,
            help: "faithfulness: the share of pixels removed or added per step.")
        public static let blurSigma = Knob<Float>(
            "blur_sigma", name: "blur sigma", default: AttributionSettings.Knobs.blurSigma.defaultValue,
            range: AttributionSettings.Knobs.blurSigma.range, unit: "pixels",
            help: "faithfulness: the blurred baseline's Gaussian σ (Petsiuk et al. 2018 use 5).")

        /// Every trust knob and the setting it sets, in the order a form shows them.
        static var table: [KnobRow<TrustSettings>] {
            [samples.row(\.samples), stepFraction.row(\.stepFraction), blurSigma.row(\.blurSigma),
             randomisationThreshold.row(\.randomisationThreshold), dataRandomisationMargin.row(\.dataRandomisationMargin),
             memorisationAccuracy.row(\.memorisationAccuracy), maxTrainingRounds.row(\.maxTrainingRounds), seed.row(\.seed)]
        }

        public static var all: [SettingInfo] { table.map(\.info) }
    }

    /// The baseline the headline figure uses: insertion into a blurred copy, which a brightness
    /// ranking does not win (into zeros, adding the brightest pixels first already rebuilds a face).
    public static let headlineBaseline = AttributionSettings.Baseline.blurred

    /// Throws for the first setting out of range, naming it and the range.
    public func validate() throws {
        try Knobs.table.validate(self)
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
