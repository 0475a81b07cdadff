import LensModels
import LensTensor

/// The test images a trust check reads and the class it explains for each: the model's own
/// prediction on the unchanged model, kept fixed through every randomisation step.
public struct TrustSample: Sendable {
    /// [n, ...input shape]
    public var images: Tensor
    /// Where each image sits among the images given, in order.
    public var indices: [Int]
    public var targets: [Int]

    /// Up to `settings.samples` of `images`, chosen by `settings.seed` (all of them when there are
    /// fewer), at least `TrustSettings.minimumSamples`.
    public init(choosingFrom images: Tensor, network: Network, settings: TrustSettings) throws {
        try settings.validate()
        let available = images.shape.first ?? 0
        guard available >= TrustSettings.minimumSamples else {
            throw ExplainError.invalidInput("too few test images: \(available) given, the trust checks need at least "
                                            + "\(TrustSettings.minimumSamples) to average over")
        }
        try network.checkInput(images)
        var order = Array(0..<available)
        var generator = SeededGenerator(seed: settings.seed)
        generator.shuffle(&order)
        let chosen = Array(order.prefix(settings.samples)).sorted()
        let subset = chosen.count == available ? images : images.gather(chosen)
        self.images = subset
        self.indices = chosen
        self.targets = network.predictions(subset)
    }

    public var count: Int { indices.count }
}

/// The geometry the comparisons need: pixels per map and the map's height and width.
struct MapGeometry {
    var inputShape: [Int]
    var channels: Int { inputShape.count == 3 ? inputShape[0] : 1 }
    var height: Int { inputShape.count == 3 ? inputShape[1] : 1 }
    var width: Int { inputShape.count == 3 ? inputShape[2] : inputShape.reduce(1, *) }
    var pixels: Int { height * width }

    init(_ network: Network) { inputShape = network.architecture.inputShape }
}
