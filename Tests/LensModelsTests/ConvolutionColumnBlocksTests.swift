import LensKernels
@testable import LensModels
import LensTensor
import Testing

/// The blocked im2col forward of strided layers (`ConvolutionGeometry.columnBlock`) against one
/// product per image, and col2im with the image's rows split over threads against the serial scatter.
@Suite struct ConvolutionColumnBlocksTests {
    struct Shape: Sendable, CustomTestStringConvertible {
        let channels: Int, outChannels: Int, height: Int, width: Int, batch: Int, window: Window
        var testDescription: String { "\(channels)->\(outChannels) \(height)x\(width) batch \(batch) \(window)" }
        var geometry: ConvolutionGeometry { ConvolutionGeometry(channels: channels, height: height, width: width, window: window) }
    }

    static let shapes = [
        // A stem (7x7, stride 2, pad 3): 60 output rows in blocks of 14, a short last one.
        Shape(channels: 3, outChannels: 8, height: 120, width: 120, batch: 1, window: .square(kernel: 7, stride: 2, padding: 3)),
        Shape(channels: 16, outChannels: 24, height: 29, width: 29, batch: 3, window: .square(kernel: 3, stride: 2, padding: 1)),
        Shape(channels: 20, outChannels: 12, height: 15, width: 15, batch: 1, window: .square(kernel: 1, stride: 2, padding: 0)),
        Shape(channels: 5, outChannels: 7, height: 23, width: 31, batch: 2,
              window: Window(kernelHeight: 3, kernelWidth: 5, strideY: 2, strideX: 3, dilationY: 2, pads: [1, 2, 0, 1])),
        // More output channels than positions: whole images, output channels split at batch 1.
        Shape(channels: 128, outChannels: 96, height: 13, width: 13, batch: 1, window: .square(kernel: 3, stride: 2, padding: 1)),
        Shape(channels: 4, outChannels: 6, height: 9, width: 9, batch: 0, window: .square(kernel: 3, stride: 2, padding: 1)),
        // MobileNet's stem (3x3, stride 2): 112 output rows, 3 blocks of 43 made 4 of 28 for two threads.
        Shape(channels: 3, outChannels: 32, height: 224, width: 224, batch: 1, window: .square(kernel: 3, stride: 2, padding: 1)),
    ]

    @Test(arguments: shapes)
    func blocksMatchOneProductPerImage(_ shape: Shape) {
        var blocked = Conv2DLayer.testLayer(Convolution(inChannels: shape.channels, outChannels: shape.outChannels, window: shape.window),
                                            height: shape.height, width: shape.width, seed: 4)
        #expect(blocked.runsColumnBlocks)
        var plain = blocked
        plain.runsColumnBlocks = false
        plain.packsColumnWeights = false
        let input = randomTensor([shape.batch, shape.channels, shape.height, shape.width], seed: 5)
        expectForwardMatches(&blocked, &plain, input: input, shape.testDescription)
    }

    /// The input gradient in blocks of output rows, even blocks then odd ones over the cores, against one
    /// product and col2im per image (the parameter gradients' pass keeps that path).
    @Test(arguments: shapes + [
        // A stem of 120 output rows: 18 blocks of 7, a short last one.
        Shape(channels: 3, outChannels: 8, height: 240, width: 240, batch: 2, window: .square(kernel: 7, stride: 2, padding: 3)),
    ])
    func blockedInputGradientMatchesOneProductPerImage(_ shape: Shape) {
        var blocked = Conv2DLayer.testLayer(Convolution(inChannels: shape.channels, outChannels: shape.outChannels, window: shape.window),
                                            height: shape.height, width: shape.width, seed: 9)
        var plain = blocked
        plain.runsColumnBlocks = false
        plain.packsColumnWeights = false
        let input = randomTensor([shape.batch, shape.channels, shape.height, shape.width], seed: 10)
        var output = Tensor.empty
        plain.forward(input, into: &output, training: false)
        let dy = randomTensor(output.shape, seed: 11)
        let context = BackwardContext(reluMode: .gradient, parameterGradients: .skip, needsInputGradient: true)
        var expected = Tensor.empty, actual = Tensor(shape: input.shape, scalars: Array(repeating: .nan, count: input.count))
        plain.backward(input: input, output: output, outputGradient: dy, into: &expected, context: context)
        blocked.backward(input: input, output: output, outputGradient: dy, into: &actual, context: context)
        #expect(actual.shape == input.shape)
        expectScalarsClose(actual.scalars, expected.scalars, shape.testDescription)
    }

