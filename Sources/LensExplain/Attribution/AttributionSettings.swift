/// Every knob of the attribution methods, with its default and its allowed range in one place:
/// the CLI's flags, the server's query parameters and the report read these, and `validate()` is
/// the one check. A result records the settings its method used (`AttributionResult.settings`).
public struct AttributionSettings: Codable, Sendable, Equatable {
    /// SmoothGrad: noisy copies averaged per image.
    public var smoothGradSamples = 25
    /// SmoothGrad: noise σ as a fraction of each image's own range (max − min).
    public var smoothGradNoise: Float = 0.15
    /// SmoothGrad: average the squared gradients (SmoothGrad-Squared) instead of the gradients.
    public var smoothGradSquared = false
    /// Integrated gradients: points on the path from the baseline to the input.
    public var integrationSteps = 50
    public var integrationRule: IntegrationRule = .gaussLegendre
    /// The reference input of integrated gradients.
    public var baseline: Baseline = .zeros
    /// The blurred baseline's Gaussian σ, in pixels.
    public var blurSigma: Float = 5
    /// Grad-CAM's layer (a conv layer or the ReLU/pool after one); nil: the last conv layer's output.
    public var layer: String?
    /// Occlusion: side of the square window, the step between windows, and the value put in the window.
    public var occlusionWindow = 8
    public var occlusionStride = 4
    public var occlusionValue: Float = 0
    /// Seed of the noise SmoothGrad draws.
    public var seed: UInt64 = 0
    /// Items per forward/backward pass inside a method: samples and path points are streamed
    /// through batches of this size, so memory does not grow with the step or sample count.
    public var batchSize = 64

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

    /// The allowed ranges, by setting name (what the error messages cite).
    public static let sampleRange = 1...10_000
    public static let noiseRange: ClosedRange<Float> = 0...10
    public static let stepRange = 1...100_000
    public static let batchRange = 1...4096
    public static let blurRange: ClosedRange<Float> = 0.1...1000
    /// Occlusion's window and stride; each is also checked against the image's side when it runs.
    public static let windowRange = 1...4096

    /// Throws for the first setting out of range, naming it and the range.
    public func validate() throws {
        try checkSetting("SmoothGrad samples", smoothGradSamples, Self.sampleRange)
        try checkSetting("SmoothGrad noise", smoothGradNoise, Self.noiseRange)
        try checkSetting("integration steps", integrationSteps, Self.stepRange)
        try checkSetting("batch size", batchSize, Self.batchRange)
        try checkSetting("blur sigma", blurSigma, Self.blurRange)
        try checkSetting("occlusion window", occlusionWindow, Self.windowRange)
        try checkSetting("occlusion stride", occlusionStride, Self.windowRange)
        guard occlusionValue.isFinite else {
            throw ExplainError.settingOutOfRange(setting: "occlusion value", value: "\(occlusionValue)", allowed: "a finite number")
        }
    }
}
