import LensKernels
@testable import LensModels
import LensTensor
import Testing

/// Winograd F(2x2, 3x3) and F(4x4, 3x3) against im2col + GEMM: forward (with bias, fused ReLU, batch > 1)
/// and the input gradient, over odd and even sizes, pads 0-2 and uneven pads; and the transformed kernels
/// made anew when the weights or the tile size change.
@Suite struct ConvolutionWinogradTests {
    struct Shape: Sendable, CustomTestStringConvertible {
        let channels: Int, outChannels: Int, pads: [Int], height: Int, width: Int
        var testDescription: String { "\(channels)->\(outChannels) pads \(pads) \(height)x\(width)" }
    }

    static let shapes = [
        Shape(channels: 16, outChannels: 16, pads: [1, 1, 1, 1], height: 8, width: 8),    // even: whole tiles
        Shape(channels: 24, outChannels: 40, pads: [1, 1, 1, 1], height: 7, width: 7),    // ResNet's layer4 size: half tiles
        Shape(channels: 17, outChannels: 19, pads: [0, 0, 0, 0], height: 9, width: 12),   // no padding, odd channels
        Shape(channels: 16, outChannels: 32, pads: [2, 2, 2, 2], height: 5, width: 6),    // padding 2
        Shape(channels: 20, outChannels: 16, pads: [0, 1, 2, 1], height: 11, width: 3),   // uneven pads, narrow
        // The packed kernels crossing the GEMM's K and M blocks, with 36 tiles (the usual layout) and with 9
        // (fewer than a register tile's width: the transposed one); and 72 tiles of few channels.
        Shape(channels: 260, outChannels: 136, pads: [1, 1, 1, 1], height: 12, width: 12),
        Shape(channels: 260, outChannels: 136, pads: [1, 1, 1, 1], height: 5, width: 6),
        Shape(channels: 16, outChannels: 24, pads: [1, 1, 1, 1], height: 16, width: 18),
        // F(4x4)'s widest layers (ResNet's 56x56 and 28x28 ones), with a partial tile.
        Shape(channels: 64, outChannels: 64, pads: [1, 1, 1, 1], height: 13, width: 13),
        Shape(channels: 128, outChannels: 128, pads: [1, 1, 1, 1], height: 13, width: 13),
        // Rows of 18-35 tiles: the transforms' column steps over the rows' phases run whole vectors and a
        // remainder; pad left 2 and right 0 shift the phases, the last tile partial.
        Shape(channels: 16, outChannels: 16, pads: [1, 2, 1, 0], height: 9, width: 70),
        // The input transforms' column step flattened over all rows of tiles: tiles_y · (tiles_x + 1) of 35
        // (F(4x4)) and 130 (F(2x2)), neither a multiple of 16; rows of 6 and 12 tiles cross packed slivers' edges.
        Shape(channels: 64, outChannels: 72, pads: [1, 0, 1, 2], height: 19, width: 23),
        // Rows of 5 outputs: the output transforms' interleaved chunks of 8 tiles run over several rows, and
        // the last rows' go one float at a time; 12 and 33 tiles, flattened.
        Shape(channels: 16, outChannels: 24, pads: [1, 1, 1, 1], height: 21, width: 5),
    ]

    static let tileSizes = [2, 4]

    /// F(4x4) runs on layers of at most 128 channels (`winogradLargeTileChannelMaximum`): beyond, its
    /// float error passes this suite's tolerance.
    private func runs(_ shape: Shape, tileSize: Int) -> Bool {
        tileSize == 2 || max(shape.channels, shape.outChannels) <= ConvolutionGeometry.winogradLargeTileChannelMaximum
    }

    private func layer(_ shape: Shape, tileSize: Int = 2) -> Conv2DLayer {
        let window = Window(kernelHeight: 3, kernelWidth: 3, pads: shape.pads)
        let convolution = Convolution(inChannels: shape.channels, outChannels: shape.outChannels, window: window)
        var layer = Conv2DLayer.testLayer(convolution, height: shape.height, width: shape.width, seed: 4)
        // The path itself at any channel count; which layers take it is the last test's.
        layer.runsWinograd = true
        layer.winogradTileSize = tileSize
        return layer
    }

