import LensModels
import LensTensor

/// One attribution method: a batch and one target class per item in, raw maps out.
///
/// Maps are never rectified, normalised or reduced over channels here: that is rendering's job
/// (LensRender), so that several maps can share one scale and `.npy` exports stay raw.
public protocol Attributor: Sendable {
    /// Maps for `inputs` [N, ...input shape] explaining `targets[i]` of item i. `network` is
    /// inout only because a forward pass keeps caches in it; its parameters are not changed.
    func attribute(_ network: inout Network, inputs: Tensor, targets: [Int], settings: AttributionSettings,
                   context: AttributionContext) throws -> AttributionResult
}

/// What a method may need beyond the network and the inputs.
public struct AttributionContext: Sendable {
    /// The mean training image (the input's item shape), for the `mean` baseline.
    public var meanImage: Tensor?
    /// Given noise for SmoothGrad, [samples, N, ...input shape], instead of drawn noise (the
    /// conformance fixtures give theirs so that the result is deterministic).
    public var smoothGradNoise: Tensor?
    /// Called with the fraction done, from 0 to 1, by methods that take a while.
    public var progress: (@Sendable (Double) -> Void)?

    public init(meanImage: Tensor? = nil, smoothGradNoise: Tensor? = nil, progress: (@Sendable (Double) -> Void)? = nil) {
        self.meanImage = meanImage
        self.smoothGradNoise = smoothGradNoise
        self.progress = progress
    }
}

/// Raw maps and everything that goes with them.
public struct AttributionResult: Sendable {
    public var method: AttributionMethod
    /// [N, ...the model's input shape]: one signed map per item, in the model's input layout
    /// ([C, H, W] for images; for Grad-CAM, the upsampled map repeated over the input's channels).
    public var maps: Tensor
    public var targets: [Int]
    /// The network's logits at the inputs [N, classes].
    public var logits: Tensor
    /// The settings this method read, by name, exactly as used ("steps": "50", "rule": "gauss-legendre").
    public var settings: [String: String]
    /// Integrated gradients: Σ attributions − (F(x) − F(baseline)) per item.
    public var convergenceDelta: [Float]?
    /// Further raw outputs by name: Grad-CAM's map at its layer's resolution ("gradcam" [N, 1, h, w]),
    /// occlusion's target-probability map ("occlusion_probability" [N, positions_y, positions_x]) and
    /// the class predicted with the window at each position ("occlusion_top_label", same shape).
    public var auxiliary: [String: Tensor]

    public init(method: AttributionMethod, maps: Tensor, targets: [Int], logits: Tensor, settings: [String: String],
                convergenceDelta: [Float]? = nil, auxiliary: [String: Tensor] = [:]) {
        self.method = method
        self.maps = maps
        self.targets = targets
        self.logits = logits
        self.settings = settings
        self.convergenceDelta = convergenceDelta
        self.auxiliary = auxiliary
    }
}

extension AttributionMethod {
    /// Validates the settings and the inputs, then runs the method.
    public func attribute(_ network: inout Network, inputs: Tensor, targets: [Int],
                          settings: AttributionSettings = AttributionSettings(),
                          context: AttributionContext = AttributionContext()) throws -> AttributionResult {
        try settings.validate()
        try network.checkInput(inputs)
        try network.checkTargets(targets, for: inputs)
        guard !targets.isEmpty else { throw ExplainError.invalidInput("no images to explain") }
        // Methods see items in the model's own layout ([C, H, W] for images), whatever the caller's.
        let items = inputs.reshaped([targets.count] + network.architecture.inputShape)
        return try attributor.attribute(&network, inputs: items, targets: targets, settings: settings, context: context)
    }
}
