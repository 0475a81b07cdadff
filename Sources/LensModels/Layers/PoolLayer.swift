import LensTensor

/// Max or average pooling with any window: kernel, stride, asymmetric pads, `ceil_mode`
/// (ONNX MaxPool/AveragePool; `MaxPool2DLayer` is the fast square, unpadded case lens trains).
/// x [N, C, H, W] → y [N, C, H', W'] (see `Window.outputCount`).
///
/// Max: padding never wins; forward keeps each maximum's place (the first on ties), backward
/// routes dy there in every ReLU mode. Average: y = Σ window / d, d = the window's cells inside
/// the input, or with `countIncludePad` inside input and pads; dx += dy/d over the window.
struct PoolLayer: Layer {
    enum Kind { case max, average }

    let spec: LayerSpec
    let kind: Kind
    let window: Window
    let countIncludePad: Bool
    let channels: Int, height: Int, width: Int
    let outHeight: Int, outWidth: Int
    /// Max: each output's maximum within its plane (−1: no input cell in the window).
    private var switches: [Int32] = []

    init(spec: LayerSpec, kind: Kind, pooling: Pooling, inputShape: [Int], outputShape: [Int]) {
        self.spec = spec
        self.kind = kind
        window = pooling.window
        countIncludePad = pooling.countIncludePad
        (channels, height, width) = (inputShape[0], inputShape[1], inputShape[2])
        (outHeight, outWidth) = (outputShape[1], outputShape[2])
    }

    /// The input rows (or columns) window position `o` covers, clipped to the input, and the
    /// count of cells it covers inside input and pads.
    private static func span(_ o: Int, stride: Int, kernel: Int, padBefore: Int, size: Int, padAfter: Int)
        -> (inside: Range<Int>, padded: Int) {
        let start = o * stride - padBefore, end = start + kernel
        let paddedCount = min(end, size + padAfter) - max(start, -padBefore)
        return (max(start, 0)..<max(max(start, 0), min(end, size)), paddedCount)
    }

    private func rows(_ oy: Int) -> (inside: Range<Int>, padded: Int) {
        Self.span(oy, stride: window.strideY, kernel: window.kernelHeight, padBefore: window.padTop, size: height, padAfter: window.padBottom)
    }

    private func columns(_ ox: Int) -> (inside: Range<Int>, padded: Int) {
        Self.span(ox, stride: window.strideX, kernel: window.kernelWidth, padBefore: window.padLeft, size: width, padAfter: window.padRight)
    }

    private func divisor(_ r: (inside: Range<Int>, padded: Int), _ c: (inside: Range<Int>, padded: Int)) -> Float {
        Float(countIncludePad ? r.padded * c.padded : r.inside.count * c.inside.count)
    }

    mutating func forward(_ input: Tensor, into output: inout Tensor, training: Bool) {
        let batch = input.shape[0], planes = batch * channels
        let (plane, outPlane) = (height * width, outHeight * outWidth)
        output.prepare(shape: [batch, channels, outHeight, outWidth])
        if kind == .max {
            if switches.count != planes * outPlane { switches = [Int32](repeating: -1, count: planes * outPlane) }
        }
        for p in 0..<planes {
            for oy in 0..<outHeight {
                let r = rows(oy)
                for ox in 0..<outWidth {
                    let c = columns(ox), out = p * outPlane + oy * outWidth + ox
                    switch kind {
                    case .max:
                        var best: Int32 = -1, bestValue = -Float.infinity
                        for y in r.inside {
                            for x in c.inside {
                                let value = input.scalars[p * plane + y * width + x]
                                if best < 0 || value > bestValue || value.isNaN {
                                    (best, bestValue) = (Int32(y * width + x), value)
                                }
                            }
                        }
                        switches[out] = best
                        output.scalars[out] = best < 0 ? 0 : bestValue
                    case .average:
                        var sum: Float = 0
                        for y in r.inside { for x in c.inside { sum += input.scalars[p * plane + y * width + x] } }
                        let d = divisor(r, c)
                        output.scalars[out] = d > 0 ? sum / d : 0
                    }
                }
            }
        }
    }

    mutating func backward(input: Tensor, output: Tensor, outputGradient: Tensor,
                           into inputGradient: inout Tensor, context: BackwardContext) {
        guard context.needsInputGradient else { return }
        let planes = input.shape[0] * channels, (plane, outPlane) = (height * width, outHeight * outWidth)
        inputGradient.prepare(shape: input.shape)
        inputGradient.scalars.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
        for p in 0..<planes {
            for oy in 0..<outHeight {
                let r = rows(oy)
                for ox in 0..<outWidth {
                    let c = columns(ox), out = p * outPlane + oy * outWidth + ox, dy = outputGradient.scalars[out]
                    switch kind {
                    case .max:
                        if switches[out] >= 0 { inputGradient.scalars[p * plane + Int(switches[out])] += dy }
                    case .average:
                        let d = divisor(r, c)
                        guard d > 0 else { continue }
                        for y in r.inside { for x in c.inside { inputGradient.scalars[p * plane + y * width + x] += dy / d } }
                    }
                }
            }
        }
    }

    mutating func releaseCaches() { switches = [] }
}
