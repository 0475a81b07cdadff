import LensModels

/// Every knob of the attribution methods, with its default and its allowed range in one place:
/// the CLI's flags, the server's query parameters and the report read these, and `validate()` is
/// the one check. A result records the settings its method used (`AttributionResult.settings`).
public struct AttributionSettings: Codable, Sendable, Equatable {
    public var smoothGradSamples = Knobs.smoothGradSamples.defaultValue
    public var smoothGradNoise = Knobs.smoothGradNoise.defaultValue
    /// SmoothGrad: average the squared gradients (SmoothGrad-Squared) instead of the gradients.
    public var smoothGradSquared = false
    public var integrationSteps = Knobs.integrationSteps.defaultValue
    public var integrationRule = Knobs.integrationRule.defaultValue
    /// The reference input of integrated gradients.
    public var baseline = Knobs.baseline.defaultValue
    public var blurSigma = Knobs.blurSigma.defaultValue
    /// Grad-CAM's layer (a conv layer or the ReLU/pool after one); nil: the last conv layer's output.
    public var layer: String?
    public var occlusionWindow = Knobs.occlusionWindow.defaultValue
    public var occlusionStride = Knobs.occlusionStride.defaultValue
    public var occlusionValue = Knobs.occlusionValue.defaultValue
    public var seed = Knobs.seed.defaultValue
    /// Items per forward/backward pass inside a method: samples and path points are streamed
    /// through batches of this size, so memory does not grow with the step or sample count.
    public var batchSize = Knobs.batchSize.defaultValue

    public init() {}

    public enum IntegrationRule: String, Codable, Sendable, CaseIterable {
        /// Gauss–Legendre nodes and weights on [0, 1]: Captum's default.
        case gaussLegendre = "gauss-legendre"
        /// αᵢ = (i + ½)/m, weights 1/m.
        case midpoint
    }

    public enum Baseline: String, Codable, Sendable, CaseIterable {
        /// A black image.
        case zeros
        /// The mean training image.
        case mean
        /// The input blurred (Gaussian of σ `blurSigma`).
        case blurred
    }

    /// Each knob declared once: key, name, default, range, unit and help.
    public enum Knobs {
        public static let smoothGradSamples = Knob<Int>(
            "smooth_grad_samples", name: "SmoothGrad samples", default: 25, range: 1...10_000, unit: "samples",
            help: "smoothgrad: noisy copies averaged per image.")
        public static let smoothGradNoise = Knob<Float>(
            "smooth_grad_noise", name: "SmoothGrad noise", default: 0.15, range: 0...10,
            help: "smoothgrad: noise σ as a fraction of each image's own range (max − min).")
        public static let smoothGradSquared = SwitchKnob(
            "smooth_grad_squared", name: "SmoothGrad squared", help: "smoothgrad: average squared gradients (SmoothGrad-Squared).")
        public static let integrationSteps = Knob<Int>(
            "integration_steps", name: "integration steps", default: 50, range: 1...100_000, unit: "steps",
            help: "integrated-gradients: points on the path from the baseline to the image.")
        public static let integrationRule = ChoiceKnob<IntegrationRule>(
            "integration_rule", name: "integration rule", default: .gaussLegendre,
            help: "integrated-gradients: the quadrature rule, gauss-legendre (as Captum) or midpoint.")
        public static let baseline = ChoiceKnob<Baseline>(
            "baseline", name: "baseline", default: .zeros,
            help: "integrated-gradients and faithfulness: the reference image, zeros, mean (the mean training image) or blurred (the input blurred).")
        public static let blurSigma = Knob<Float>(
            "blur_sigma", name: "blur sigma", default: 5, range: 0.1...1000, unit: "pixels",
            help: "the blurred baseline's Gaussian σ.")
        public static let occlusionWindow = Knob<Int>(
            "occlusion_window", name: "occlusion window", default: 8, range: 1...4096, unit: "pixels",
            help: "occlusion: side of the square window (at most the image's side).")
        public static let occlusionStride = Knob<Int>(
            "occlusion_stride", name: "occlusion stride", default: 4, range: 1...4096, unit: "pixels",
            help: "occlusion: step between windows (at most the image's side).")
        public static let occlusionValue = Knob<Float>(
            "occlusion_value", name: "occlusion value", default: 0, range: -1_000_000...1_000_000,
            help: "occlusion: the value put in the window.")
        public static let seed = Knob<UInt64>(
            "seed", name: "seed", default: 0, range: 0...UInt64.max, help: "Seed of the noise smoothgrad draws.")
        public static let batchSize = Knob<Int>(
            "batch_size", name: "batch size", default: 64, range: 1...4096, unit: "items",
            help: "Items per forward/backward pass inside a method.")

        /// Every attribution knob and the setting it sets, in the order a form shows them.
        static var table: [KnobRow<AttributionSettings>] {
            [integrationSteps.row(\.integrationSteps), integrationRule.row(), baseline.row(), blurSigma.row(\.blurSigma),
             smoothGradSamples.row(\.smoothGradSamples), smoothGradNoise.row(\.smoothGradNoise), smoothGradSquared.row(),
             occlusionWindow.row(\.occlusionWindow), occlusionStride.row(\.occlusionStride), occlusionValue.row(\.occlusionValue),
             seed.row(\.seed), batchSize.row(\.batchSize)]
        }

        public static var all: [SettingInfo] { table.map(\.info) }
    }

    /// Throws for the first setting out of its declared range, naming it and the range.
    public func validate() throws { try Knobs.table.validate(self) }
}
