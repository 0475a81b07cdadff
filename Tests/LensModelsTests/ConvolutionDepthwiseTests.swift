@testable import LensModels
import LensTensor
import Testing

/// The depthwise kernels (forward, the gradient at the input, the parameter gradients; every
/// instruction-set variant this CPU runs) against im2col + GEMM per group, on strides 1-3, square
/// and asymmetric padding, odd sizes and rows of more and less than one SIMD vector; and the
/// Clip fused into a convolution against the Clip layer.
@Suite struct ConvolutionDepthwiseTests {
    struct Shape: Sendable, CustomTestStringConvertible {
        let channels: Int, kernel: Int, stride: Int, pads: [Int], height: Int, width: Int
        var testDescription: String { "\(channels)ch k\(kernel)s\(stride)p\(pads) \(height)x\(width)" }
    }

    static let shapes = [
        Shape(channels: 6, kernel: 3, stride: 1, pads: [1, 1, 1, 1], height: 11, width: 7),
        Shape(channels: 5, kernel: 3, stride: 2, pads: [1, 1, 1, 1], height: 12, width: 17),    // MobileNet's stride 2, even size
        Shape(channels: 4, kernel: 3, stride: 2, pads: [1, 1, 1, 1], height: 7, width: 9),      // odd size
        Shape(channels: 3, kernel: 5, stride: 2, pads: [2, 2, 2, 2], height: 13, width: 40),    // 5x5; rows of 16 + 4 outputs
        Shape(channels: 4, kernel: 3, stride: 2, pads: [0, 0, 1, 1], height: 8, width: 8),      // padding at the end only
        Shape(channels: 3, kernel: 3, stride: 1, pads: [0, 0, 0, 0], height: 5, width: 35),     // no padding, a long row
        Shape(channels: 2, kernel: 3, stride: 3, pads: [1, 1, 1, 1], height: 10, width: 10),
        // The direct 3x3 kernels (stride 1 and 2): blocks of 7 (AVX-512) or 4 (AVX2) output rows with a short last
        // one, rows of less than one vector, of two and a bit, pads on one side only, pads of 2, a single row.
        Shape(channels: 3, kernel: 3, stride: 1, pads: [1, 1, 1, 1], height: 14, width: 14),
        Shape(channels: 2, kernel: 3, stride: 1, pads: [1, 1, 1, 1], height: 7, width: 7),
        Shape(channels: 2, kernel: 3, stride: 1, pads: [1, 1, 1, 1], height: 9, width: 33),
        Shape(channels: 2, kernel: 3, stride: 1, pads: [0, 2, 1, 0], height: 6, width: 19),
        Shape(channels: 2, kernel: 3, stride: 1, pads: [2, 2, 2, 2], height: 5, width: 4),
        Shape(channels: 2, kernel: 3, stride: 1, pads: [1, 1, 1, 1], height: 1, width: 40),
        Shape(channels: 3, kernel: 3, stride: 2, pads: [1, 1, 1, 1], height: 28, width: 28),
        Shape(channels: 2, kernel: 3, stride: 2, pads: [1, 1, 1, 1], height: 15, width: 35),
        Shape(channels: 2, kernel: 3, stride: 2, pads: [1, 0, 0, 1], height: 9, width: 70),
        Shape(channels: 2, kernel: 3, stride: 2, pads: [0, 2, 2, 2], height: 6, width: 5),
        Shape(channels: 2, kernel: 3, stride: 2, pads: [0, 0, 0, 0], height: 3, width: 33),
    ]

    private func layer(_ shape: Shape, seed: UInt64 = 3) -> Conv2DLayer {
        let window = Window(kernelHeight: shape.kernel, kernelWidth: shape.kernel, strideY: shape.stride, strideX: shape.stride,
                            pads: shape.pads)
        let convolution = Convolution(inChannels: shape.channels, outChannels: shape.channels, groups: shape.channels, window: window)
        return .testLayer(convolution, height: shape.height, width: shape.width, name: "dw", seed: seed)
    }

    @Test(arguments: shapes)
    func forwardMatchesIm2colAndGEMM(_ shape: Shape) {
        var depthwise = layer(shape)
        #expect(depthwise.runsDepthwise, "\(shape.testDescription) should take the depthwise path")
        var plain = depthwise
        plain.runsDepthwise = false
        plain.forwardRunsDirect = false
        let input = randomTensor([3, shape.channels, shape.height, shape.width], seed: 5)
        // Fused ReLU and ReLU6 are the plain output clamped.
        expectForwardMatches(&depthwise, &plain, input: input, shape.testDescription)
    }