    /// Relative to the largest reference value: Winograd sums in another order, with the
    /// transforms' additions in between.
    private func expectClose(_ actual: Tensor, _ expected: Tensor, _ what: String) {
        #expect(actual.shape == expected.shape, "\(what): shape")
        let scale = expected.scalars.map(abs).max() ?? 1
        let worst = zip(actual.scalars, expected.scalars).map { abs($0 - $1) }.max() ?? .infinity
        #expect(worst <= 1e-5 * scale, "\(what): largest difference \(worst) of \(scale)")
        #expect(!actual.scalars.contains { $0.isNaN }, "\(what): NaN")
    }

    /// A Winograd layer of `shape` and its outputs for a random batch, with the im2col + GEMM outputs.
    private func forwardBoth(_ shape: Shape, tileSize: Int, batch: Int, seed: UInt64)
        -> (winograd: Conv2DLayer, input: Tensor, expected: Tensor, actual: Tensor) {
        var winograd = layer(shape, tileSize: tileSize)
        var plain = winograd
        plain.runsWinograd = false
        let input = randomTensor([batch, shape.channels, shape.height, shape.width], seed: seed)
        var expected = Tensor.empty
        plain.forward(input, into: &expected, training: false)
        // NaN to start with: every output must be written.
        var actual = Tensor(shape: expected.shape, scalars: Array(repeating: .nan, count: expected.count))
        winograd.forward(input, into: &actual, training: false)
        return (winograd, input, expected, actual)
    }

    @Test(arguments: shapes, tileSizes)
    func forwardMatchesIm2colAndGEMM(_ shape: Shape, tileSize: Int) {
        guard runs(shape, tileSize: tileSize) else { return }
        let (made, input, expected, actual) = forwardBoth(shape, tileSize: tileSize, batch: 3, seed: 5)
        var winograd = made
        expectClose(actual, expected, shape.testDescription)
        // The ReLU fused into the output transform.
        var fused = Tensor.empty
        #expect(winograd.forwardThroughClamp(input, into: &fused, clamp: .relu))
        expectClose(fused, Tensor(shape: expected.shape, scalars: expected.scalars.map { max($0, 0) }), "\(shape.testDescription) relu")
    }

    @Test(arguments: shapes, tileSizes)
    func inputGradientMatchesIm2colAndGEMM(_ shape: Shape, tileSize: Int) {
        guard runs(shape, tileSize: tileSize) else { return }
        inputGradientMatches(shape, tileSize: tileSize, withParameters: false)
        inputGradientMatches(shape, tileSize: tileSize, withParameters: true)
    }

    private func inputGradientMatches(_ shape: Shape, tileSize: Int, withParameters: Bool) {
        var winograd = layer(shape, tileSize: tileSize)
        var plain = winograd
        plain.runsWinograd = false
        let input = randomTensor([2, shape.channels, shape.height, shape.width], seed: 6)
        var output = Tensor.empty
        plain.forward(input, into: &output, training: true)
        let gradient = randomTensor(output.shape, seed: 7)
        let context = BackwardContext(reluMode: .gradient, parameterGradients: withParameters ? .replace : .skip,
                                      needsInputGradient: true)
        var expected = Tensor.empty
        plain.backward(input: input, output: output, outputGradient: gradient, into: &expected, context: context)
        var actual = Tensor(shape: input.shape, scalars: Array(repeating: .nan, count: input.count))
        winograd.forward(input, into: &output, training: true)
        winograd.backward(input: input, output: output, outputGradient: gradient, into: &actual, context: context)
        expectClose(actual, expected, "\(shape.testDescription) dx")
        if withParameters {
            // The weight gradient still goes through im2col: the same on both paths.
            #expect(winograd.parameters[0].gradient == plain.parameters[0].gradient)
            #expect(winograd.parameters[1].gradient == plain.parameters[1].gradient)
        }
    }

