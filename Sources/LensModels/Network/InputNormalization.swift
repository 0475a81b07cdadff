import LensTensor

/// Per-channel normalisation x ↦ (x − mean_c) / std_c, as torchvision's `Normalize` applies before
/// a PyTorch model; folded into the model's first layer so that it takes raw [0, 1] pixels like
/// every lens model.
///
/// Exact for a first linear layer and for an unpadded first convolution. A padded convolution
/// differs at the border: PyTorch pads the normalised image with 0 (the raw value mean_c), the
/// folded layer pads the raw image with 0; `fold` reports this.
public struct InputNormalization: Sendable, Equatable {
    public var mean: [Float]
    public var std: [Float]

    /// Named normalisations (`--normalize NAME`): torchvision's ImageNet statistics.
    public static let presets: [String: InputNormalization] = [
        "imagenet": InputNormalization(uncheckedMean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225]),
    ]

    private init(uncheckedMean mean: [Float], std: [Float]) {
        self.mean = mean
        self.std = std
    }

    /// Checks that there is one finite mean and one finite std above zero per channel.
    public init(mean: [Float], std: [Float], channels: Int) throws {
        guard mean.count == channels, std.count == channels else {
            throw ModelRecipeError("the input has \(channels) channel\(channels == 1 ? "" : "s"): give \(channels) mean "
                                   + "and \(channels) std value\(channels == 1 ? "" : "s"), not \(mean.count) and \(std.count)")
        }
        guard mean.allSatisfy(\.isFinite), std.allSatisfy({ $0.isFinite && $0 > 0 }) else {
            throw ModelRecipeError("mean \(mean) and std \(std) must be finite numbers, each std above 0")
        }
        self.mean = mean
        self.std = std
    }

    /// Whether folding into `architecture`'s first layer gives the PyTorch model's outputs exactly.
    public func foldsExactly(into architecture: Architecture) -> Bool {
        guard case let .conv2d(_, _, _, _, padding)? = FirstLayerFolding.firstWeightedLayer(of: architecture)?.operation else {
            return true
        }
        return padding == 0 || mean.allSatisfy { $0 == 0 }
    }

    /// Rewrites the first layer so the network computes on raw pixels what it computed on normalised ones.
    public func fold(into network: inout Network) throws {
        let architecture = network.architecture
        guard let layer = FirstLayerFolding.firstWeightedLayer(of: architecture) else {
            throw ModelRecipeError("the input normalisation can only be folded into a first linear or convolution layer")
        }
        let inputShape = architecture.inputShape
        guard inputShape.count == 3, inputShape[0] == mean.count else {
            throw ModelRecipeError("the input normalisation has \(mean.count) channels but the input shape is \(inputShape)")
        }
        switch layer.operation {
        case .conv2d:
            try FirstLayerFolding.fold(into: &network, mean: mean, scale: std)
        default:
            // A linear layer after the flatten sees channel c's values as features c·H·W ..< (c+1)·H·W.
            let plane = inputShape[1] * inputShape[2]
            try FirstLayerFolding.fold(into: &network, mean: mean.flatMap { [Float](repeating: $0, count: plane) },
                                       scale: std.flatMap { [Float](repeating: $0, count: plane) })
        }
    }
}
