import Foundation
import LensTensor

/// y = 1 / (1 + e^−x); dx = dy·y·(1 − y).
struct SigmoidLayer: Layer {
    let spec: LayerSpec

    mutating func forward(_ input: Tensor, into output: inout Tensor, training: Bool) {
        Elementwise.map(input, into: &output) { x in 1 / (1 + exp(-x)) }
    }

    mutating func backward(input: Tensor, output: Tensor, outputGradient: Tensor,
                           into inputGradient: inout Tensor, context: BackwardContext) {
        guard context.needsInputGradient else { return }
        Elementwise.backward(input: input, output: output, outputGradient: outputGradient, into: &inputGradient) { dy, _, y in
            dy * y * (1 - y)
        }
    }
}
