import LensKernels
@testable import LensModels
import LensTensor
import Testing

/// Weights packed once (`PackedWeightsCache`): the strided layers' products with W and Wᵀ packed against
/// the same layers packing them in every product, and the cache remaking its packings when the weights change.
@Suite struct PackedWeightsTests {
    typealias Shape = ConvolutionColumnBlocksTests.Shape

    static let shapes = ConvolutionColumnBlocksTests.shapes + [
        // ResNet-18's stride-2 layers, smaller: 3x3 blocks of rows, a short last one; 1x1/2 whole images, odd sizes.
        Shape(channels: 24, outChannels: 40, height: 41, width: 41, batch: 3, window: .square(kernel: 3, stride: 2, padding: 1)),
        Shape(channels: 24, outChannels: 40, height: 27, width: 27, batch: 1, window: .square(kernel: 1, stride: 2, padding: 0)),
        Shape(channels: 33, outChannels: 70, height: 13, width: 13, batch: 3, window: .square(kernel: 3, stride: 2, padding: 1)),
    ]

    private func layer(_ shape: Shape, seed: UInt64 = 4) -> Conv2DLayer {
        .testLayer(Convolution(inChannels: shape.channels, outChannels: shape.outChannels, window: shape.window),
                   height: shape.height, width: shape.width, seed: seed)
    }

    private func inputGradient(_ layer: inout Conv2DLayer, input: Tensor, dy: Tensor) -> Tensor {
        var output = Tensor.empty, dx = Tensor(shape: input.shape, scalars: Array(repeating: .nan, count: input.count))
        layer.forward(input, into: &output, training: false)
        let context = BackwardContext(reluMode: .gradient, parameterGradients: .skip, needsInputGradient: true)
        layer.backward(input: input, output: output, outputGradient: dy, into: &dx, context: context)
        return dx
    }

    /// Forward and input gradient, blocked and one product per image, with the weights packed once against
    /// packing them in every product.
    @Test(arguments: shapes)
    func packedMatchesUnpacked(_ shape: Shape) {
        var packed = layer(shape)
        #expect(packed.packsColumnWeights && packed.runsColumnBlocks)
        var unpacked = packed
        unpacked.packsColumnWeights = false
        let input = randomTensor([shape.batch, shape.channels, shape.height, shape.width], seed: 5)
        expectForwardMatches(&packed, &unpacked, input: input, "\(shape.testDescription) blocked")
        let geometry = shape.geometry
        let dy = randomTensor([shape.batch, shape.outChannels, geometry.outHeight, geometry.outWidth], seed: 6)
        let expected = inputGradient(&unpacked, input: input, dy: dy)
        expectScalarsClose(inputGradient(&packed, input: input, dy: dy).scalars, expected.scalars, "\(shape.testDescription) dx")
        packed.runsColumnBlocks = false
        unpacked.runsColumnBlocks = false
        expectForwardMatches(&packed, &unpacked, input: input, "\(shape.testDescription) per image")
        expectScalarsClose(inputGradient(&packed, input: input, dy: dy).scalars, expected.scalars, "\(shape.testDescription) dx per image")
    }

    /// Weights written after a pass, in place or replaced, give the new weights' outputs and input gradients.
    @Test(arguments: [true, false])
    func changedWeightsRemakeThePacking(inPlace: Bool) {
        let shape = Shape(channels: 24, outChannels: 40, height: 41, width: 41, batch: 3, window: .square(kernel: 3, stride: 2, padding: 1))
        var packed = layer(shape)
        let input = randomTensor([shape.batch, shape.channels, shape.height, shape.width], seed: 5)
        let dy = randomTensor([shape.batch, shape.outChannels, shape.geometry.outHeight, shape.geometry.outWidth], seed: 6)
        var before = Tensor.empty
        packed.forward(input, into: &before, training: false)
        let dxBefore = inputGradient(&packed, input: input, dy: dy)
        let fresh = randomTensor(packed.parameters[0].value.shape, seed: 77)
        packed.updateParameters { parameter in
            guard parameter.suffix == "weight" else { return }
            if inPlace {
                parameter.value.scalars.withUnsafeMutableBufferPointer { w in for i in w.indices { w[i] = fresh.scalars[i] } }
            } else {
                parameter.value = fresh
            }
        }
        var unpacked = packed
        unpacked.packsColumnWeights = false
        var after = Tensor.empty, expected = Tensor.empty
        packed.forward(input, into: &after, training: false)
        unpacked.forward(input, into: &expected, training: false)
        expectScalarsClose(after.scalars, expected.scalars, "forward after the write")
        #expect(after.scalars != before.scalars, "the write changes the output")
        let dx = inputGradient(&packed, input: input, dy: dy)
        expectScalarsClose(dx.scalars, inputGradient(&unpacked, input: input, dy: dy).scalars, "dx after the write")
        #expect(dx.scalars != dxBefore.scalars, "the write changes dx")
    }

    /// The cache keeps one packing per shape and storage: the same object for shapes of equal sliver height,
    /// a new one after a write; several matrices (Winograd's 16) each packed as on its own.
    @Test func cacheSharesAndRemakes() {
        var cache = PackedWeightsCache()
        var weights = randomTensor([16 * 20 * 36], seed: 3).scalars
        let shape = PackedShape(rows: 20, depth: 36, columns: 200, layout: .transposed)
        let first = cache.packed(weights, as: shape)
        #expect(first != nil && first === cache.packed(weights, as: PackedShape(rows: 20, depth: 36, columns: 100, layout: .transposed)))
        #expect(first !== cache.packed(weights, as: PackedShape(rows: 20, depth: 36, columns: 200)), "another layout")
        #expect(cache.packed(weights, as: PackedShape(rows: 0, depth: 36, columns: 200)) == nil)
        #expect(cache.packed(weights, as: PackedShape(rows: 20, depth: 36, columns: 200, count: 17)) == nil, "too few weights")
        weights[0] += 1
        #expect(first !== cache.packed(weights, as: shape), "a write remakes")
        let many = PackedShape(rows: 20, depth: 36, columns: 50, count: 16)
        guard let packed = cache.packed(weights, as: many) else {
            Issue.record("not packed")
            return
        }
        let b = randomTensor([36 * 50], seed: 4).scalars
        for i in [0, 7, 15] {
            var actual = [Float](repeating: .nan, count: 20 * 50), expected = actual
            weights.withUnsafeBufferPointer { w in
                b.withUnsafeBufferPointer { b in
                    lens_sgemm_prepacked(0, 1, 20, 50, 36, packed[i], b.baseAddress!, 50, 0, &actual, 50)
                    MatrixMultiply.referenceGemm(m: 20, n: 50, k: 36, a: w.baseAddress! + i * 20 * 36, lda: 36,
                                                 b: b.baseAddress!, ldb: 50, c: &expected, ldc: 50)
                }
            }
            expectScalarsClose(actual, expected, "matrix \(i)")
        }
    }
}
