import LensKernels
import LensTensor

/// Batch normalisation over axis 1 of x [N, C, ...] (BatchNorm2d on [N, C, H, W], BatchNorm1d on
/// [N, C]), as PyTorch computes it. Per channel c, over its M = N·H·W values:
///
/// training:  μ = mean(x), v = mean((x − μ)²), x̂ = (x − μ)/√(v + ε), y = γ·x̂ + β          [N, C, ...]
///            running_mean ← (1 − m)·running_mean + m·μ, running_var ← (1 − m)·running_var + m·v·M/(M − 1)
///            dβ = Σ dy, dγ = Σ dy·x̂, dx = γ/√(v + ε) · (dy − Σ dy/M − x̂·Σ dy·x̂/M)          [C], [C], [N, C, ...]
/// inference: y = s·x + t with s = γ/√(running_var + ε), t = β − running_mean·s
///            dβ = Σ dy, dγ = Σ dy·(x − running_mean)/√(running_var + ε), dx = s·dy
///
/// m = 0.1 (PyTorch's momentum). The backward pass follows the mode of the last forward.
/// (Where it follows a convolution in an ONNX file, `ONNXImport` folds it into the convolution instead.)
struct BatchNormLayer: Layer {
    static let momentum: Float = 0.1

    let spec: LayerSpec
    let channels: Int
    let epsilon: Float
    private var weight: Parameter
    private var bias: Parameter
    private var runningMean: Parameter
    private var runningVariance: Parameter
    private var batchesTracked: Parameter
    /// The last training forward's μ and 1/√(v + ε) per channel; empty after an inference forward.
    private var batchMean: [Float] = []
    private var batchInverseDeviation: [Float] = []

    init(spec: LayerSpec, channels: Int, epsilon: Float) {
        self.spec = spec
        self.channels = channels
        self.epsilon = epsilon
        weight = Parameter(suffix: "weight", value: Tensor(shape: [channels], repeating: 1))
        bias = Parameter(suffix: "bias", value: Tensor(shape: [channels]))
        runningMean = Parameter(suffix: "running_mean", value: Tensor(shape: [channels]), role: .statistic)
        runningVariance = Parameter(suffix: "running_var", value: Tensor(shape: [channels], repeating: 1), role: .statistic)
        batchesTracked = Parameter(suffix: "num_batches_tracked", value: Tensor(shape: []), role: .counter)
    }

    var parameters: [Parameter] { [weight, bias, runningMean, runningVariance, batchesTracked] }

    mutating func updateParameters(_ body: (inout Parameter) throws -> Void) rethrows {
        try body(&weight)
        try body(&bias)
        try body(&runningMean)
        try body(&runningVariance)
        try body(&batchesTracked)
    }

    mutating func releaseCaches() {
        batchMean = []
        batchInverseDeviation = []
    }

    /// (s, t) of y = s·x + t per channel, from the statistics `mean` and 1/σ `inverse`.
    private func affine(mean: [Float], inverse: [Float]) -> (scale: [Float], shift: [Float]) {
        let scale = (0..<channels).map { weight.value.scalars[$0] * inverse[$0] }
        return (scale, (0..<channels).map { bias.value.scalars[$0] - mean[$0] * scale[$0] })
    }

    private var runningInverseDeviation: [Float] {
        runningVariance.value.scalars.map { 1 / ($0 + epsilon).squareRoot() }
    }

    mutating func forward(_ input: Tensor, into output: inout Tensor, training: Bool) {
        let (batch, channels) = (input.shape[0], channels)
        let plane = input.count / max(batch * channels, 1), count = batch * plane
        output.prepare(shape: input.shape)
        let mean: [Float], inverse: [Float]
        if training && count > 0 {
            let sums = Self.channelSums(input, channels: channels, plane: plane, centre: nil).sums
            mean = sums.map { $0 / Float(count) }
            // Σ(x − μ)² around the batch mean, in a second pass (stabler than E[x²] − μ²).
            let centred = Self.channelSums(input, channels: channels, plane: plane, centre: mean).squares
            let variance = centred.map { $0 / Float(count) }
            inverse = variance.map { 1 / ($0 + epsilon).squareRoot() }
            let unbiased = Float(count) / Float(max(count - 1, 1)), m = Self.momentum
            for c in 0..<channels {
                runningMean.value.scalars[c] = (1 - m) * runningMean.value.scalars[c] + m * mean[c]
                runningVariance.value.scalars[c] = (1 - m) * runningVariance.value.scalars[c] + m * variance[c] * unbiased
            }
            batchesTracked.value.scalars[0] += 1
            (batchMean, batchInverseDeviation) = (mean, inverse)
        } else {
            (mean, inverse) = (runningMean.value.scalars, runningInverseDeviation)
            releaseCaches()
        }
        let (scale, shift) = affine(mean: mean, inverse: inverse)
        input.scalars.withUnsafeBufferPointer { x in
            output.scalars.withUnsafeMutableBufferPointer { y in
                guard let x = x.baseAddress, let y = y.baseAddress else { return }
                Self.forEachChannels(channels, valuesEach: count) { c in
                    lens_bn_affine(x + c * plane, y + c * plane, batch, channels * plane, plane, scale[c], shift[c])
                }
            }
        }
    }

