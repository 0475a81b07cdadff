import LensModels

/// The knobs of feature visualisation and of the embedding view, one default and one range each:
/// the CLI, the report and the server read these, and `validate()` is the one check.
public struct FeatureVisSettings: Codable, Sendable, Equatable {
    /// Adam steps of gradient ascent.
    public var steps = Knobs.steps.defaultValue
    /// Adam's step size on the spectrum's coefficients.
    public var learningRate = Knobs.learningRate.defaultValue
    /// Images optimised together; above 1 the diversity term pushes them apart.
    public var images = Knobs.images.defaultValue
    /// Weight of the diversity term (mean pairwise cosine of the images' activations).
    public var diversity = Knobs.diversity.defaultValue
    /// Seeds the start and the random transformations.
    public var seed = Knobs.seed.defaultValue

    public init() {}

    public enum Knobs {
        public static let steps = Knob<Int>(
            "ascent_steps", name: "ascent steps", default: 256, range: 1...4096, unit: "steps",
            help: "feature-vis: Adam steps of gradient ascent on the image.")
        public static let learningRate = Knob<Double>(
            "vis_learning_rate", name: "learning rate", default: 0.01, range: 1e-5...10,
            help: "feature-vis: Adam's step size on the image's Fourier coefficients (Lucent's 0.05 drives a small CNN's images into black-and-white saturation; docs/feature-vis.md).")
        public static let images = Knob<Int>(
            "vis_images", name: "images", default: 1, range: 1...16, unit: "images",
            help: "feature-vis: images optimised together for one unit; above 1 a diversity term pushes them apart (4 is Lucid's choice).")
        public static let diversity = Knob<Double>(
            "diversity", name: "diversity", default: 1, range: 0...100,
            help: "feature-vis: weight of the diversity term when more than one image is made.")
        public static let seed = Knob<Int>(
            "vis_seed", name: "seed", default: 0, range: 0...Int(Int32.max),
            help: "feature-vis and embedding: seed of the start image, the random transformations and t-SNE.")

        /// Every knob and the setting it sets, in the order a form shows them.
        static var table: [KnobRow<FeatureVisSettings>] {
            [steps.row(\.steps), learningRate.row(\.learningRate), images.row(\.images), diversity.row(\.diversity), seed.row(\.seed)]
        }

        public static var all: [SettingInfo] { table.map(\.info) }
    }

    /// Throws for the first setting out of its declared range, naming it and the range.
    public func validate() throws { try Knobs.table.validate(self) }
}
