import LensTensor

/// [N, C, H, W] → [N, C·H·W] in (c, y, x) order, as PyTorch's flatten of a contiguous NCHW tensor.
struct FlattenLayer: Layer {
    let spec: LayerSpec
    private var inputShape: [Int] = []

    init(spec: LayerSpec) { self.spec = spec }

    mutating func forward(_ input: Tensor, training: Bool) -> Tensor {
        inputShape = input.shape
        let batch = input.shape[0]
        return input.reshaped([batch, batch == 0 ? 0 : input.count / batch])
    }

    mutating func backward(_ outputGradient: Tensor, context: BackwardContext) -> Tensor {
        precondition(outputGradient.count == inputShape.reduce(1, *),
                     "\(spec.name): output gradient \(outputGradient.shape) does not match the last forward input \(inputShape)")
        return outputGradient.reshaped(inputShape)
    }

    mutating func releaseCaches() { inputShape = [] }
}
