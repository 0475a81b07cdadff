import LensKernels
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
    /// Max: forward runs LensKernels' `lens_max_pool` (SIMD over each row's outputs) with this
    /// variant, or the plain loop below when nil; tests compare the two.
    var maxKernel: DirectKernel? = .chosen

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
        let (plane, outPlane, width) = (height * width, outHeight * outWidth, width)
        output.prepare(shape: [batch, channels, outHeight, outWidth])
        if kind == .max, switches.count != planes * outPlane { switches = [Int32](repeating: -1, count: planes * outPlane) }
        let rows = (0..<outHeight).map(rows), columns = (0..<outWidth).map(columns)
        let kind = kind, divisors = rows.flatMap { r in columns.map { c in divisor(r, c) } }
        // Planes are independent: split over the cores (ResNet's stem pools 64 planes of 112x112).
        let work = outPlane * window.kernelHeight * window.kernelWidth
        let (maxKernel, window, height, outHeight, outWidth) = (maxKernel, window, height, outHeight, outWidth)
        input.scalars.withUnsafeBufferPointer { x in
            output.scalars.withUnsafeMutableBufferPointer { y in
                switches.withUnsafeMutableBufferPointer { switches in
                    let (x, y, switches) = (x.baseAddress!, y.baseAddress!, switches.baseAddress)
                    Parallel.forEachChunk(count: planes, minimumChunk: max(1, 200_000 / max(work, 1))) { chunk in
                        if kind == .max, let kernel = maxKernel, let switches {
                            lens_max_pool(x, Int32(height), Int32(width), Int32(window.kernelHeight), Int32(window.kernelWidth),
                                          Int32(window.strideY), Int32(window.strideX), Int32(window.padTop), Int32(window.padLeft),
                                          Int32(outHeight), Int32(outWidth), Int32(chunk.lowerBound), Int32(chunk.upperBound),
                                          y, switches, kernel.level)
                            return
                        }
                        for p in chunk {
                            let source = x + p * plane
                            for (oy, r) in rows.enumerated() {
                                for (ox, c) in columns.enumerated() {
                                    let out = p * outPlane + oy * outWidth + ox
                                    if kind == .max {
                                        var best: Int32 = -1, bestValue: Float = 0
                                        for iy in r.inside {
                                            for ix in c.inside {
                                                // The first maximum wins; NaN wins, so it shows.
                                                let value = source[iy * width + ix]
                                                if best < 0 || value > bestValue || value.isNaN { (best, bestValue) = (Int32(iy * width + ix), value) }
                                            }
                                        }
                                        switches?[out] = best
                                        y[out] = bestValue
                                    } else {
                                        var sum: Float = 0
                                        for iy in r.inside { for ix in c.inside { sum += source[iy * width + ix] } }
                                        let d = divisors[oy * outWidth + ox]
                                        y[out] = d > 0 ? sum / d : 0
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    mutating func backward(input: Tensor, output: Tensor, outputGradient: Tensor,
                           into inputGradient: inout Tensor, context: BackwardContext) {
        guard context.needsInputGradient else { return }
        backward(input: input, outputGradient: outputGradient, into: &inputGradient, gate: nil)
    }

    /// Max: the gradient at the input of the ReLU or Clip before this layer (`input` its output), each plane
    /// routed and then gated while it is in cache, where the two steps apart wrote and read it again.
    mutating func backwardThroughClamp(input: Tensor, outputGradient: Tensor, into inputGradient: inout Tensor,
                                       gate: ClampGate) -> Bool {
        guard kind == .max else { return false }
        backward(input: input, outputGradient: outputGradient, into: &inputGradient, gate: gate)
        return true
    }

    /// dx for dy, then, with a gate, dx through it (`lens_clamp_backward` gating on `input`).
    private func backward(input: Tensor, outputGradient: Tensor, into inputGradient: inout Tensor, gate: ClampGate?) {
        let planes = input.shape[0] * channels, (plane, outPlane, width) = (height * width, outHeight * outWidth, width)
        let rows = (0..<outHeight).map(rows), columns = (0..<outWidth).map(columns)
        let kind = kind, divisors = rows.flatMap { r in columns.map { c in divisor(r, c) } }
        let work = outPlane * window.kernelHeight * window.kernelWidth
        inputGradient.prepare(shape: input.shape)
        outputGradient.scalars.withUnsafeBufferPointer { dy in
            inputGradient.scalars.withUnsafeMutableBufferPointer { dx in
                input.scalars.withUnsafeBufferPointer { values in
                    switches.withUnsafeBufferPointer { switches in
                        guard let dx = dx.baseAddress, let values = values.baseAddress else { return }   // an empty batch: nothing to write
                        // Planes split over the cores as in forward: each part clears and fills its own planes of dx.
                        Parallel.forEachChunk(count: planes, minimumChunk: max(1, 200_000 / max(work, 1))) { chunk in
                            for p in chunk {
                                let target = dx + p * plane
                                target.update(repeating: 0, count: plane)
                                if kind == .max {
                                    // Each output's gradient to its maximum's place (none when the window held no input).
                                    for out in (p &* outPlane)..<((p &+ 1) &* outPlane) where switches[out] >= 0 {
                                        target[Int(switches[out])] += dy[out]
                                    }
                                    if let gate {
                                        lens_clamp_backward(target, values + p * plane, target, plane, gate.low, gate.top, gate.mode.kernelPass,
                                                            Int32(LENS_LEVEL_CHOSEN))
                                    }
                                    continue
                                }
                                for (oy, r) in rows.enumerated() {
                                    for (ox, c) in columns.enumerated() {
                                        let out = p * outPlane + oy * outWidth + ox, g = dy[out], d = divisors[oy * outWidth + ox]
                                        guard d > 0 else { continue }
                                        for iy in r.inside { for ix in c.inside { target[iy * width + ix] += g / d } }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    mutating func releaseCaches() { switches = [] }
}
