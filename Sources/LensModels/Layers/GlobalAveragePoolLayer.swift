import LensTensor

/// y[n, c, 0, 0] = mean over (h, w) of x[n, c, h, w]; dx[n, c, h, w] = dy[n, c] / (H·W).
struct GlobalAveragePoolLayer: Layer {
    let spec: LayerSpec

    mutating func forward(_ input: Tensor, into output: inout Tensor, training: Bool) {
        let (batch, channels) = (input.shape[0], input.shape[1])
        let plane = input.shape.dropFirst(2).reduce(1, *)
        output.prepare(shape: [batch, channels, 1, 1])
        input.scalars.withUnsafeBufferPointer { x in
            output.scalars.withUnsafeMutableBufferPointer { y in
                for p in 0..<(batch * channels) {
                    var sum: Float = 0
                    for i in 0..<plane { sum += x[p * plane + i] }
                    y[p] = sum / Float(plane)
                }
            }
        }
    }

    mutating func backward(input: Tensor, output: Tensor, outputGradient: Tensor,
                           into inputGradient: inout Tensor, context: BackwardContext) {
        guard context.needsInputGradient else { return }
        let planes = input.shape[0] * input.shape[1], plane = input.shape.dropFirst(2).reduce(1, *)
        inputGradient.prepare(shape: input.shape)
        outputGradient.scalars.withUnsafeBufferPointer { dy in
            inputGradient.scalars.withUnsafeMutableBufferPointer { dx in
                for p in 0..<planes {
                    let share = dy[p] / Float(plane)
                    for i in 0..<plane { dx[p * plane + i] = share }
                }
            }
        }
    }
}
