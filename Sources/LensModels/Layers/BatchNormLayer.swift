import LensTensor

/// Batch normalisation in inference form over axis 1 of x [N, C, ...]:
/// y = γ·(x − μ)/σ + β with σ = √(v + ε), i.e. y = s·x + t per channel (s = γ/σ, t = β − μ·s).
/// dx = s·dy; dγ = Σ dy·(x − μ)/σ, dβ = Σ dy, dμ = −Σ dy·s, dv = −½ Σ dy·γ·(x − μ)/σ³.
/// (Where it follows a convolution, `ONNXImport` folds it into the convolution's weights instead.)
struct BatchNormLayer: Layer {
    let spec: LayerSpec
    let channels: Int
    let epsilon: Float
    private var weight: Parameter
    private var bias: Parameter
    private var mean: Parameter
    private var variance: Parameter

    init(spec: LayerSpec, channels: Int, epsilon: Float) {
        self.spec = spec
        self.channels = channels
        self.epsilon = epsilon
        weight = Parameter(suffix: "weight", value: Tensor(shape: [channels], repeating: 1))
        bias = Parameter(suffix: "bias", value: Tensor(shape: [channels]))
        mean = Parameter(suffix: "running_mean", value: Tensor(shape: [channels]))
        variance = Parameter(suffix: "running_var", value: Tensor(shape: [channels], repeating: 1))
    }

    var parameters: [Parameter] { [weight, bias, mean, variance] }

    mutating func updateParameters(_ body: (inout Parameter) throws -> Void) rethrows {
        try body(&weight)
        try body(&bias)
        try body(&mean)
        try body(&variance)
    }

    /// 1/σ per channel.
    private func inverseDeviation(_ c: Int) -> Float { 1 / (variance.value.scalars[c] + epsilon).squareRoot() }

    mutating func forward(_ input: Tensor, into output: inout Tensor, training: Bool) {
        let (planes, plane) = (input.shape[0] * channels, input.count / max(input.shape[0] * channels, 1))
        output.prepare(shape: input.shape)
        let scale = (0..<channels).map { weight.value.scalars[$0] * inverseDeviation($0) }
        let shift = (0..<channels).map { bias.value.scalars[$0] - mean.value.scalars[$0] * scale[$0] }
        input.scalars.withUnsafeBufferPointer { x in
            output.scalars.withUnsafeMutableBufferPointer { y in
                for p in 0..<planes {
                    let (s, t) = (scale[p % channels], shift[p % channels])
                    for i in (p * plane)..<((p + 1) * plane) { y[i] = s * x[i] + t }
                }
            }
        }
    }

    mutating func backward(input: Tensor, output: Tensor, outputGradient: Tensor,
                           into inputGradient: inout Tensor, context: BackwardContext) {
        let channels = channels, planes = input.shape[0] * channels, plane = input.count / max(planes, 1)
        let inverse = (0..<channels).map(inverseDeviation)
        if context.needsInputGradient {
            inputGradient.prepare(shape: input.shape)
            let gamma = weight.value.scalars
            outputGradient.scalars.withUnsafeBufferPointer { dy in
                inputGradient.scalars.withUnsafeMutableBufferPointer { dx in
                    for p in 0..<planes {
                        let s = gamma[p % channels] * inverse[p % channels]
                        for i in (p * plane)..<((p + 1) * plane) { dx[i] = s * dy[i] }
                    }
                }
            }
        }
        guard context.updatesParameterGradients else { return }
        var sums = [Float](repeating: 0, count: 2 * channels)   // Σ dy and Σ dy·(x − μ) per channel
        let mu = mean.value.scalars
        for p in 0..<planes {
            let c = p % channels
            for i in (p * plane)..<((p + 1) * plane) {
                let dy = outputGradient.scalars[i]
                sums[c] += dy
                sums[channels + c] += dy * (input.scalars[i] - mu[c])
            }
        }
        let beta: Float = context.parameterGradientBeta
        for c in 0..<channels {
            let (gamma, inv) = (weight.value.scalars[c], inverse[c])
            weight.gradient.scalars[c] = beta * weight.gradient.scalars[c] + sums[channels + c] * inv
            bias.gradient.scalars[c] = beta * bias.gradient.scalars[c] + sums[c]
            mean.gradient.scalars[c] = beta * mean.gradient.scalars[c] - sums[c] * gamma * inv
            variance.gradient.scalars[c] = beta * variance.gradient.scalars[c] - 0.5 * sums[channels + c] * gamma * inv * inv * inv
        }
    }
}
