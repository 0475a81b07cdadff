import LensTensor

/// Inverted dropout: in training each value is zeroed with probability p and the survivors are
/// scaled by 1/(1 − p), so inference is the identity. The mask comes from the layer's own seeded
/// generator: the same network seed gives the same masks.
struct DropoutLayer: Layer {
    let spec: LayerSpec
    let probability: Float
    private var generator: SeededGenerator
    /// The last training forward's multipliers (0 or 1/(1 − p)); empty after an inference forward.
    private var mask: [Float] = []

    init(spec: LayerSpec, probability: Float, seed: UInt64) {
        self.spec = spec
        self.probability = probability
        generator = SeededGenerator(seed: seed)
    }

    /// Inference passes the input through unchanged.
    var outputMayAliasInput: Bool { true }

    mutating func forward(_ input: Tensor, into output: inout Tensor, training: Bool) {
        guard training, probability > 0 else {
            mask.removeAll(keepingCapacity: true)
            output = input
            return
        }
        let keep = 1 / (1 - probability), probability = probability
        mask.removeAll(keepingCapacity: true)
        for _ in 0..<input.count { mask.append(generator.nextUniform() < probability ? 0 : keep) }
        output.prepare(shape: input.shape)
        for i in 0..<input.count { output.scalars[i] = input.scalars[i] * mask[i] }
    }

    mutating func backward(input: Tensor, output: Tensor, outputGradient: Tensor,
                           into inputGradient: inout Tensor, context: BackwardContext) {
        guard context.needsInputGradient else { return }
        guard !mask.isEmpty else {
            inputGradient = outputGradient
            return
        }
        precondition(outputGradient.count == mask.count,
                     "\(spec.name): output gradient \(outputGradient.shape) does not match the last forward batch")
        inputGradient.prepare(shape: outputGradient.shape)
        for i in 0..<mask.count { inputGradient.scalars[i] = outputGradient.scalars[i] * mask[i] }
    }

    mutating func releaseCaches() { mask = [] }
}