    @Test(arguments: shapes)
    func backwardMatchesIm2colAndGEMM(_ shape: Shape) {
        var depthwise = layer(shape)
        var plain = depthwise
        plain.runsDepthwise = false
        let input = randomTensor([2, shape.channels, shape.height, shape.width], seed: 6)
        var output = Tensor.empty
        plain.forward(input, into: &output, training: true)
        let outputGradient = randomTensor(output.shape, seed: 7)
        for mode in [ParameterGradientMode.replace, .accumulate] {
            let context = BackwardContext(reluMode: .gradient, parameterGradients: mode, needsInputGradient: true)
            var expected = Tensor.empty, actual = Tensor.empty
            plain.backward(input: input, output: output, outputGradient: outputGradient, into: &expected, context: context)
            depthwise.backward(input: input, output: output, outputGradient: outputGradient, into: &actual, context: context)
            expectScalarsClose(actual.scalars, expected.scalars, "\(shape.testDescription) dx \(mode)")
            for (mine, theirs) in zip(depthwise.parameters, plain.parameters) {
                expectScalarsClose(mine.gradient.scalars, theirs.gradient.scalars, "\(shape.testDescription) d\(mine.suffix) \(mode)")
            }
        }
        #expect(depthwise.parameters[0].gradient.scalars.contains { $0 != 0 }, "the weight gradient should not be all zeros")
    }

