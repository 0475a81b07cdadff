@testable import LensModels
import LensTensor
import Testing

/// An explanation pass (`forward` without training) runs each ReLU or Clip that alone reads a
/// convolution inside it, leaving the convolution's output unwritten; the activations' backward
/// gate on their own output, so every rule gives the gradients of the unfused (training-mode) pass,
/// and a captured layer keeps its output.
@Suite struct FusedActivationBackwardTests {
    private func network() throws -> Network {
        let depthwise = Convolution(inChannels: 8, outChannels: 8, groups: 8,
                                    window: Window(kernelHeight: 3, kernelWidth: 3, strideY: 2, strideX: 2, pads: [1, 1, 1, 1]))
        return try makeNetwork([3, 10, 10], [
            .conv2d("c1", in: 3, out: 8, kernel: 3, padding: 1), LayerSpec(name: "relu6", operation: .clip(low: 0, high: 0.4)),
            LayerSpec(name: "dw", operation: .convolution(depthwise)), LayerSpec(name: "clip2", operation: .clip(low: -0.1, high: 0.3)),
            .conv2d("c3", in: 8, out: 6, kernel: 1, padding: 0), LayerSpec(name: "r3", operation: .relu),
            .flatten(), .linear(in: 6 * 25, out: 4),
        ], seed: 5)
    }

    @Test(arguments: ReLUBackwardMode.allCases)
    func fusedPassGivesTheUnfusedGradients(mode: ReLUBackwardMode) throws {
        var fused = try network(), plain = fused
        let input = randomTensor([3, 3, 10, 10], seed: 6)
        let seed = randomTensor([3, 4], seed: 7)
        let logits = fused.forward(input, training: false), expectedLogits = plain.forward(input, training: true)
        #expect(zip(logits.scalars, expectedLogits.scalars).allSatisfy { abs($0 - $1) <= 1e-5 * max(1, abs($1)) })
        let actual = try fused.backward(outputGradient: seed, reluMode: mode, capturingGradientsAt: ["c1", "dw"], parameterGradients: .skip)
        let expected = try plain.backward(outputGradient: seed, reluMode: mode, capturingGradientsAt: ["c1", "dw"], parameterGradients: .skip)
        #expect(actual.input.scalars.contains { $0 != 0 }, "\(mode): some gradient should reach the input")
        for (name, tensor) in [("input", actual.input)] + actual.layers.sorted(by: { $0.key < $1.key }) {
            let other = name == "input" ? expected.input : expected.layers[name]!
            let worst = zip(tensor.scalars, other.scalars).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? 0
            #expect(tensor.shape == other.shape && worst < 1e-5, "\(mode) \(name): largest difference \(worst)")
        }
    }

    /// A captured convolution is not fused (its output is asked for); its Clip still runs on it.
    @Test func capturedConvolutionKeepsItsOutput() throws {
        var network = try network()
        let input = randomTensor([2, 3, 10, 10], seed: 8)
        let captured = network.forward(input, capturing: ["c1", "relu6"]).activations
        let c1 = try #require(captured["c1"]), relu6 = try #require(captured["relu6"])
        #expect(c1.scalars.contains { $0 < 0 || $0 > 0.4 }, "c1 should be the unclamped output")
        #expect(relu6.scalars == c1.scalars.map { min(max($0, 0), 0.4) })
    }
}
