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
    /// The contrastive target, set by `attribute(…, against:)`: item i explains
    /// logit[targets[i]] − logit[against[i]] instead of logit[targets[i]].
    public internal(set) var against: [Int]?

    /// The score item `item` explains, read from row `row` of `logits` [rows, classes] (its own
    /// row unless given): its target's logit, less the contrasting class's when there is one.
    func score(_ logits: Tensor, row: Int? = nil, item: Int, target: Int) -> Float {
        let classes = logits.shape[1], base = (row ?? item) * classes
        let contrast = against.map { logits.scalars[base + $0[item]] } ?? 0
        return logits.scalars[base + target] - contrast
    }

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
    /// With `against`, item i's map explains logit[targets[i]] − logit[against[i]]: why this class
    /// rather than that one (a mistake against its true class), from one gradient pass as for a
    /// single class. The map is linear in the score, so for a method linear in it (saliency,
    /// gradient × input, integrated gradients, occlusion) it is map(target) − map(against).
    public func attribute(_ network: inout Network, inputs: Tensor, targets: [Int], against: [Int]? = nil,
                          settings: AttributionSettings = AttributionSettings(),
                          context: AttributionContext = AttributionContext()) throws -> AttributionResult {
        try settings.validate()
        try network.checkInput(inputs)
        try network.checkTargets(targets, for: inputs)
        guard !targets.isEmpty else { throw ExplainError.invalidInput("no images to explain") }
        if let against {
            guard against.count == targets.count else {
                throw ExplainError.invalidInput("\(against.count) contrasting classes for \(targets.count) images")
            }
            try network.checkTargets(against, for: inputs)
        }
        var context = context
        context.against = against
        // Methods see items in the model's own layout ([C, H, W] for images), whatever the caller's.
        let items = inputs.reshaped([targets.count] + network.architecture.inputShape)
        return try attributor.attribute(&network, inputs: items, targets: targets, settings: settings, context: context)
    }
}
