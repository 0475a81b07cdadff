@testable import LensModels
import LensTensor
import Testing

/// The convolution's fast paths against the plain ones: the direct kernel (each instruction-set
/// variant this CPU runs) against im2col + GEMM, the ReLU fused into a convolution's output
/// against the separate ReLU layer, and a network's fused inference (`logits`) against its plain
/// forward.
@Suite struct ConvolutionFastPathTests {
    struct Shape: Sendable, CustomTestStringConvertible {
        let channels: Int, outChannels: Int, groups: Int, kernel: Int, padding: Int, height: Int, width: Int
        var testDescription: String { "\(channels)->\(outChannels)/g\(groups) k\(kernel)p\(padding) \(height)x\(width)" }
    }

    static let shapes = [
        Shape(channels: 1, outChannels: 32, groups: 1, kernel: 5, padding: 2, height: 28, width: 28),   // W4's first: rows of 16 + 12 lanes
        Shape(channels: 1, outChannels: 16, groups: 1, kernel: 3, padding: 1, height: 20, width: 64),   // W5's first (narrower)
        Shape(channels: 3, outChannels: 10, groups: 1, kernel: 3, padding: 1, height: 9, width: 13),    // RGB; blocks of 8 + 2 outputs
        Shape(channels: 6, outChannels: 6, groups: 6, kernel: 3, padding: 1, height: 11, width: 7),     // depthwise
        Shape(channels: 4, outChannels: 8, groups: 2, kernel: 3, padding: 0, height: 10, width: 19),    // grouped, no padding
    ]

    private func layer(_ shape: Shape, seed: UInt64 = 3) -> Conv2DLayer {
        let window = Window(kernelHeight: shape.kernel, kernelWidth: shape.kernel,
                            pads: Array(repeating: shape.padding, count: 4))
        let convolution = Convolution(inChannels: shape.channels, outChannels: shape.outChannels, groups: shape.groups, window: window)
        return .testLayer(convolution, height: shape.height, width: shape.width, seed: seed)
    }

    private func expectClose(_ actual: Tensor, _ expected: Tensor, _ what: String) {
        #expect(actual.shape == expected.shape, "\(what): shape")
        let worst = zip(actual.scalars, expected.scalars).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? 0
        #expect(worst < 1e-5, "\(what): largest difference \(worst)")
    }

    @Test(arguments: shapes)
    func directForwardMatchesIm2colAndGEMM(_ shape: Shape) {
        var direct = layer(shape)
        #expect(direct.forwardRunsDirect, "\(shape.testDescription) should take the direct path")
        direct.runsDepthwise = false   // the depthwise case here tests the direct kernel; ConvolutionDepthwiseTests the other
        var plain = direct
        plain.forwardRunsDirect = false
        let input = randomTensor([3, shape.channels, shape.height, shape.width], seed: 5)
        var expected = Tensor.empty, actual = Tensor.empty
        plain.forward(input, into: &expected, training: false)
        direct.forward(input, into: &actual, training: true)
        expectClose(actual, expected, shape.testDescription)
    }

    /// Every variant of the kernel this CPU can run, on one image, against im2col + GEMM.
    @Test(arguments: shapes)
    func everyKernelVariantMatches(_ shape: Shape) {
        var plain = layer(shape)
        plain.forwardRunsDirect = false
        let input = randomTensor([1, shape.channels, shape.height, shape.width], seed: 6)
        var expected = Tensor.empty
        plain.forward(input, into: &expected, training: false)
        let geometry = plain.geometry
        let weight = plain.parameters[0].value, bias = plain.parameters[1].value
        let positions = geometry.positions
        for kernel in DirectKernel.allCases {
            for relu in [false, true] {
                // NaN where the kernel must write (every output) or must not read (the padded copy before `pad`).
                var output = [Float](repeating: .nan, count: shape.outChannels * positions)
                var padded = [Float](repeating: .nan, count: geometry.paddedImageSize)
                input.scalars.withUnsafeBufferPointer { x in
                    padded.withUnsafeMutableBufferPointer { padded in
                        geometry.pad(x.baseAddress!, into: padded.baseAddress!)
                        output.withUnsafeMutableBufferPointer { y in
                            weight.scalars.withUnsafeBufferPointer { w in
                                bias.scalars.withUnsafeBufferPointer { b in
                                    geometry.convolveDirect(padded: padded.baseAddress!, weight: w.baseAddress!, bias: b.baseAddress!,
                                                            outChannels: shape.outChannels, groups: shape.groups, into: y.baseAddress!,
                                                            relu: relu, kernel: kernel)
                                }
                            }
                        }
                    }
                }
                let reference = relu ? expected.scalars.map { max($0, 0) } : expected.scalars
                expectClose(Tensor(shape: expected.shape, scalars: output), Tensor(shape: expected.shape, scalars: reference),
                            "\(shape.testDescription) \(kernel) relu \(relu)")
            }
        }
    }

    /// The fused ReLU, on both paths, is the ReLU layer applied to the plain output.
    @Test(arguments: [shapes[0], shapes[2]], [true, false])
    func fusedReLUMatchesTheReLULayer(_ shape: Shape, direct: Bool) {
        var fused = layer(shape)
        fused.forwardRunsDirect = direct
        var plain = fused
        var reluLayer = ReLULayer(spec: .relu("relu"))
        let input = randomTensor([2, shape.channels, shape.height, shape.width], seed: 7)
        var convolved = Tensor.empty, expected = Tensor.empty, actual = Tensor.empty
        plain.forward(input, into: &convolved, training: false)
        reluLayer.forward(convolved, into: &expected, training: false)
        #expect(fused.forwardThroughClamp(input, into: &actual, clamp: .relu))
        expectClose(actual, expected, "\(shape.testDescription) direct \(direct)")
        #expect(actual.scalars.contains(0) && actual.scalars.contains { $0 > 0 }, "the test input should give both signs")
    }

    /// `logits` (ReLUs fused, chunks, direct first layer) against `forward` (every layer on its
    /// own), on a W5-like chain and on a graph where a convolution's output is read twice (no fusion there).
    @Test func fusedInferenceMatchesThePlainForward() throws {
        let chain = try makeNetwork([1, 24, 24], [
            .conv2d(in: 1, out: 16, kernel: 3, padding: 1), .relu(), .maxPool2d(kernel: 2),
            .conv2d(in: 16, out: 8, kernel: 3, padding: 1), .relu(), .maxPool2d(kernel: 2),
            .flatten(), .linear(in: 8 * 36, out: 5),
        ])
        let window = Window(kernelHeight: 3, kernelWidth: 3, pads: [1, 1, 1, 1])
        let graph = try makeNetwork([2, 6, 6], [
            LayerSpec(name: "c1", operation: .convolution(Convolution(inChannels: 2, outChannels: 3, window: window)), inputs: [Architecture.inputName]),
            LayerSpec(name: "r1", operation: .relu, inputs: ["c1"]),
            LayerSpec(name: "sum", operation: .add, inputs: ["r1", "c1"]),
            LayerSpec(name: "flat", operation: .flatten, inputs: ["sum"]),
            LayerSpec(name: "fc", operation: .linear(inFeatures: 108, outFeatures: 4), inputs: ["flat"]),
        ])
        for (network, shape) in [(chain, [1, 24, 24]), (graph, [2, 6, 6])] {
            var plain = network
            let input = randomTensor([5] + shape, seed: 8)
            let expected = plain.forward(input)
            expectClose(network.logits(input, batchSize: 2), expected, "batches of 2")
            expectClose(network.logits(input), expected, "one batch")
        }
    }
}
