@testable import LensModels
import LensTensor
import Testing

/// MobileNetV2's expand → ReLU6 → depthwise → ReLU6 by bands of output rows (`ExpandDepthwiseBands`), which
/// inference runs where the expanded image exceeds the L2 caches: the same values as the four layers one
/// after the other, at every band edge, stride and batch.
@Suite struct ExpandDepthwiseBandsTests {
    /// 96 expanded channels on 107x107 (odd, so the bands are uneven) is 1.1 M floats, above the threshold.
    static func network(stride: Int, side: Int = 107) throws -> Network {
        let window = Window(kernelHeight: 3, kernelWidth: 3, strideY: stride, strideX: stride, pads: [1, 1, 1, 1])
        let out = (side + 2 - 3) / stride + 1
        return try makeNetwork([8, side, side], [
            LayerSpec(name: "expand", operation: .convolution(Convolution(inChannels: 8, outChannels: 96, window: .square(kernel: 1, stride: 1, padding: 0)))),
            LayerSpec(name: "c1", operation: .clip(low: 0, high: 0.5)),
            LayerSpec(name: "dw", operation: .convolution(Convolution(inChannels: 96, outChannels: 96, groups: 96, window: window))),
            LayerSpec(name: "c2", operation: .clip(low: 0, high: 0.25)),
            LayerSpec(name: "project", operation: .convolution(Convolution(inChannels: 96, outChannels: 4, window: .square(kernel: 1, stride: 1, padding: 0)))),
            .flatten(), .linear(in: 4 * out * out, out: 3),
        ], seed: 3)
    }

    @Test(arguments: [1, 2], [1, 3])
    func bandsGiveTheLayersOneAfterTheOther(stride: Int, batch: Int) throws {
        var network = try Self.network(stride: stride)
        let chain = try #require(network.expandChains[0], "the chain is not run by bands")
        #expect(chain.depthwise == 2 && chain.last == 3)
        let input = randomTensor([batch, 8, 107, 107], seed: UInt64(stride * 10 + batch))
        let apart = network.forward(input, capturing: ["c2"])
        let expand = try #require(network.layers[0] as? Conv2DLayer), depthwise = try #require(network.layers[2] as? Conv2DLayer)
        var banded = Tensor.empty, scratch: [Float] = []
        expand.forwardExpanding(input, clamp: chain.expandClamp, through: depthwise, clamp: chain.depthwiseClamp,
                                into: &banded, scratch: &scratch)
        let expected = try #require(apart.activations["c2"])
        #expect(banded.shape == expected.shape)
        #expect(banded.scalars == expected.scalars)
        // And through `logits`, which runs the chain in its shared buffers, twice (the kept scratch).
        #expect(network.logits(input) == apart.output)
        #expect(network.logits(input) == apart.output)
    }

    /// Bands split evenly over the threads; each output row belongs to exactly one band, and each band
    /// reads the rows its taps reach, inside the image.
    @Test(arguments: [1, 2], [1, 2, 3])
    func bandsCoverTheOutputOnce(stride: Int, parts: Int) throws {
        let network = try Self.network(stride: stride)
        let expand = try #require(network.layers[0] as? Conv2DLayer), depthwise = try #require(network.layers[2] as? Conv2DLayer)
        let bands = ExpandDepthwiseBands(expand: expand.geometry, depthwise: depthwise.geometry, parts: parts)
        var covered: [Int] = []
        for band in 0..<bands.bands {
            let (output, input) = bands.rows(ofBand: band)
            covered += output
            #expect(input.lowerBound == max(0, output.lowerBound * stride - 1))
            #expect(input.upperBound == min(107, (output.upperBound - 1) * stride + 2))
            #expect(96 * input.count * 107 <= ExpandDepthwiseBands.bandFloats)
        }
        #expect(covered == Array(0..<depthwise.geometry.outHeight))
    }

    /// Small expanded images (the 28x28 and smaller stages) run as separate layers.
    @Test func smallImagesAreNotBanded() throws {
        let network = try Self.network(stride: 1, side: 64)
        #expect(network.expandChains[0] == nil)
    }
}
