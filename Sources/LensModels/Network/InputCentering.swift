import LensTensor

/// Trains a dense network on centred inputs, then folds the centring into its first linear layer.
///
/// Face images are nearly alike: every pixel vector is mostly the mean face. A hidden unit that
/// sees raw pixels responds almost the same to every image, so narrow networks learn very slowly
/// (a 50-unit network on ORL is still near chance after 30 epochs). Subtracting the training mean
/// image and dividing by the overall spread fixes that (the same network reaches 100% training
/// accuracy in 15 epochs). Afterwards, W·((x − μ)/s) + b = (W/s)·x + (b − (W/s)·μ) is folded back
/// into the first layer, so the saved model takes raw [0, 1] pixels like any other (PyTorch sees
/// an ordinary Linear layer) and its first-layer weights are the templates in pixel space.
public struct InputCentering: Sendable, Equatable {
    public var mean: [Float]
    public var scale: Float

    /// Mean of every feature over `images` [N, ...], and the root-mean-square deviation from it.
    public init(fitting images: Tensor) {
        let count = images.shape[0], features = images.count / max(count, 1)
        var sums = [Double](repeating: 0, count: features)
        images.scalars.withUnsafeBufferPointer { values in
            for n in 0..<count { for j in 0..<features { sums[j] += Double(values[n * features + j]) } }
        }
        let mean = sums.map { Float($0 / Double(max(count, 1))) }
        var squares = 0.0
        images.scalars.withUnsafeBufferPointer { values in
            for n in 0..<count { for j in 0..<features { let d = Double(values[n * features + j] - mean[j]); squares += d * d } }
        }
        let rms = (squares / Double(max(count * features, 1))).squareRoot()
        self.mean = mean
        self.scale = rms > 1e-6 ? Float(rms) : 1
    }

    /// (x − μ) / s for every item of `images`.
    public func apply(_ images: Tensor) -> Tensor {
        var out = images
        let features = mean.count
        out.scalars.withUnsafeMutableBufferPointer { values in
            for i in 0..<values.count { values[i] = (values[i] - mean[i % features]) / scale }
        }
        return out
    }

    /// Whether `architecture` can absorb the centring exactly: its first weighted layer is linear
    /// and sees the input unchanged (only a flatten before it).
    public static func firstLinearLayer(of architecture: Architecture) -> LayerSpec? {
        for layer in architecture.layers {
            switch layer.operation {
            case .flatten: continue
            case .linear: return layer
            default: return nil
            }
        }
        return nil
    }

    /// Rewrites the first linear layer so that it takes raw inputs: W' = W/s, b' = b − W'·μ.
    public func fold(into network: inout Network) throws {
        try FirstLayerFolding.fold(into: &network, layer: try firstLayer(of: network),
                                   mean: mean, scale: [Float](repeating: scale, count: mean.count))
    }

    /// The inverse of `fold`: rewrites a first linear layer that takes raw inputs so that it takes
    /// centred ones (W = W'·s, b = b' + W'·μ), to go on training a saved model as it was trained.
    public func unfold(from network: inout Network) throws {
        try FirstLayerFolding.unfold(from: &network, layer: try firstLayer(of: network),
                                     mean: mean, scale: [Float](repeating: scale, count: mean.count))
    }

    /// The centring applies per pixel, so only to a first linear layer that sees the input unchanged.
    private func firstLayer(of network: Network) throws -> LayerSpec {
        guard let layer = Self.firstLinearLayer(of: network.architecture) else {
            throw ModelRecipeError("input centring applies only to a first linear layer")
        }
        return layer
    }
}
