@testable import LensModels
import LensTensor
import Testing

/// LensKernels' max pooling (`lens_max_pool`, every variant this CPU runs) against PoolLayer's plain
/// loop: the same outputs and switches, so the same input gradient, bit for bit, over odd sizes, pads
/// (uneven ones too), strides 1-3, rectangular windows, ceil_mode, windows with no cell inside the
/// input, frequent ties, NaN and −∞.
@Suite struct MaxPoolKernelTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let height: Int, width: Int, window: Window
        var testDescription: String { "\(height)x\(width) \(window.summary) ceil \(window.ceilMode)" }
    }

    static let cases = [
        Case(height: 23, width: 29, window: Window(kernelHeight: 3, kernelWidth: 3, strideY: 2, strideX: 2, pads: [1, 1, 1, 1])),  // ResNet's stem
        Case(height: 9, width: 7, window: Window(kernelHeight: 2, kernelWidth: 2, strideY: 2, strideX: 2)),
        Case(height: 10, width: 11, window: Window(kernelHeight: 3, kernelWidth: 3, strideY: 2, strideX: 2, ceilMode: true)),
        Case(height: 8, width: 9, window: Window(kernelHeight: 3, kernelWidth: 3, strideY: 2, strideX: 2, pads: [0, 0, 1, 1], ceilMode: true)),
        Case(height: 12, width: 40, window: Window(kernelHeight: 3, kernelWidth: 3, pads: [1, 1, 1, 1])),                          // stride 1
        Case(height: 11, width: 13, window: Window(kernelHeight: 3, kernelWidth: 3, strideY: 3, strideX: 3, pads: [1, 2, 0, 1])),  // stride 3, uneven
        Case(height: 7, width: 21, window: Window(kernelHeight: 2, kernelWidth: 3, strideY: 2, strideX: 1, pads: [0, 2, 1, 2])),   // rectangular
        Case(height: 2, width: 2, window: Window(kernelHeight: 3, kernelWidth: 3, strideY: 2, strideX: 2, pads: [1, 1, 1, 1])),    // smaller than the window
    ]

    private static let channels = 3

    private func layer(_ c: Case, kernel: DirectKernel?) throws -> PoolLayer {
        let pooling = Pooling(window: c.window)
        let outHeight = try #require(c.window.outputHeight(c.height)), outWidth = try #require(c.window.outputWidth(c.width))
        var layer = PoolLayer(spec: LayerSpec(name: "pool", operation: .maxPool(pooling)), kind: .max, pooling: pooling,
                              inputShape: [Self.channels, c.height, c.width], outputShape: [Self.channels, outHeight, outWidth])
        layer.maxKernel = kernel
        return layer
    }

    /// Values from a few levels (ties everywhere), with NaN and −∞ sprinkled in.
    private func input(_ c: Case, batch: Int) -> Tensor {
        var generator = SeededGenerator(seed: UInt64(c.height * 100 + c.width))
        let count = batch * Self.channels * c.height * c.width
        return Tensor(shape: [batch, Self.channels, c.height, c.width], scalars: (0..<count).map { i in
            let level = Float(Int(generator.next() % 5)) - 2
            return i % 37 == 5 ? .nan : (i % 29 == 3 ? -.infinity : level)
        })
    }

    private func sameBits(_ a: Tensor, _ b: Tensor) -> Bool {
        a.shape == b.shape && zip(a.scalars, b.scalars).allSatisfy { $0.bitPattern == $1.bitPattern }
    }

    @Test(arguments: cases)
    func everyKernelVariantMatchesThePlainLoop(_ c: Case) throws {
        var plain = try layer(c, kernel: nil)
        let x = input(c, batch: 2)
        var expected = Tensor.empty, expectedGradient = Tensor.empty
        plain.forward(x, into: &expected, training: true)
        #expect(expected.scalars.contains { $0.isNaN }, "the case should route a NaN")
        let dy = randomTensor(expected.shape, seed: 3)
        let context = BackwardContext(reluMode: .gradient, parameterGradients: .skip, needsInputGradient: true)
        plain.backward(input: x, output: expected, outputGradient: dy, into: &expectedGradient, context: context)
        for kernel in DirectKernel.allCases {
            var fast = try layer(c, kernel: kernel)
            var actual = Tensor(shape: expected.shape, scalars: [Float](repeating: 7, count: expected.count))
            var gradient = Tensor.empty
            fast.forward(x, into: &actual, training: true)
            fast.backward(input: x, output: actual, outputGradient: dy, into: &gradient, context: context)
            #expect(sameBits(actual, expected), "\(c.testDescription) \(kernel): outputs")
            #expect(sameBits(gradient, expectedGradient), "\(c.testDescription) \(kernel): input gradient (the switches)")
        }
    }

    /// Ties go to the first cell in reading order (row by row), as PyTorch and the plain loop: a plane
    /// of equal values sends each output's gradient to its window's top-left cell inside the input.
    /// An empty batch (no buffers at all) passes forward and backward with empty results, no trap.
    @Test func anEmptyBatchGivesEmptyResults() throws {
        let c = Self.cases[0]
        var pool = try layer(c, kernel: .chosen)
        let x = Tensor(shape: [0, Self.channels, c.height, c.width], scalars: [])
        var y = Tensor.empty, dx = Tensor.empty
        pool.forward(x, into: &y, training: true)
        pool.backward(input: x, output: y, outputGradient: y, into: &dx,
                      context: BackwardContext(reluMode: .gradient, parameterGradients: .skip, needsInputGradient: true))
        #expect(y.shape.first == 0 && y.count == 0)
        #expect(dx.shape == x.shape && dx.count == 0)
    }

    @Test func tiesGoToTheFirstCell() throws {
        let c = Self.cases[0]
        var pool = try layer(c, kernel: .chosen)
        let x = Tensor(shape: [1, Self.channels, c.height, c.width], scalars: [Float](repeating: 1, count: Self.channels * c.height * c.width))
        var y = Tensor.empty, dx = Tensor.empty
        pool.forward(x, into: &y, training: true)
        let dy = Tensor(shape: y.shape, scalars: [Float](repeating: 1, count: y.count))
        pool.backward(input: x, output: y, outputGradient: dy, into: &dx,
                      context: BackwardContext(reluMode: .gradient, parameterGradients: .skip, needsInputGradient: true))
        // Stride 2, pad 1: output (oy, ox)'s first inside cell is (max(2oy − 1, 0), max(2ox − 1, 0)).
        let outWidth = y.shape[3]
        for oy in 0..<y.shape[2] {
            for ox in 0..<outWidth {
                let (iy, ix) = (max(2 * oy - 1, 0), max(2 * ox - 1, 0))
                #expect(dx.scalars[iy * c.width + ix] >= 1, "output (\(oy), \(ox)) should pick cell (\(iy), \(ix))")
            }
        }
        #expect(dx.scalars[0 ..< c.height * c.width].reduce(0, +) == Float(y.shape[2] * outWidth))
        #expect(dx.scalars[2] == 0, "cell (0, 2) is no window's first cell")
    }
}