    /// Images grouped into one set of products (`ConvolutionGeometry.winogradGroup`), at every column limit from
    /// one image a group to the whole batch, against one image at a time: forward, the input gradient and the gated
    /// input gradient bit for bit (each column of a product sums the same terms in the same order), and near
    /// im2col + GEMM; batches 1, 3 and 5 (the last group short), tiles of 2-72 an image (odd counts cross the
    /// 8-column steps and the packed slivers, 9 tiles gives the transposed layout alone and the usual one grouped).
    @Test(arguments: [shapes[1], shapes[2], shapes[6], shapes[9], shapes[12]], tileSizes)
    func groupedImagesMatchOneAtATime(_ shape: Shape, tileSize: Int) {
        guard runs(shape, tileSize: tileSize) else { return }
        let context = BackwardContext(reluMode: .gradient, parameterGradients: .skip, needsInputGradient: true)
        let gate = ClampGate(.relu, mode: .gradient)!
        for batch in [1, 3, 5] {
            var single = layer(shape, tileSize: tileSize)
            single.winogradGroupColumns = 1
            var plain = single
            plain.runsWinograd = false
            let input = randomTensor([batch, shape.channels, shape.height, shape.width], seed: 15)
            let clamped = Tensor(shape: input.shape, scalars: input.scalars.map { max($0, 0) })
            var expected = Tensor.empty, reference = Tensor.empty
            single.forward(clamped, into: &expected, training: false)
            plain.forward(clamped, into: &reference, training: false)
            let dy = randomTensor(expected.shape, seed: 16)
            var dxExpected = Tensor.empty, gatedExpected = Tensor.empty, dxReference = Tensor.empty
            single.backward(input: clamped, output: expected, outputGradient: dy, into: &dxExpected, context: context)
            #expect(single.backwardThroughClamp(input: clamped, outputGradient: dy, into: &gatedExpected, gate: gate))
            plain.backward(input: clamped, output: reference, outputGradient: dy, into: &dxReference, context: context)
            for limit in [16, 64, 128, 256, 100_000] {
                var grouped = layer(shape, tileSize: tileSize)
                grouped.winogradGroupColumns = limit
                let what = "\(shape.testDescription) m \(tileSize) batch \(batch) limit \(limit)"
                var actual = Tensor(shape: expected.shape, scalars: Array(repeating: .nan, count: expected.count))
                grouped.forward(clamped, into: &actual, training: false)
                #expect(actual.scalars == expected.scalars, "\(what) forward")
                expectClose(actual, reference, "\(what) forward against im2col")
                var dx = Tensor(shape: input.shape, scalars: Array(repeating: .nan, count: input.count))
                grouped.backward(input: clamped, output: actual, outputGradient: dy, into: &dx, context: context)
                #expect(dx.scalars == dxExpected.scalars, "\(what) dx")
                expectClose(dx, dxReference, "\(what) dx against im2col")
                var gated = Tensor(shape: input.shape, scalars: Array(repeating: .nan, count: input.count))
                #expect(grouped.backwardThroughClamp(input: clamped, outputGradient: dy, into: &gated, gate: gate))
                #expect(gated.scalars == gatedExpected.scalars, "\(what) gated dx")
            }
        }
    }

    /// Groups of equal size, as many as the column limit needs rounded up to a multiple of the cores.
    @Test func groupsAreBalancedOverTheCores() {
        let geometry = ConvolutionGeometry(channels: 256, height: 14, width: 14, window: Window(kernelHeight: 3, kernelWidth: 3, pads: [1, 1, 1, 1]))
        let pass = geometry.winogradForward(outChannels: 256)   // 49 tiles: 56 columns an image when grouped
        #expect(ConvolutionGeometry.winogradGroup(pass, batch: 4, cores: 2) == 4, "one group of 4 (224 columns) over both cores")
        #expect(ConvolutionGeometry.winogradGroup(pass, batch: 6, cores: 2) == 3, "3 and 3, not 4 and 2")
        #expect(ConvolutionGeometry.winogradGroup(pass, batch: 12, cores: 2) == 3, "four groups of 3, two a core")
        #expect(ConvolutionGeometry.winogradGroup(pass, batch: 16, cores: 2) == 4)
        #expect(ConvolutionGeometry.winogradGroup(pass, batch: 1, cores: 2) == 1)
        #expect(ConvolutionGeometry.winogradGroup(pass, batch: 5, cores: 1) == 3, "one core: two groups, 3 and 2")
        #expect(ConvolutionGeometry.winogradGroup(pass, batch: 6, cores: 2, columnLimit: 1) == 1, "a limit under one image: one a group")
    }

