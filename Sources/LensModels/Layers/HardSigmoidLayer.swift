import LensTensor

/// y = max(0, min(1, α·x + β)); dx = dy·α where 0 < α·x + β < 1.
struct HardSigmoidLayer: Layer {
    let spec: LayerSpec
    let alpha: Float
    let beta: Float

    mutating func forward(_ input: Tensor, into output: inout Tensor, training: Bool) {
        let (alpha, beta) = (alpha, beta)
        Elementwise.map(input, into: &output) { x in max(0, min(1, alpha * x + beta)) }
    }

    mutating func backward(input: Tensor, output: Tensor, outputGradient: Tensor,
                           into inputGradient: inout Tensor, context: BackwardContext) {
        guard context.needsInputGradient else { return }
        let (alpha, beta) = (alpha, beta)
        Elementwise.backward(input: input, output: output, outputGradient: outputGradient, into: &inputGradient) { dy, x, _ in
            let z = alpha * x + beta
            return z > 0 && z < 1 ? dy * alpha : 0
        }
    }
}
