@testable import LensModels
import LensTensor
import Testing

/// The blocked 1x1 path (`ConvolutionGeometry.pointwise`) against one product per image: several
/// column blocks with a short last one, row blocks (a 7x7 layer at batch 1), a batch, and the
/// ReLU/Clip fused into the blocks against the plain output clamped.
@Suite struct ConvolutionPointwiseTests {
    struct Shape: Sendable, CustomTestStringConvertible {
        let channels: Int, outChannels: Int, side: Int, batch: Int
        var testDescription: String { "\(channels)->\(outChannels) \(side)x\(side) batch \(batch)" }
    }

    static let shapes = [
        Shape(channels: 40, outChannels: 24, side: 40, batch: 1),    // one block: rows split over the threads
        Shape(channels: 16, outChannels: 96, side: 80, batch: 2),    // an expand of few channels, output past L2: blocks of 576, a short last one
        Shape(channels: 96, outChannels: 24, side: 60, batch: 1),    // a project layer: blocks of 544 at batch 1
        Shape(channels: 160, outChannels: 960, side: 7, batch: 1),   // one column block: rows split over the threads
        Shape(channels: 8, outChannels: 12, side: 5, batch: 3),      // tiny: one block per image
        Shape(channels: 192, outChannels: 64, side: 14, batch: 1),   // 2.4 M multiply-adds: rows split over the threads
        // Whole images from packed weights, transposed tiles with the bias and clamp in their store:
        Shape(channels: 960, outChannels: 160, side: 7, batch: 1),   // 5 tiles of 32 rows: split by positions
        Shape(channels: 576, outChannels: 96, side: 14, batch: 1),   // K past the GEMM's 256
        Shape(channels: 40, outChannels: 100, side: 14, batch: 2),   // rows not a multiple of 32, a batch
    ]

    private func layer(_ shape: Shape) -> Conv2DLayer {
        let convolution = Convolution(inChannels: shape.channels, outChannels: shape.outChannels, window: .square(kernel: 1, stride: 1, padding: 0))
        return .testLayer(convolution, height: shape.side, width: shape.side, name: "pw", seed: 4)
    }

    @Test(arguments: shapes)
    func blocksMatchOneProductPerImage(_ shape: Shape) {
        var blocked = layer(shape)
        blocked.runsPointwiseBlocks = true   // the tiny shape is the direct kernel's by default (`blockWidthCutsOnlyLargeImages`)
        var plain = blocked
        plain.runsPointwiseBlocks = false
        plain.forwardRunsDirect = false
        let input = randomTensor([shape.batch, shape.channels, shape.side, shape.side], seed: 5)
        expectForwardMatches(&blocked, &plain, input: input, shape.testDescription)
    }

    /// Every item of the split is one (image, rows, columns) block, and together they tile each output once.
    @Test(arguments: [(1, 49, 960, 2), (2, 3136, 96, 2), (1, 1600, 24, 1), (3, 25, 12, 2)])
    func workItemsTileTheOutput(images: Int, positions: Int, outChannels: Int, parts: Int) {
        let width = min(positions, 1024)
        let work = PointwiseWork(images: images, positions: positions, blockWidth: width, outChannels: outChannels, parts: parts)
        var covered = [Int](repeating: 0, count: images * outChannels * positions)
        for item in 0..<work.items {
            let (n, rows, columns) = work.item(item)
            #expect(!rows.isEmpty && !columns.isEmpty)
            for r in rows { for p in columns { covered[(n * outChannels + r) * positions + p] += 1 } }
        }
        #expect(covered.allSatisfy { $0 == 1 })
        #expect(work.items >= min(parts, images * outChannels / 16), "a thread left without work")
    }
}