    /// The two-phase blocks at their smallest (`gradientBlockRowsApart`, where neighbours share the most
    /// rows of dx) over 1-3 parts, against one product and col2im of the whole image.
    @Test(arguments: shapes + [
        Shape(channels: 2, outChannels: 3, height: 60, width: 9, batch: 1,
              window: Window(kernelHeight: 5, kernelWidth: 3, strideY: 2, strideX: 1, dilationY: 2, pads: [4, 1, 3, 1])),
    ])
    func smallestGradientBlocksMatchTheWholeImage(_ shape: Shape) {
        let geometry = shape.geometry, outChannels = shape.outChannels
        guard geometry.positions > 0 else { return }
        let weight = randomTensor([outChannels, geometry.rows], seed: 12).scalars
        let dy = randomTensor([outChannels, geometry.positions], seed: 13).scalars
        var expected = [Float](repeating: 0, count: geometry.imageSize)
        var columns = [Float](repeating: 0, count: geometry.rows * geometry.positions)
        weight.withUnsafeBufferPointer { w in
            dy.withUnsafeBufferPointer { dy in
                columns.withUnsafeMutableBufferPointer { c in
                    MatrixMultiply.gemm(transposeA: true, m: geometry.rows, n: geometry.positions, k: outChannels, a: w.baseAddress!,
                                        lda: geometry.rows, b: dy.baseAddress!, ldb: geometry.positions, c: c.baseAddress!, ldc: geometry.positions)
                    expected.withUnsafeMutableBufferPointer { geometry.col2imAdding(c.baseAddress!, into: $0.baseAddress!) }
                }
            }
        }
        let blockRows = geometry.gradientBlockRowsApart, partSize = geometry.rows * blockRows * geometry.outWidth
        var cache = PackedWeightsCache()
        let packed = cache.packed(weight, as: geometry.gradientPacking(outChannels: outChannels, columns: blockRows * geometry.outWidth))
        let runs: [(Int, PackedWeights?)] = (1...3).map { ($0, nil) } + (1...3).map { ($0, packed) }
        for (parts, packed) in runs {
            var actual = [Float](repeating: 0, count: geometry.imageSize)
            var scratch = [Float](repeating: .nan, count: parts * partSize)
            weight.withUnsafeBufferPointer { w in
                dy.withUnsafeBufferPointer { dy in
                    scratch.withUnsafeMutableBufferPointer { s in
                        actual.withUnsafeMutableBufferPointer {
                            geometry.gradientColumnBlocks(dy.baseAddress!, weight: w.baseAddress!, packed: packed, outChannels: outChannels, blockRows: blockRows,
                                                          parts: parts, into: $0.baseAddress!, scratch: s.baseAddress!, partSize: partSize)
                        }
                    }
                }
            }
            expectScalarsClose(actual, expected, "\(shape.testDescription), \(parts) parts, packed \(packed != nil)")
        }
    }

    /// The stem's input gradient runs in blocks within the budget; deeper layers keep one product per image.
    @Test func gradientBlocksWithinTheBudget() {
        let stem = ConvolutionGeometry(channels: 3, height: 224, width: 224, kernel: 7, stride: 2, padding: 3)
        #expect(stem.gradientBlockRowsApart == 3, "6 rows of reach at stride 2")
        if Parallel.coreCount <= 8, let rows = stem.gradientBlockRows(outChannels: 64) {
            #expect(rows >= 3 && rows * stem.rows * stem.outWidth <= ConvolutionGeometry.columnBlockFloats)
        } else if Parallel.coreCount <= 8 {
            Issue.record("the stem's input gradient is not blocked")
        }
        let deep = ConvolutionGeometry(channels: 256, height: 14, width: 14, kernel: 3, stride: 2, padding: 1)
        #expect(deep.gradientBlockRows(outChannels: 512) == nil)
    }

    /// The stem's blocks hold whole output rows within the budget; deeper layers (more weights than
    /// positions) keep whole images; stride-1, plain 1x1 and grouped layers keep their own paths.
    @Test func blocksOfWholeRowsWithinTheBudget() {
        let stem = ConvolutionGeometry(channels: 3, height: 224, width: 224, kernel: 7, stride: 2, padding: 3)
        let width = stem.columnBlockWidth(outChannels: 64)
        #expect(stem.runsColumnBlocks(groups: 1) && width % stem.outWidth == 0)
        #expect(width * stem.rows <= ConvolutionGeometry.columnBlockFloats)
        #expect((width + stem.outWidth) * stem.rows > ConvolutionGeometry.columnBlockFloats)
        let deep = ConvolutionGeometry(channels: 256, height: 14, width: 14, kernel: 3, stride: 2, padding: 1)
        #expect(deep.columnBlockWidth(outChannels: 512) == deep.positions)
        let strideOne = ConvolutionGeometry(channels: 64, height: 56, width: 56, kernel: 3, stride: 1, padding: 1)
        #expect(!strideOne.runsColumnBlocks(groups: 1))
        #expect(!ConvolutionGeometry(channels: 8, height: 9, width: 9, kernel: 1, stride: 1, padding: 0).runsColumnBlocks(groups: 1))
        #expect(!stem.runsColumnBlocks(groups: 3))
    }

