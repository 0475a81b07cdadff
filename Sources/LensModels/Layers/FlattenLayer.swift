import LensTensor

/// [N, C, H, W] → [N, C·H·W] in (c, y, x) order, as PyTorch's flatten of a contiguous NCHW tensor.
/// A view: output and input gradient share their storage with the tensors they come from.
struct FlattenLayer: Layer {
    let spec: LayerSpec

    init(spec: LayerSpec) { self.spec = spec }

    var outputMayAliasInput: Bool { true }

    mutating func forward(_ input: Tensor, into output: inout Tensor, training: Bool) {
        let batch = input.shape[0]
        output = input.reshaped([batch, batch == 0 ? 0 : input.count / batch])
    }

    mutating func backward(input: Tensor, output: Tensor, outputGradient: Tensor,
                           into inputGradient: inout Tensor, context: BackwardContext) {
        precondition(outputGradient.count == input.count,
                     "\(spec.name): output gradient \(outputGradient.shape) does not match the last forward input \(input.shape)")
        guard context.needsInputGradient else { return }
        inputGradient = outputGradient.reshaped(input.shape)
    }
}
