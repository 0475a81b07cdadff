import LensKernels
import LensTensor

/// MobileNetV2's expand 1x1 → ReLU6 → depthwise 3x3 → ReLU6 at inference, a band of output rows at a time.
///
/// At 112x112 and 56x56 the expanded image (96 × 112 × 112 floats, 4.8 MB) does not fit in L2: run
/// one layer after the other, the depthwise layer reads back from L3 or memory what the 1x1 layer has
/// just written. Here each thread expands the input rows that a band of output rows reads into a
/// scratch that stays in L2 and convolves them at once; the expanded image is never written whole.
/// The rows where two bands meet are expanded twice (one row in 8-15 at stride 2, two in 14-16 at
/// stride 1). Per output value the same sums as the two layers run one after the other.
struct ExpandDepthwiseBands {
    /// Floats of one band's expanded rows (all channels), so that they stay in L2 beside the 1x1
    /// layer's input and the packed operands.
    static let bandFloats = 1 << 17

    let expand: ConvolutionGeometry, depthwise: ConvolutionGeometry
    let channels: Int   // expanded = the depthwise layer's channels
    /// Output rows per band, and bands per image.
    let rowsPerBand: Int, bands: Int

    /// Expanded images larger than this many floats run by bands: more than the cores' L2 caches hold
    /// together. The 56x56 stage's (144 × 56 × 56, 1.8 MB) stays in the two L2s when the 1x1 layer splits it,
    /// and measured no faster by bands (docs/benchmark-log.md).
    static let minimumExpandedFloats = 1 << 20

    /// Whether a 1x1 layer (`expand`, one group, `outChannels` outputs) feeding `depthwise` (3x3, stride 1
    /// or 2, one filter per channel) runs better by bands (`minimumExpandedFloats`).
    static func applies(expand: ConvolutionGeometry, groups: Int, outChannels: Int, depthwise: ConvolutionGeometry,
                        depthwiseRuns: Bool) -> Bool {
        expand.isPointwise && groups == 1 && depthwiseRuns && depthwise.channels == outChannels
            && depthwise.height == expand.height && depthwise.width == expand.width
            && depthwise.window.kernelHeight == 3 && (depthwise.window.strideY == 1 || depthwise.window.strideY == 2)
            && outChannels * expand.positions > minimumExpandedFloats
    }

    /// Bands of equal height, as many as fit `bandFloats`, rounded up to a multiple of `parts` so the
    /// threads get equal shares of a batch-1 image.
    init(expand: ConvolutionGeometry, depthwise: ConvolutionGeometry, parts: Int) {
        (self.expand, self.depthwise, channels) = (expand, depthwise, depthwise.channels)
        let stride = depthwise.window.strideY, rowFloats = channels * depthwise.width
        let fitting = max(1, (Self.bandFloats / max(rowFloats, 1) - 3) / stride + 1)   // (rows − 1)·s + 3 input rows
        var bands = (depthwise.outHeight + fitting - 1) / fitting
        bands = (bands + parts - 1) / parts * parts
        rowsPerBand = (depthwise.outHeight + bands - 1) / bands
        self.bands = (depthwise.outHeight + rowsPerBand - 1) / rowsPerBand
    }

    /// The output rows of band `band`, and the input rows they read (inside the image).
    func rows(ofBand band: Int) -> (output: Range<Int>, input: Range<Int>) {
        let window = depthwise.window, stride = window.strideY
        let o0 = band * rowsPerBand, o1 = min(depthwise.outHeight, o0 + rowsPerBand)
        let r0 = max(0, o0 * stride - window.padTop), r1 = min(depthwise.height, (o1 - 1) * stride - window.padTop + 3)
        return (o0..<o1, r0..<r1)
    }

    /// Floats of one thread's scratch: a band's expanded rows, then the depthwise kernels' own scratch.
    var scratchSize: Int {
        let input = (rowsPerBand - 1) * depthwise.window.strideY + 3
        return channels * input * depthwise.width + depthwiseScratchSize
    }

    private var depthwiseScratchSize: Int {
        let window = depthwise.window, input = (rowsPerBand - 1) * window.strideY + 3
        return lens_conv_depthwise_scratch(Int32(input), Int32(depthwise.width), 3, Int32(window.strideY),
                                           Int32(window.padTop), Int32(window.padLeft), Int32(rowsPerBand),
                                           Int32(depthwise.outWidth))
    }

