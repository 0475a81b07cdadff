@testable import LensModels
import LensTensor
import Testing

/// `inferenceLayerSeconds` (lens-bench --layer-times): a time per layer, the activation fused into
/// the convolution before it charged to that convolution, and the network's own buffers untouched.
@Suite struct LayerTimingTests {
    @Test func everyLayerButTheFusedActivationIsCharged() throws {
        var network = try makeNetwork([3, 12, 12], [
            .conv2d(in: 3, out: 8, kernel: 3, padding: 1), LayerSpec(name: "c1", operation: .clip(low: 0, high: 6)),
            .flatten(), .linear(in: 8 * 144, out: 3),
        ])
        let input = randomTensor([2, 3, 12, 12], seed: 1)
        let before = network.forward(input)
        let seconds = network.inferenceLayerSeconds(input, repetitions: 3)
        #expect(seconds.count == 4)
        #expect(seconds[1] == 0, "the Clip runs inside the convolution")
        #expect(seconds[0] > 0 && seconds[3] > 0, "\(seconds)")
        #expect(network.forward(input).scalars == before.scalars)
    }
}