    /// Each variant (portable, AVX2, AVX-512, where this CPU runs it) on one image: every output
    /// written (they start as NaN), the scratch's old contents ignored.
    @Test(arguments: shapes)
    func everyKernelVariantMatches(_ shape: Shape) {
        var plain = layer(shape)
        plain.runsDepthwise = false
        let input = randomTensor([1, shape.channels, shape.height, shape.width], seed: 8)
        var expected = Tensor.empty, expectedGradient = Tensor.empty
        plain.forward(input, into: &expected, training: true)
        let outputGradient = randomTensor(expected.shape, seed: 10)
        plain.backward(input: input, output: expected, outputGradient: outputGradient, into: &expectedGradient,
                       context: BackwardContext(reluMode: .gradient, parameterGradients: .replace, needsInputGradient: true))
        let geometry = plain.geometry, weight = plain.parameters[0].value, bias = plain.parameters[1].value
        for kernel in DirectKernel.allCases {
            var output = [Float](repeating: .nan, count: expected.count)
            var dx = [Float](repeating: .nan, count: input.count)
            var dw = [Float](repeating: 0, count: weight.count), db = [Float](repeating: 0, count: shape.channels)
            var scratch = [Float](repeating: .nan, count: geometry.depthwiseScratchSize)
            input.scalars.withUnsafeBufferPointer { x in
                weight.scalars.withUnsafeBufferPointer { w in
                    bias.scalars.withUnsafeBufferPointer { b in
                        outputGradient.scalars.withUnsafeBufferPointer { dy in
                            scratch.withUnsafeMutableBufferPointer { scratch in
                                output.withUnsafeMutableBufferPointer { y in
                                    geometry.depthwise(x.baseAddress!, weight: w.baseAddress!, bias: b.baseAddress!,
                                                       channels: 0..<shape.channels, into: y.baseAddress!, clamp: .unclamped,
                                                       scratch: scratch.baseAddress!, kernel: kernel)
                                }
                                dx.withUnsafeMutableBufferPointer { dx in
                                    dw.withUnsafeMutableBufferPointer { dw in
                                        db.withUnsafeMutableBufferPointer { db in
                                            geometry.depthwiseBackward(x.baseAddress!, outputGradient: dy.baseAddress!, weight: w.baseAddress!,
                                                                       channels: 0..<shape.channels, inputGradient: dx.baseAddress!,
                                                                       weightGradient: dw.baseAddress!, biasGradient: db.baseAddress!,
                                                                       scratch: scratch.baseAddress!, kernel: kernel)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            expectScalarsClose(output, expected.scalars, "\(shape.testDescription) \(kernel) forward")
            expectScalarsClose(dx, expectedGradient.scalars, "\(shape.testDescription) \(kernel) dx")
            expectScalarsClose(dw, plain.parameters[0].gradient.scalars, "\(shape.testDescription) \(kernel) dW")
            expectScalarsClose(db, plain.parameters[1].gradient.scalars, "\(shape.testDescription) \(kernel) db")
        }
    }

    /// `logits` fuses a Clip (ReLU6) into the convolution before it, on the GEMM, direct and
    /// depthwise paths; `forward` runs the Clip layer.
    @Test func fusedClipMatchesTheClipLayer() throws {
        let window = Window(kernelHeight: 3, kernelWidth: 3, strideY: 2, strideX: 2, pads: [1, 1, 1, 1])
        let network = try makeNetwork([3, 12, 12], [
            .conv2d(in: 3, out: 32, kernel: 3, padding: 1), LayerSpec(name: "c1", operation: .clip(low: 0, high: 0.3)),
            LayerSpec(name: "dw", operation: .convolution(Convolution(inChannels: 32, outChannels: 32, groups: 32, window: window))),
            LayerSpec(name: "c2", operation: .clip(low: 0, high: 0.3)),
            .conv2d(in: 32, out: 40, kernel: 1, padding: 0), LayerSpec(name: "c3", operation: .clip(low: -0.2, high: 0.2)),
            .conv2d(in: 40, out: 4, kernel: 3, padding: 1), LayerSpec(name: "c4", operation: .clip(low: 0, high: 0.1)),
            .flatten(), .linear(in: 4 * 36, out: 3),
        ])
        var plain = network
        let input = randomTensor([3, 3, 12, 12], seed: 11)
        let expected = plain.forward(input)
        let actual = network.logits(input, batchSize: 2)
        expectScalarsClose(actual.scalars, expected.scalars, "logits")
    }

    /// A 1x1 stride-1 convolution reads the image as its column matrix (no im2col): forward and
    /// both gradients against the sums written out.
    @Test func pointwiseConvolutionIsAProductWithTheImage() throws {
        let (channels, outChannels, positions, batch) = (30, 7, 5 * 9, 2)
        let convolution = Convolution(inChannels: channels, outChannels: outChannels, window: .square(kernel: 1, stride: 1, padding: 0))
        var generator = SeededGenerator(seed: 4)
        var layer = Conv2DLayer(spec: LayerSpec(name: "pw", operation: .convolution(convolution)), inputShape: [channels, 5, 9],
                                convolution: convolution, initialization: .he, generator: &generator)
        #expect(layer.geometry.isPointwise && !layer.forwardRunsDirect && !layer.runsDepthwise)
        let input = randomTensor([batch, channels, 5, 9], seed: 12)
        var output = Tensor.empty, inputGradient = Tensor.empty
        layer.forward(input, into: &output, training: true)
        let outputGradient = randomTensor(output.shape, seed: 13)
        layer.backward(input: input, output: output, outputGradient: outputGradient, into: &inputGradient,
                       context: BackwardContext(reluMode: .gradient, parameterGradients: .replace, needsInputGradient: true))
        let w = layer.parameters[0].value.scalars, b = layer.parameters[1].value.scalars
        let x = input.scalars, dy = outputGradient.scalars
        var y = [Float](repeating: 0, count: output.count), dx = [Float](repeating: 0, count: input.count)
        var dw = [Float](repeating: 0, count: w.count)
        for n in 0..<batch {
            for o in 0..<outChannels {
                for p in 0..<positions {
                    var sum = Double(b[o])
                    for c in 0..<channels {
                        let xi = (n * channels + c) * positions + p, yi = (n * outChannels + o) * positions + p
                        sum += Double(w[o * channels + c]) * Double(x[xi])
                        dx[xi] += w[o * channels + c] * dy[yi]
                        dw[o * channels + c] += x[xi] * dy[yi]
                    }
                    y[(n * outChannels + o) * positions + p] = Float(sum)
                }
            }
        }
        expectScalarsClose(output.scalars, y, "forward")
        expectScalarsClose(inputGradient.scalars, dx, "dx")
        expectScalarsClose(layer.parameters[0].gradient.scalars, dw, "dW")
    }
}

extension ConvolutionDepthwiseTests {
    /// The clamp's backward fused into the depthwise input gradient, a few channels at a time (planes of
    /// 45x45 and 112x112 are 8 and 1 channels a step; 13 channels split over the threads), against the
    /// clamp's own pass after the unfused gradient, under every rule, bit for bit; batch 1 and 3.
    @Test(arguments: [Shape(channels: 13, kernel: 3, stride: 1, pads: [1, 1, 1, 1], height: 45, width: 45),
                      Shape(channels: 3, kernel: 3, stride: 2, pads: [1, 1, 1, 1], height: 112, width: 112),
                      Shape(channels: 6, kernel: 3, stride: 1, pads: [1, 1, 1, 1], height: 11, width: 7)], [1, 3])
    func fusedClampBackwardMatchesTheClampAfter(_ shape: Shape, batch: Int) {
        var depthwise = layer(shape)
        let input = randomTensor([batch, shape.channels, shape.height, shape.width], seed: 15)
        let clamped = Tensor(shape: input.shape, scalars: input.scalars.map { min(max($0, 0), 0.5) })
        var output = Tensor.empty
        depthwise.forward(clamped, into: &output, training: false)
        let dy = randomTensor(output.shape, seed: 16)
        for mode in ReLUBackwardMode.allCases {
            let gate = ClampGate(.clip(low: 0, high: 0.5), mode: mode)!
            let context = BackwardContext(reluMode: mode, parameterGradients: .skip, needsInputGradient: true)
            var unfused = Tensor.empty, expected = Tensor.empty, actual = Tensor.empty
            depthwise.backward(input: clamped, output: output, outputGradient: dy, into: &unfused, context: context)
            Elementwise.clampBackward(gate: clamped, outputGradient: unfused, into: &expected, low: gate.low, top: gate.top, mode: mode)
            #expect(depthwise.backwardThroughClamp(input: clamped, outputGradient: dy, into: &actual, gate: gate))
            #expect(actual.shape == input.shape)
            #expect(actual.scalars == expected.scalars, "\(shape.testDescription) batch \(batch) \(mode)")
            #expect(expected.scalars.contains { $0 != 0 } && expected.scalars.contains { $0 == 0 })
        }
    }
}
