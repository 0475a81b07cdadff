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

    mutating func forward(_ input: Tensor, training: Bool) -> Tensor {
        guard training, probability > 0 else {
            mask = []
            return input
        }
        let keep = 1 / (1 - probability), probability = probability
        mask = (0..<input.count).map { _ in generator.nextUniform() < probability ? 0 : keep }
        var output = input
        for i in output.scalars.indices { output.scalars[i] *= mask[i] }
        return output
    }

    mutating func backward(_ outputGradient: Tensor, context: BackwardContext) -> Tensor {
        guard !mask.isEmpty else { return outputGradient }
        precondition(outputGradient.count == mask.count,
                     "\(spec.name): output gradient \(outputGradient.shape) does not match the last forward batch")
        var inputGradient = outputGradient
        for i in inputGradient.scalars.indices { inputGradient.scalars[i] *= mask[i] }
        return inputGradient
    }

    mutating func releaseCaches() { mask = [] }
}
