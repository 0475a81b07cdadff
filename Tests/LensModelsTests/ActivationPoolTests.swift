@testable import LensModels
import LensTensor
import Testing

/// `logits` handing activation buffers along the pass (`ActivationPool`) against `forward`, on a graph with a
/// residual add, fused clips, a depthwise layer, a flatten view and a dense head, over several calls and batch
/// sizes (the buffers change hands every pass), batch 0 included.
@Test func recycledActivationsMatchForward() throws {
    let pad = Window(kernelHeight: 3, kernelWidth: 3, pads: [1, 1, 1, 1]), one = Window(kernelHeight: 1, kernelWidth: 1)
    func conv(_ name: String, _ input: String, _ c: Int, _ out: Int, _ window: Window, groups: Int = 1) -> LayerSpec {
        LayerSpec(name: name, operation: .convolution(Convolution(inChannels: c, outChannels: out, groups: groups, window: window)),
                  inputs: [input])
    }
    let network = try makeNetwork([3, 8, 8], [
        conv("c1", Architecture.inputName, 3, 8, pad), LayerSpec(name: "k1", operation: .clip(low: 0, high: 0.5), inputs: ["c1"]),
        conv("dw", "k1", 8, 8, pad, groups: 8), LayerSpec(name: "k2", operation: .clip(low: 0, high: 0.5), inputs: ["dw"]),
        conv("p1", "k2", 8, 8, one),
        LayerSpec(name: "sum", operation: .add, inputs: ["k1", "p1"]),
        conv("p2", "sum", 8, 4, one),
        LayerSpec(name: "flat", operation: .flatten, inputs: ["p2"]),
        LayerSpec(name: "fc", operation: .linear(inFeatures: 4 * 64, outFeatures: 5), inputs: ["flat"]),
    ])
    for (pass, batch) in [1, 3, 1, 0, 2].enumerated() {
        var plain = network
        let input = randomTensor([batch, 3, 8, 8], seed: UInt64(30 + pass))
        let expected = plain.forward(input)
        let actual = network.logits(input, batchSize: 2)
        #expect(actual.shape == expected.shape)
        expectScalarsClose(actual.scalars, expected.scalars, "pass \(pass), batch \(batch)")
    }
}
