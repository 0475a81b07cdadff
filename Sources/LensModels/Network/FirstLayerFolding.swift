import LensTensor

/// Folds an input transform x ↦ (x − μ) / s into the first layer with parameters, so the network
/// takes raw inputs: W' = W / s and b' = b − W'·μ. One implementation for the training centring
/// (`InputCentering`) and for an imported model's normalisation (`InputNormalization`).
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

    /// `mean` and `scale` hold one value per input feature of a linear layer or per input channel
    /// of a convolution. Every scale must be finite and above zero.
    static func fold(into network: inout Network, mean: [Float], scale: [Float]) throws {
        guard let layer = firstWeightedLayer(of: network.architecture) else {
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
                    weight.scalars[index] /= scale[i]
                    shift += Double(weight.scalars[index]) * Double(mean[i])
                }
            }
            bias.scalars[o] = Float(Double(bias.scalars[o]) - shift)
        }
        parameters[weightName] = weight
        parameters[biasName] = bias
        try network.load(parameters: parameters)
    }
}
