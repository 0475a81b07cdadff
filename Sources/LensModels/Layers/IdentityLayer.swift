import LensTensor

/// y = x (ONNX Identity, and Dropout at inference): a view, like flatten.
struct IdentityLayer: Layer {
    let spec: LayerSpec

    var outputMayAliasInput: Bool { true }

    mutating func forward(_ input: Tensor, into output: inout Tensor, training: Bool) { output = input }

    mutating func backward(input: Tensor, output: Tensor, outputGradient: Tensor,
                           into inputGradient: inout Tensor, context: BackwardContext) {
        guard context.needsInputGradient else { return }
        inputGradient = outputGradient
    }
}

/// [N] + any item shape → [N] + `itemShape` of the same size (ONNX Reshape with a constant shape): a view.
struct ReshapeLayer: Layer {
    let spec: LayerSpec
    let itemShape: [Int]

    var outputMayAliasInput: Bool { true }

    mutating func forward(_ input: Tensor, into output: inout Tensor, training: Bool) {
        output = input.reshaped([input.shape[0]] + itemShape)
    }

    mutating func backward(input: Tensor, output: Tensor, outputGradient: Tensor,
                           into inputGradient: inout Tensor, context: BackwardContext) {
        guard context.needsInputGradient else { return }
        inputGradient = outputGradient.reshaped(input.shape)
    }
}
