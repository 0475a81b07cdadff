import LensTensor

/// Constant padding of the spatial axes: x [N, C, H, W] → y [N, C, top + H + bottom, left + W + right],
/// the border `value`; dx is dy's inside.
struct PadLayer: Layer {
    let spec: LayerSpec
    let channels: Int
    let height: Int
    let width: Int
    let top: Int, left: Int, bottom: Int, right: Int
    let value: Float

    init(spec: LayerSpec, inputShape: [Int], top: Int, left: Int, bottom: Int, right: Int, value: Float) {
        self.spec = spec
        (channels, height, width) = (inputShape[0], inputShape[1], inputShape[2])
        (self.top, self.left, self.bottom, self.right, self.value) = (top, left, bottom, right, value)
    }

    private var outHeight: Int { height + top + bottom }
    private var outWidth: Int { width + left + right }

    /// Calls body(plane row in the input, row in the output) for every input row.
    private func forEachRow(planes: Int, _ body: (Int, Int) -> Void) {
        for plane in 0..<planes {
            for y in 0..<height { body((plane * height + y) * width, (plane * outHeight + y + top) * outWidth + left) }
        }
    }

    mutating func forward(_ input: Tensor, into output: inout Tensor, training: Bool) {
        let batch = input.shape[0], width = width
        output.prepare(shape: [batch, channels, outHeight, outWidth])
        output.scalars.withUnsafeMutableBufferPointer { y in
            y.update(repeating: value)
            input.scalars.withUnsafeBufferPointer { x in
                forEachRow(planes: batch * channels) { from, to in
                    (y.baseAddress! + to).update(from: x.baseAddress! + from, count: width)
                }
            }
        }
    }

    mutating func backward(input: Tensor, output: Tensor, outputGradient: Tensor,
                           into inputGradient: inout Tensor, context: BackwardContext) {
        guard context.needsInputGradient else { return }
        let width = width
        inputGradient.prepare(shape: input.shape)
        inputGradient.scalars.withUnsafeMutableBufferPointer { dx in
            outputGradient.scalars.withUnsafeBufferPointer { dy in
                forEachRow(planes: input.shape[0] * channels) { to, from in
                    (dx.baseAddress! + to).update(from: dy.baseAddress! + from, count: width)
                }
            }
        }
    }
}