    /// A forward's blocks share evenly over the threads: more, smaller blocks of whole rows, never past
    /// the budget; blocks that already share evenly, one part, and whole images are left alone.
    @Test func forwardBlocksShareEvenly() {
        let mobileStem = ConvolutionGeometry(channels: 3, height: 224, width: 224, kernel: 3, stride: 2, padding: 1)
        let width = mobileStem.columnBlockWidth(outChannels: 32)
        #expect((mobileStem.positions + width - 1) / width == 3)
        #expect(mobileStem.columnBlockWidth(outChannels: 32, parts: 1) == width)
        let even = mobileStem.columnBlockWidth(outChannels: 32, parts: 2)
        #expect(even == 28 * mobileStem.outWidth && even <= width)
        #expect(mobileStem.columnBlockWidth(outChannels: 32, parts: 3) == width)
        for parts in 2...5 {
            let blockWidth = mobileStem.columnBlockWidth(outChannels: 32, parts: parts)
            let blocks = (mobileStem.positions + blockWidth - 1) / blockWidth
            #expect(blockWidth % mobileStem.outWidth == 0 && blockWidth <= width)
            #expect(blocks % parts == 0 || blocks >= 8 * parts, "\(parts) parts: \(blocks) blocks")
        }
        let deep = ConvolutionGeometry(channels: 256, height: 14, width: 14, kernel: 3, stride: 2, padding: 1)
        #expect(deep.columnBlockWidth(outChannels: 512, parts: 2) == deep.positions)
    }

    /// col2im over 1-3 parts of the image's rows: the same sums, in the same order, as the serial scatter.
    @Test(arguments: shapes)
    func splitCol2imMatchesSerialScatter(_ shape: Shape) {
        let geometry = shape.geometry
        let columns = randomTensor([geometry.rows, geometry.positions], seed: 6).scalars
        var expected = [Float](repeating: 0, count: geometry.imageSize)
        columns.withUnsafeBufferPointer { c in expected.withUnsafeMutableBufferPointer { geometry.col2imAdding(c.baseAddress!, into: $0.baseAddress!) } }
        for parts in 1...3 {
            var actual = [Float](repeating: .nan, count: geometry.imageSize)
            var padded = [Float](repeating: 0, count: max(geometry.paddedImageSize, 1))
            columns.withUnsafeBufferPointer { c in
                actual.withUnsafeMutableBufferPointer { image in
                    padded.withUnsafeMutableBufferPointer { geometry.col2im(c.baseAddress!, into: image.baseAddress!, padded: $0.baseAddress!, parts: parts) }
                }
            }
            #expect(actual == expected, "\(shape.testDescription), \(parts) parts")
        }
    }

    /// im2col (the stride-2 runs in LensKernels included) and col2im against their definitions,
    /// element by element: column (c, ky, kx), (oy, ox) reads image[c][oy·sY − top + ky·dY][ox·sX − left + kx·dX], 0 outside.
    @Test(arguments: shapes)
    func columnsMatchTheirDefinition(_ shape: Shape) {
        let geometry = shape.geometry, window = shape.window
        let image = randomTensor([geometry.imageSize], seed: 7).scalars
        let gradient = randomTensor([geometry.rows * geometry.positions], seed: 8).scalars
        var expectedColumns = [Float](repeating: 0, count: geometry.rows * geometry.positions)
        var expectedImage = [Float](repeating: 0, count: geometry.imageSize)
        var k = 0
        for c in 0..<geometry.channels {
            for ky in 0..<window.kernelHeight {
                for kx in 0..<window.kernelWidth {
                    for oy in 0..<geometry.outHeight {
                        for ox in 0..<geometry.outWidth {
                            let iy = oy * window.strideY - window.padTop + ky * window.dilationY
                            let ix = ox * window.strideX - window.padLeft + kx * window.dilationX
                            let at = k * geometry.positions + oy * geometry.outWidth + ox
                            guard (0..<geometry.height).contains(iy), (0..<geometry.width).contains(ix) else { continue }
                            expectedColumns[at] = image[(c * geometry.height + iy) * geometry.width + ix]
                            expectedImage[(c * geometry.height + iy) * geometry.width + ix] += gradient[at]
                        }
                    }
                    k += 1
                }
            }
        }
        var columns = [Float](repeating: .nan, count: geometry.rows * geometry.positions)
        image.withUnsafeBufferPointer { x in columns.withUnsafeMutableBufferPointer { geometry.im2col(x.baseAddress!, into: $0.baseAddress!) } }
        #expect(columns == expectedColumns, "\(shape.testDescription): im2col")
        var scattered = [Float](repeating: 0, count: geometry.imageSize)
        gradient.withUnsafeBufferPointer { g in scattered.withUnsafeMutableBufferPointer { geometry.col2imAdding(g.baseAddress!, into: $0.baseAddress!) } }
        expectScalarsClose(scattered, expectedImage, "\(shape.testDescription): col2im")
    }

    /// The stride-2 gather over every length up to three vectors (the masked tails) against the plain loop.
    @Test func strideTwoGatherMatchesThePlainLoop() {
        for count in 0...50 {
            let source = randomTensor([2 * count + 1], seed: UInt64(count)).scalars
            var gathered = [Float](repeating: .nan, count: count)
            source.withUnsafeBufferPointer { s in gathered.withUnsafeMutableBufferPointer { lens_gather_stride2(s.baseAddress!, $0.baseAddress, count) } }
            #expect(gathered == (0..<count).map { source[2 * $0] }, "gather, \(count)")
        }
    }
}
