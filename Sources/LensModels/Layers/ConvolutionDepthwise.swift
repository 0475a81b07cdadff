import LensKernels

/// The depthwise path of a convolution (LensKernels' `lens_conv_depthwise`): one filter per
/// channel (groups = C = out), a square kernel, equal strides, no dilation; MobileNet's 3x3 layers
/// at stride 1 and 2. im2col + GEMM would run one product with M = 1 and K = k·k per channel.
/// Same sums, in another order.
extension ConvolutionGeometry {
    func runsDepthwise(groups: Int, outChannels: Int) -> Bool {
        groups > 1 && groups == channels && outChannels == channels
            && window.kernelHeight == window.kernelWidth && window.strideY == window.strideX
            && window.dilationY == 1 && window.dilationX == 1
    }

    /// Floats of one thread's scratch (the column phases of one channel's plane).
    var depthwiseScratchSize: Int {
        lens_conv_depthwise_scratch(Int32(height), Int32(width), Int32(window.kernelHeight), Int32(window.strideY),
                                    Int32(window.padTop), Int32(window.padLeft), Int32(outHeight), Int32(outWidth))
    }

    /// y[c, P] = clamp(b[c] + W[c] ⋆ x[c], low, high) for the channels `channels` of one image.
    func depthwise(_ image: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                   channels: Range<Int>, into y: UnsafeMutablePointer<Float>, clamp: ClosedRange<Float>,
                   scratch: UnsafeMutablePointer<Float>, kernel: DirectKernel = .chosen) {
        lens_conv_depthwise(image, Int32(height), Int32(width), Int32(window.kernelHeight), Int32(window.strideY),
                            Int32(window.padTop), Int32(window.padLeft), Int32(outHeight), Int32(outWidth), weight, bias,
                            Int32(channels.lowerBound), Int32(channels.upperBound), y, clamp.lowerBound, clamp.upperBound,
                            scratch, kernel.level)
    }

    /// For the channels `channels` of one image: dx[c] = Wᵀ ⋆ dy[c] (written), dW[c] += dy[c] ⋆ x[c],
    /// db[c] += Σ dy[c]; a nil gradient is not computed.
    func depthwiseBackward(_ image: UnsafePointer<Float>, outputGradient dy: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                           channels: Range<Int>, inputGradient dx: UnsafeMutablePointer<Float>?,
                           weightGradient dw: UnsafeMutablePointer<Float>?, biasGradient db: UnsafeMutablePointer<Float>?,
                           scratch: UnsafeMutablePointer<Float>, kernel: DirectKernel = .chosen) {
        lens_conv_depthwise_backward(image, dy, Int32(height), Int32(width), Int32(window.kernelHeight), Int32(window.strideY),
                                     Int32(window.padTop), Int32(window.padLeft), Int32(outHeight), Int32(outWidth), weight,
                                     Int32(channels.lowerBound), Int32(channels.upperBound), dx, dw, db, scratch, kernel.level)
    }
}

extension ConvolutionGeometry {
    /// dx[c] = the clamp's backward of dx[c], gated on x[c] (the clamp's output, this layer's input), in place,
    /// for the channels `channels` of one image.
    func gate(_ dx: UnsafeMutablePointer<Float>, by x: UnsafePointer<Float>, channels: Range<Int>, _ gate: ClampGate) {
        let plane = height * width, at = channels.lowerBound * plane
        lens_clamp_backward(dx + at, x + at, dx + at, channels.count * plane, gate.low, gate.top, gate.mode.kernelPass,
                            Int32(LENS_LEVEL_CHOSEN))
    }
}

/// The bounds a fused activation clamps a convolution's output to (none: ±∞).
extension ClosedRange where Bound == Float {
    static let unclamped: ClosedRange<Float> = -Float.infinity...Float.infinity
    static let relu: ClosedRange<Float> = 0...Float.infinity
}