    /// The input gradient with the backward of the ReLU or Clip feeding the layer fused into its output transform
    /// (`backwardThroughClamp`) against the clamp's own pass after the input gradient, bit for bit, under every
    /// rule; the gate reads values inside, at and past the bounds; batches 0-2.
    @Test(arguments: [shapes[1], shapes[8], shapes[11], shapes[12]], tileSizes)
    func gatedInputGradientMatchesTheStepsApart(_ shape: Shape, tileSize: Int) {
        guard runs(shape, tileSize: tileSize) else { return }
        var winograd = layer(shape, tileSize: tileSize)
        let context = BackwardContext(reluMode: .gradient, parameterGradients: .skip, needsInputGradient: true)
        for batch in 0...2 {
            let input = randomTensor([batch, shape.channels, shape.height, shape.width], seed: 13)
            let clamped = Tensor(shape: input.shape, scalars: input.scalars.map { min(max($0, 0), 0.5) })
            var output = Tensor.empty
            winograd.forward(clamped, into: &output, training: false)
            let dy = randomTensor(output.shape, seed: 14)
            for operation: LayerSpec.Operation in [.relu, .clip(low: 0, high: 0.5)] {
                for mode in ReLUBackwardMode.allCases {
                    let gate = ClampGate(operation, mode: mode)!
                    var gated = Tensor(shape: input.shape, scalars: Array(repeating: .nan, count: input.count))
                    var ungated = Tensor.empty, apart = Tensor.empty
                    #expect(winograd.backwardThroughClamp(input: clamped, outputGradient: dy, into: &gated, gate: gate))
                    winograd.backward(input: clamped, output: output, outputGradient: dy, into: &ungated, context: context)
                    Elementwise.clampBackward(gate: clamped, outputGradient: ungated, into: &apart, low: gate.low, top: gate.top, mode: mode)
                    #expect(gated.shape == input.shape)
                    #expect(gated.scalars == apart.scalars, "\(shape.testDescription) batch \(batch) \(operation) \(mode)")
                }
            }
        }
    }

    /// One image of a large layer is not split by image: each step of its pass runs over every core there is, the
    /// products and the output transform by the same whole slivers of output channels; forward and input gradient
    /// as at batch 3.
    @Test(arguments: [shapes[5], shapes[6], shapes[8], shapes[9]], tileSizes)
    func oneImageRunsTheProductsAsOneParallelJob(_ shape: Shape, tileSize: Int) {
        guard runs(shape, tileSize: tileSize) else { return }
        var winograd = layer(shape, tileSize: tileSize)
        var plain = winograd
        plain.runsWinograd = false
        let geometry = ConvolutionGeometry(channels: shape.channels, height: shape.height, width: shape.width,
                                           window: Window(kernelHeight: 3, kernelWidth: 3, pads: shape.pads))
        let forwardPass = geometry.winogradForward(outChannels: shape.outChannels, tileSize: tileSize)
        let gradientPass = geometry.winogradInputGradient(outChannels: shape.outChannels, tileSize: tileSize)
        if Parallel.coreCount > 1 && Parallel.maximumThreads > 1 {
            #expect(forwardPass.parts > 1 && gradientPass.parts > 1, "the shape should be worth splitting over the cores")
        }
        for pass in [forwardPass, gradientPass] {
            let rows = pass.outputRows(parts: 3), step = Int(lens_sgemm_packed_a_height(Int32(pass.columns), 0))
            #expect(rows.first == 0 && rows.last == pass.outChannels && zip(rows, rows.dropFirst()).allSatisfy { $0 <= $1 })
            #expect(rows.dropLast().allSatisfy { $0 % step == 0 }, "parts start on whole slivers: \(rows), step \(step)")
        }
        let input = randomTensor([1, shape.channels, shape.height, shape.width], seed: 10)
        var expected = Tensor.empty, actual = Tensor.empty
        plain.forward(input, into: &expected, training: true)
        winograd.forward(input, into: &actual, training: true)
        expectClose(actual, expected, "\(shape.testDescription) batch 1")
        let gradient = randomTensor(expected.shape, seed: 11)
        let context = BackwardContext(reluMode: .gradient, parameterGradients: .skip, needsInputGradient: true)
        var dxPlain = Tensor.empty, dxWinograd = Tensor.empty
        plain.backward(input: input, output: expected, outputGradient: gradient, into: &dxPlain, context: context)
        winograd.backward(input: input, output: actual, outputGradient: gradient, into: &dxWinograd, context: context)
        expectClose(dxWinograd, dxPlain, "\(shape.testDescription) batch 1 dx")
    }

