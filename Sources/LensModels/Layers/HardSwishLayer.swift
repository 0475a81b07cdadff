import LensTensor

/// y = x·max(0, min(1, x/6 + 1/2)) (MobileNetV3); dx = dy·(x/3 + 1/2) for −3 < x < 3, dy above, 0 below.
struct HardSwishLayer: Layer {
    let spec: LayerSpec

    mutating func forward(_ input: Tensor, into output: inout Tensor, training: Bool) {
        Elementwise.map(input, into: &output) { x in x * max(0, min(1, x / 6 + 0.5)) }
    }

    mutating func backward(input: Tensor, output: Tensor, outputGradient: Tensor,
                           into inputGradient: inout Tensor, context: BackwardContext) {
        guard context.needsInputGradient else { return }
        Elementwise.backward(input: input, output: output, outputGradient: outputGradient, into: &inputGradient) { dy, x, _ in
            x <= -3 ? 0 : (x >= 3 ? dy : dy * (x / 3 + 0.5))
        }
    }
}