extension ConvolutionPointwiseTests {
    /// Images larger than half of L2 are cut into blocks of whole micro-kernel widths that fit the
    /// budget; smaller ones (MobileNet's 7x7-28x28 layers) stay one block.
    @Test func blockWidthCutsOnlyLargeImages() {
        func geometry(_ channels: Int, _ side: Int) -> ConvolutionGeometry {
            ConvolutionGeometry(channels: channels, height: side, width: side, window: .square(kernel: 1, stride: 1, padding: 0))
        }
        #expect(geometry(16, 112).pointwiseBlockWidth(outChannels: 96) == 576)
        #expect(geometry(96, 56).pointwiseBlockWidth(outChannels: 24) == 544)
        #expect(geometry(576, 14).pointwiseBlockWidth(outChannels: 96) == 196)
        #expect(geometry(160, 7).pointwiseBlockWidth(outChannels: 960) == 49)
        let cut = geometry(32, 112).pointwiseBlockWidth(outChannels: 192)
        #expect(cut % 32 == 0 && cut * (32 + 192) <= ConvolutionGeometry.pointwiseBlockFloats)
        // The direct kernel keeps the layers of few input channels whose output stays in L2.
        #expect(geometry(16, 112).runsPointwiseBlocks(groups: 1, outChannels: 96))
        #expect(!geometry(24, 56).runsPointwiseBlocks(groups: 1, outChannels: 144))
        #expect(geometry(96, 56).runsPointwiseBlocks(groups: 1, outChannels: 24))
        #expect(!geometry(16, 56).runsPointwiseBlocks(groups: 16, outChannels: 16))
    }
}

extension ConvolutionPointwiseTests {
    /// An input-gradient-only backward in blocks against one product per image, and with a clamp's
    /// backward fused in against the clamp's own pass after it, under every rule; batch 0 included.
    @Test(arguments: shapes + [Shape(channels: 24, outChannels: 40, side: 9, batch: 0)])
    func inputGradientBlocksMatchOneProductPerImage(_ shape: Shape) {
        var blocked = layer(shape)
        var plain = blocked
        plain.runsPointwiseInputGradient = false
        let input = randomTensor([shape.batch, shape.channels, shape.side, shape.side], seed: 6)
        let dy = randomTensor([shape.batch, shape.outChannels, shape.side, shape.side], seed: 7)
        var output = Tensor.empty
        blocked.forward(input, into: &output, training: false)
        let context = BackwardContext(reluMode: .gradient, parameterGradients: .skip, needsInputGradient: true)
        var expected = Tensor.empty, actual = Tensor.empty
        plain.backward(input: input, output: output, outputGradient: dy, into: &expected, context: context)
        blocked.backward(input: input, output: output, outputGradient: dy, into: &actual, context: context)
        #expect(actual.shape == input.shape)
        expectScalarsClose(actual.scalars, expected.scalars, "\(shape.testDescription) dx")
        // The gate reads the layer's input as the clamp's output: values inside, at and past the bounds.
        let clamped = Tensor(shape: input.shape, scalars: input.scalars.map { min(max($0, 0), 0.5) })
        for mode in ReLUBackwardMode.allCases {
            let gate = ClampGate(.clip(low: 0, high: 0.5), mode: mode)!
            var gated = Tensor.empty, apart = Tensor.empty
            #expect(blocked.backwardThroughClamp(input: clamped, outputGradient: dy, into: &gated, gate: gate))
            blocked.backward(input: clamped, output: output, outputGradient: dy, into: &expected, context: context)
            Elementwise.clampBackward(gate: clamped, outputGradient: expected, into: &apart, low: gate.low, top: gate.top, mode: mode)
            #expect(gated.scalars == apart.scalars, "\(shape.testDescription) \(mode): the gate changes no sum")
        }
    }

    /// 3 images of one block over 2 threads are cut into row blocks too, so both threads get 3 blocks.
    @Test func unevenImagesGetRowBlocks() {
        let work = PointwiseWork(images: 3, positions: 49, blockWidth: 49, outChannels: 960, parts: 2)
        #expect(work.items % 2 == 0)
        #expect(PointwiseWork(images: 4, positions: 49, blockWidth: 49, outChannels: 960, parts: 2).rowBlocks == 1)
        #expect(PointwiseWork(images: 3, positions: 3136, blockWidth: 544, outChannels: 24, parts: 2).rowBlocks == 1)
    }
}
