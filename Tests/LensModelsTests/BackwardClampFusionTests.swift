@testable import LensModels
import LensTensor
import Testing

/// A backward pass without parameter gradients runs the backward of a ReLU or Clip inside the 1x1,
/// depthwise or Winograd layer that alone reads it (`Network.backwardThroughClamp`): the same gradients as the two
/// steps apart, which the pass still takes when the activation's gradient is captured.
@Suite struct BackwardClampFusionTests {
    private func network() throws -> Network {
        let pointwise = { (c: Int, out: Int) in Convolution(inChannels: c, outChannels: out, window: .square(kernel: 1, stride: 1, padding: 0)) }
        let depthwise = Convolution(inChannels: 20, outChannels: 20, groups: 20,
                                    window: Window(kernelHeight: 3, kernelWidth: 3, strideY: 1, strideX: 1, pads: [1, 1, 1, 1]))
        return try makeNetwork([3, 13, 11], [
            .conv2d("c1", in: 3, out: 8, kernel: 3, padding: 1), LayerSpec(name: "a", operation: .clip(low: 0, high: 0.4)),
            LayerSpec(name: "p1", operation: .convolution(pointwise(8, 20))), LayerSpec(name: "r1", operation: .relu),
            LayerSpec(name: "dw", operation: .convolution(depthwise)), LayerSpec(name: "b", operation: .clip(low: -0.1, high: 0.3)),
            LayerSpec(name: "p2", operation: .convolution(pointwise(20, 6))),
            .flatten(), .linear(in: 6 * 13 * 11, out: 4),
        ], seed: 11)
    }

    /// A ResNet basic block's conv → ReLU → conv, the second a Winograd layer (3x3, 64 channels) whose output
    /// transform gates the gradient.
    private func winogradNetwork() throws -> Network {
        try makeNetwork([3, 13, 11], [
            .conv2d("c1", in: 3, out: 64, kernel: 3, padding: 1), LayerSpec(name: "a", operation: .relu),
            .conv2d("p1", in: 64, out: 64, kernel: 3, padding: 1), LayerSpec(name: "r1", operation: .relu),
            .conv2d("c2", in: 64, out: 64, kernel: 3, padding: 1), LayerSpec(name: "b", operation: .clip(low: -0.1, high: 0.3)),
            .conv2d("p2", in: 64, out: 4, kernel: 3, padding: 1),
            .flatten(), .linear(in: 4 * 13 * 11, out: 4),
        ], seed: 11)
    }

    @Test(arguments: ReLUBackwardMode.allCases, [0, 1, 3])
    func fusedBackwardGivesTheStepsApart(mode: ReLUBackwardMode, batch: Int) throws {
        try expectFusedMatchesApart(try network(), mode: mode, batch: batch)
    }

    @Test(arguments: ReLUBackwardMode.allCases, [0, 1, 3])
    func winogradGatedBackwardGivesTheStepsApart(mode: ReLUBackwardMode, batch: Int) throws {
        let geometry = ConvolutionGeometry(channels: 64, height: 13, width: 11, kernel: 3, stride: 1, padding: 1)
        #expect(geometry.runsWinograd(groups: 1, outChannels: 64), "p1 and c2 should run Winograd")
        try expectFusedMatchesApart(try winogradNetwork(), mode: mode, batch: batch)
    }

    private func expectFusedMatchesApart(_ made: Network, mode: ReLUBackwardMode, batch: Int) throws {
        var network = made
        let input = randomTensor([batch, 3, 13, 11], seed: 12)
        let seed = randomTensor([batch, 4], seed: 13)
        _ = network.forward(input, training: false)
        let fused = try network.backward(outputGradient: seed, reluMode: mode, capturingGradientsAt: ["c1", "p1"], parameterGradients: .skip)
        let apart = try network.backward(outputGradient: seed, reluMode: mode, capturingGradientsAt: ["c1", "p1", "a", "r1", "b"],
                                         parameterGradients: .skip)
        #expect(fused.input.shape == [batch, 3, 13, 11])
        if batch > 0 { #expect(apart.input.scalars.contains { $0 != 0 }, "\(mode): some gradient should reach the input") }
        expectScalarsClose(fused.input.scalars, apart.input.scalars, "\(mode) batch \(batch) input")
        for name in ["c1", "p1"] where batch > 0 {
            expectScalarsClose(try #require(fused.layers[name]).scalars, try #require(apart.layers[name]).scalars, "\(mode) batch \(batch) \(name)")
        }
    }
}
