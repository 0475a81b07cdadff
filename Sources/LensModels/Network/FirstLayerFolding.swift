import LensTensor

/// Folds an input transform x ↦ (x − μ) / s into the first layer with parameters, so the network
/// takes raw inputs: W' = W / s and b' = b − W'·μ. One implementation for the training centring
/// (`InputCentering`, which also unfolds it to resume training) and for an imported model's
/// normalisation (`InputNormalization`): the one owner of rewriting a first layer.
enum FirstLayerFolding {
    /// The first layer with parameters, if only layers that commute with a per-channel affine map
    /// of positive scale come before it (flatten, dropout, max pooling), in a chain.
    static func firstWeightedLayer(of architecture: Architecture) -> LayerSpec? {
        guard architecture.isChain else { return nil }
        for layer in architecture.layers {
            switch layer.operation {
            case .flatten, .dropout, .maxPool2d, .identity: continue
            case .linear, .conv2d: return layer
            default: return nil
            }
        }
        return nil
    }

    /// Folds x ↦ (x − μ) / s into the first weighted layer (or `layer`): W' = W / s, b' = b − W'·μ.
    /// `mean` and `scale` hold one value per input feature of a linear layer or per input channel
    /// of a convolution. Every scale must be finite and above zero.
    static func fold(into network: inout Network, layer: LayerSpec? = nil, mean: [Float], scale: [Float]) throws {
        try rewrite(&network, layer: layer, mean: mean, scale: scale, folding: true)
    }

    /// The inverse of `fold`: the layer that takes raw inputs rewritten to take (x − μ) / s again,
    /// W = W'·s and b = b' + W'·μ.
    static func unfold(from network: inout Network, layer: LayerSpec? = nil, mean: [Float], scale: [Float]) throws {
        try rewrite(&network, layer: layer, mean: mean, scale: scale, folding: false)
    }

    /// Rewrites the layer's weight [outputs, inputs, kernel...] and bias one way or the other; W'·μ
    /// is summed over the raw-input weights W' in both directions, in Double.
    private static func rewrite(_ network: inout Network, layer: LayerSpec?, mean: [Float], scale: [Float], folding: Bool) throws {
        guard let layer = layer ?? firstWeightedLayer(of: network.architecture) else {
            throw ModelRecipeError("an input normalisation can only be folded into a first linear or convolution layer")
        }
        var parameters = Dictionary(uniqueKeysWithValues: network.parameters.map { ($0.name, $0.tensor) })
        let weightName = layer.parameterPrefix + ".weight", biasName = layer.parameterPrefix + ".bias"
        guard var weight = parameters[weightName], var bias = parameters[biasName], weight.rank >= 2 else {
            throw ModelRecipeError("layer \(layer.name) has no weight and bias to fold the input normalisation into")
        }
        let (outputs, inputs) = (weight.shape[0], weight.shape[1])
        guard mean.count == inputs, scale.count == inputs else {
            throw ModelRecipeError("layer \(layer.name) takes \(inputs) input \(weight.rank == 2 ? "features" : "channels"), "
                                   + "not the \(mean.count) of the input normalisation")
        }
        // A convolution's weight holds kernel² values per (output, input channel) pair.
        let spatial = weight.count / max(outputs * inputs, 1)
        for o in 0..<outputs {
            var shift = 0.0
            for i in 0..<inputs {
                for k in 0..<spatial {
                    let index = (o * inputs + i) * spatial + k
                    if folding { weight.scalars[index] /= scale[i] }
                    shift += Double(weight.scalars[index]) * Double(mean[i])
                    if !folding { weight.scalars[index] *= scale[i] }
                }
            }
            bias.scalars[o] = Float(Double(bias.scalars[o]) + (folding ? -shift : shift))
        }
        parameters[weightName] = weight
        parameters[biasName] = bias
        try network.load(parameters: parameters)
    }
}