    /// Runs `body(c)` for every channel, the channels split over the cores in chunks worth a
    /// parallel hand-off (each channel's `valuesEach` values are one kernel call's work).
    private static func forEachChannels(_ channels: Int, valuesEach: Int, _ body: (Int) -> Void) {
        Parallel.forEachChunk(count: channels, minimumChunk: max(1, Parallel.elementwiseChunk / max(valuesEach, 1))) { chunk in
            for c in chunk { body(c) }
        }
    }

    /// Per channel: Σ (x − centre) and Σ (x − centre)² (centre 0 when nil).
    private static func channelSums(_ input: Tensor, channels: Int, plane: Int, centre: [Float]?) -> (sums: [Float], squares: [Float]) {
        var sums = [Float](repeating: 0, count: channels), squares = sums
        let batch = input.shape[0]
        input.scalars.withUnsafeBufferPointer { x in
            sums.withUnsafeMutableBufferPointer { sums in
                squares.withUnsafeMutableBufferPointer { squares in
                    guard let x = x.baseAddress, let sum = sums.baseAddress, let square = squares.baseAddress else { return }
                    forEachChannels(channels, valuesEach: batch * plane) { c in
                        lens_bn_sums(x + c * plane, batch, channels * plane, plane, centre?[c] ?? 0, sum + c, square + c)
                    }
                }
            }
        }
        return (sums, squares)
    }

    mutating func backward(input: Tensor, output: Tensor, outputGradient: Tensor,
                           into inputGradient: inout Tensor, context: BackwardContext) {
        let channels = channels, batch = input.shape[0]
        let plane = input.count / max(batch * channels, 1), count = Float(max(batch * plane, 1))
        let training = !batchMean.isEmpty
        let mean = training ? batchMean : runningMean.value.scalars
        let inverse = training ? batchInverseDeviation : runningInverseDeviation
        let (stride, values) = (channels * plane, batch * plane)
        // Σ dy and Σ dy·x̂ per channel.
        var sumGradient = [Float](repeating: 0, count: channels), sumGradientNormalised = sumGradient
        input.scalars.withUnsafeBufferPointer { x in
            outputGradient.scalars.withUnsafeBufferPointer { dy in
                sumGradient.withUnsafeMutableBufferPointer { sums in
                    sumGradientNormalised.withUnsafeMutableBufferPointer { products in
                        guard let x = x.baseAddress, let dy = dy.baseAddress,
                              let sum = sums.baseAddress, let product = products.baseAddress else { return }
                        Self.forEachChannels(channels, valuesEach: values) { c in
                            lens_bn_gradient_sums(x + c * plane, dy + c * plane, batch, stride, plane, mean[c], inverse[c], sum + c, product + c)
                        }
                    }
                }
            }
        }
        if context.needsInputGradient {
            inputGradient.prepare(shape: input.shape)
            let gamma = weight.value.scalars
            let (sums, products) = (sumGradient, sumGradientNormalised)
            input.scalars.withUnsafeBufferPointer { x in
                outputGradient.scalars.withUnsafeBufferPointer { dy in
                    inputGradient.scalars.withUnsafeMutableBufferPointer { dx in
                        guard let x = x.baseAddress, let dy = dy.baseAddress, let dx = dx.baseAddress else { return }
                        Self.forEachChannels(channels, valuesEach: values) { c in
                            let s = gamma[c] * inverse[c]
                            if training {
                                lens_bn_input_gradient(x + c * plane, dy + c * plane, dx + c * plane, batch, stride, plane,
                                                       s, mean[c], inverse[c], sums[c] / count, products[c] / count)
                            } else {
                                lens_bn_affine(dy + c * plane, dx + c * plane, batch, stride, plane, s, 0)
                            }
                        }
                    }
                }
            }
        }
        guard context.updatesParameterGradients else { return }
        let beta = context.parameterGradientBeta
        for c in 0..<channels {
            weight.gradient.scalars[c] = beta * weight.gradient.scalars[c] + sumGradientNormalised[c]
            bias.gradient.scalars[c] = beta * bias.gradient.scalars[c] + sumGradient[c]
        }
    }
}