    /// One band of one image: e = clamp₁(b₁ + W₁ · x[:, input rows]) [channels, rows, W], then
    /// y[:, output rows] = clamp₂(b₂ + W₂ ⋆ e), the taps above or below the image reading zeros.
    func run(band: Int, image x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>,
             expandWeight: UnsafePointer<Float>, expandBias: UnsafePointer<Float>?, expandClamp: ClosedRange<Float>,
             depthwiseWeight: UnsafePointer<Float>, depthwiseBias: UnsafePointer<Float>?, depthwiseClamp: ClosedRange<Float>,
             scratch: UnsafeMutablePointer<Float>) {
        let (output, input) = rows(ofBand: band)
        let width = depthwise.width, window = depthwise.window
        let columns = input.count * width, expanded = scratch
        // e[channels, columns] = W₁[channels, C] · x[C, rows r0..<r1] (contiguous in each input plane)
        MatrixMultiply.gemm(m: channels, n: columns, k: expand.channels, a: expandWeight, lda: expand.channels,
                            b: x + input.lowerBound * width, ldb: expand.positions, c: expanded, ldc: columns, maxThreads: 1)
        lens_bias_clamp_rows(expanded, Int32(channels), columns, columns, expandBias, expandClamp.lowerBound,
                             expandClamp.upperBound, Int32(LENS_LEVEL_CHOSEN))
        // The band's first input row is image row r0: the pad above it is what remains of padTop.
        let padTop = window.padTop - output.lowerBound * window.strideY + input.lowerBound
        lens_conv_depthwise_planes(expanded, columns, Int32(input.count), Int32(width), 3, Int32(window.strideY),
                                   Int32(padTop), Int32(window.padLeft), Int32(output.count), Int32(depthwise.outWidth),
                                   depthwiseWeight, depthwiseBias, 0, Int32(channels),
                                   y + output.lowerBound * depthwise.outWidth, depthwise.positions,
                                   depthwiseClamp.lowerBound, depthwiseClamp.upperBound,
                                   scratch + channels * ((rowsPerBand - 1) * window.strideY + 3) * width, Int32(LENS_LEVEL_CHOSEN))
    }
}

extension Conv2DLayer {
    /// Whether inference may run this 1x1 layer, its clamp, `depthwise` and its clamp by bands.
    func expandsByBands(into depthwise: Conv2DLayer) -> Bool {
        ExpandDepthwiseBands.applies(expand: geometry, groups: groups, outChannels: outChannels,
                                     depthwise: depthwise.geometry, depthwiseRuns: depthwise.runsDepthwise)
    }

    /// Inference: clamp₂(`depthwise`(clamp₁(self(input)))) by `ExpandDepthwiseBands`, into `output`;
    /// `scratch` grows to what the threads need and is kept for the next call.
    func forwardExpanding(_ input: Tensor, clamp: ClosedRange<Float>, through depthwise: Conv2DLayer,
                          clamp depthwiseClamp: ClosedRange<Float>, into output: inout Tensor, scratch: inout [Float]) {
        let geometry = geometry, batch = input.shape[0], dw = depthwise.geometry
        precondition(input.count == batch * geometry.imageSize,
                     "\(spec.name): expected [N, \(geometry.channels), \(geometry.height), \(geometry.width)], got \(input.shape)")
        output.prepare(shape: [batch, dw.channels, dw.outHeight, dw.outWidth])
        let work = Double(batch) * Double(outChannels * geometry.positions) * Double(geometry.channels + 9)
        let parts = Parallel.parts(forWork: work, minimumPerPart: Self.pointwiseWorkPerPart)
        let bands = ExpandDepthwiseBands(expand: geometry, depthwise: dw, parts: parts)
        let items = batch * bands.bands, used = max(1, min(parts, items)), partSize = bands.scratchSize
        if scratch.count < used * partSize { scratch.append(contentsOf: repeatElement(0, count: used * partSize - scratch.count)) }
        let (hasBias, depthwiseHasBias) = (hasBias, depthwise.hasBias)
        input.scalars.withUnsafeBufferPointer { x in
            output.scalars.withUnsafeMutableBufferPointer { y in
                scratch.withUnsafeMutableBufferPointer { scratch in
                    weight.value.scalars.withUnsafeBufferPointer { w1 in
                        bias.value.scalars.withUnsafeBufferPointer { b1 in
                            depthwise.weight.value.scalars.withUnsafeBufferPointer { w2 in
                                depthwise.bias.value.scalars.withUnsafeBufferPointer { b2 in
                                    // An empty batch has no buffers and nothing to compute.
                                    guard let x = x.baseAddress, let y = y.baseAddress, let scratch = scratch.baseAddress,
                                          let w1 = w1.baseAddress, let w2 = w2.baseAddress else { return }
                                    let (b1, b2) = (hasBias ? b1.baseAddress : nil, depthwiseHasBias ? b2.baseAddress : nil)
                                    Parallel.run(parts: used) { part in
                                        for item in (part * items / used)..<((part + 1) * items / used) {
                                            let (n, band) = item.quotientAndRemainder(dividingBy: bands.bands)
                                            bands.run(band: band, image: x + n * geometry.imageSize, into: y + n * dw.channels * dw.positions,
                                                      expandWeight: w1, expandBias: b1, expandClamp: clamp,
                                                      depthwiseWeight: w2, depthwiseBias: b2, depthwiseClamp: depthwiseClamp,
                                                      scratch: scratch + part * partSize)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
