import LensTensor

/// Batch normalisation in inference form folded into the convolution before it:
/// BN(conv(x)) = s·(W∗x + b − μ) + β with s = γ/√(v + ε), i.e. a convolution with
/// W'[o, ...] = s_o·W[o, ...] and b'_o = s_o·(b_o − μ_o) + β_o.
public enum BatchNormFolding {
    /// `weight` [out, ...] and `bias` [out] folded in place with one BN's γ, β, running mean and variance.
    public static func fold(weight: inout Tensor, bias: inout Tensor, gamma: [Float], beta: [Float],
                            mean: [Float], variance: [Float], epsilon: Float) {
        let channels = bias.count, perChannel = weight.count / max(channels, 1)
        for c in 0..<channels {
            let scale = gamma[c] / (variance[c] + epsilon).squareRoot()
            for k in 0..<perChannel { weight.scalars[c * perChannel + k] *= scale }
            bias.scalars[c] = (bias.scalars[c] - mean[c]) * scale + beta[c]
        }
    }
}

extension Network {
    /// This network for inference with every batch normalisation that alone reads a convolution
    /// folded into that convolution; the normalisation layer stays, as an identity, so that every
    /// layer name (and what `--layer` picks) is the same. Other normalisations are left as they are.
    public func foldingBatchNorm() throws -> Network {
        var layers = architecture.layers
        var state = Dictionary(uniqueKeysWithValues: parameters.map { ($0.name, $0.tensor) })
        let readers = architecture.layerInputs.flatMap { $0 }.reduce(into: [Int: Int]()) { $0[$1, default: 0] += 1 }
        for (index, spec) in architecture.layers.enumerated() {
            guard case let .batchNorm(channels, epsilon) = spec.operation, let source = architecture.layerInputs[index].first,
                  source >= 0, readers[source] == 1, layers[source].operation.isConvolution else { continue }
            let norm = spec.parameterPrefix + ".", conv = layers[source].parameterPrefix + "."
            guard var weight = state[conv + "weight"], let gamma = state[norm + "weight"], let beta = state[norm + "bias"],
                  let mean = state[norm + "running_mean"], let variance = state[norm + "running_var"] else { continue }
            var bias = state[conv + "bias"] ?? Tensor(shape: [channels])
            BatchNormFolding.fold(weight: &weight, bias: &bias, gamma: gamma.scalars, beta: beta.scalars,
                                  mean: mean.scalars, variance: variance.scalars, epsilon: epsilon)
            if case var .convolution(convolution) = layers[source].operation {
                convolution.hasBias = true
                layers[source].operation = .convolution(convolution)
            }
            (state[conv + "weight"], state[conv + "bias"]) = (weight, bias)
            for suffix in ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"] { state[norm + suffix] = nil }
            layers[index].operation = .identity
        }
        var folded = Network(awaitingParameters: try Architecture(inputShape: architecture.inputShape, layers: layers))
        try folded.load(parameters: state)
        return folded
    }
}