    /// New weights (an optimizer step, a loaded file) give new transformed kernels, in both passes.
    @Test func changedWeightsAreTransformedAgain() {
        let shape = Self.shapes[0]
        var winograd = layer(shape)
        let input = randomTensor([1, shape.channels, shape.height, shape.width], seed: 8)
        var before = Tensor.empty, after = Tensor.empty, expected = Tensor.empty
        winograd.forward(input, into: &before, training: false)
        winograd.updateParameters { parameter in
            if parameter.suffix == "weight" { parameter.value.scalars.withUnsafeMutableBufferPointer { w in w[0] += 1; w[5] -= 2 } }
        }
        winograd.forward(input, into: &after, training: false)
        var plain = winograd
        plain.runsWinograd = false
        plain.forward(input, into: &expected, training: false)
        expectClose(after, expected, "after the change")
        #expect(before != after)
        let context = BackwardContext(reluMode: .gradient, parameterGradients: .skip, needsInputGradient: true)
        var dxPlain = Tensor.empty, dxWinograd = Tensor.empty
        plain.backward(input: input, output: expected, outputGradient: expected, into: &dxPlain, context: context)
        winograd.backward(input: input, output: after, outputGradient: expected, into: &dxWinograd, context: context)
        expectClose(dxWinograd, dxPlain, "input gradient after the change")
    }

    /// A layer switched between tile sizes makes its kernels again for the new size; an empty batch
    /// passes through both directions.
    @Test func tileSizeChangeAndEmptyBatch() {
        let shape = Self.shapes[1]
        let (made, input, expected, first) = forwardBoth(shape, tileSize: 4, batch: 1, seed: 12)
        var (winograd, actual) = (made, first)
        expectClose(actual, expected, "F(4x4)")
        winograd.winogradTileSize = 2
        winograd.forward(input, into: &actual, training: false)
        expectClose(actual, expected, "F(2x2) after F(4x4)")
        let empty = Tensor(shape: [0, shape.channels, shape.height, shape.width], scalars: [])
        var output = Tensor.empty, dx = Tensor.empty
        winograd.forward(empty, into: &output, training: true)
        #expect(output.shape == [0, shape.outChannels, shape.height, shape.width])
        let context = BackwardContext(reluMode: .gradient, parameterGradients: .skip, needsInputGradient: true)
        winograd.backward(input: empty, output: output, outputGradient: output, into: &dx, context: context)
        #expect(dx.shape == empty.shape)
    }

    /// F(4x4) for ResNet's 56x56 and 28x28 layers, F(2x2) for its 14x14 (256 channels) and 7x7 ones.
    @Test func largeImagesOfFewChannelsTakeTheLargeTiles() {
        for (side, channels, tile) in [(56, 64, 4), (28, 128, 4), (12, 64, 4), (11, 64, 2), (7, 64, 2), (14, 256, 2), (28, 129, 2)] {
            let geometry = ConvolutionGeometry(channels: channels, height: side, width: side, kernel: 3, stride: 1, padding: 1)
            #expect(geometry.winogradTileSize(outChannels: channels) == tile, "\(side)x\(side), \(channels) channels")
        }
        let widening = ConvolutionGeometry(channels: 64, height: 28, width: 28, kernel: 3, stride: 1, padding: 1)
        #expect(widening.winogradTileSize(outChannels: 256) == 2)
    }

    /// Too few channels, stride 2, groups and other kernels keep im2col + GEMM.
    @Test func onlyThreeByThreeStrideOneLayersWithEnoughChannelsTakeIt() {
        let geometry = ConvolutionGeometry(channels: 64, height: 14, width: 14, kernel: 3, stride: 1, padding: 1)
        #expect(geometry.runsWinograd(groups: 1, outChannels: 64))
        #expect(!geometry.runsWinograd(groups: 2, outChannels: 64))
        #expect(!geometry.runsWinograd(groups: 1, outChannels: 8))
        #expect(!ConvolutionGeometry(channels: 8, height: 14, width: 14, kernel: 3, stride: 1, padding: 1).runsWinograd(groups: 1, outChannels: 64))
        // The face CNN's and W5's 16 → 32 and 32 → 64 layers run faster as one im2col product.
        #expect(!ConvolutionGeometry(channels: 16, height: 32, width: 32, kernel: 3, stride: 1, padding: 1).runsWinograd(groups: 1, outChannels: 32))
        #expect(!ConvolutionGeometry(channels: 32, height: 16, width: 16, kernel: 3, stride: 1, padding: 1).runsWinograd(groups: 1, outChannels: 64))
        #expect(!ConvolutionGeometry(channels: 64, height: 14, width: 14, kernel: 3, stride: 2, padding: 1).runsWinograd(groups: 1, outChannels: 64))
        #expect(!ConvolutionGeometry(channels: 64, height: 14, width: 14, kernel: 5, stride: 1, padding: 2).runsWinograd(groups: 1, outChannels: 64))
    }
}
