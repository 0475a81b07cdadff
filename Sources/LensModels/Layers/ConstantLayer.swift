import LensTensor

/// The same fixed item for every item of the batch (an ONNX initializer used as an operand). It
/// reads the network input for its batch size only, so the gradient it passes there is zero.
struct ConstantLayer: Layer {
    let spec: LayerSpec
    let itemShape: [Int]
    let values: [Float]

    mutating func forward(_ input: Tensor, into output: inout Tensor, training: Bool) {
        let batch = input.shape[0], size = values.count
        output.prepare(shape: [batch] + itemShape)
        output.scalars.withUnsafeMutableBufferPointer { y in
            values.withUnsafeBufferPointer { v in
                for n in 0..<batch { (y.baseAddress! + n * size).update(from: v.baseAddress!, count: size) }
            }
        }
    }

    mutating func backward(input: Tensor, output: Tensor, outputGradient: Tensor,
                           into inputGradient: inout Tensor, context: BackwardContext) {
        guard context.needsInputGradient else { return }
        inputGradient.prepare(shape: input.shape)
        inputGradient.scalars.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
    }
}
