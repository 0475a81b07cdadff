@testable import LensModels
import LensTensor
import Testing

/// A residual network's passes with the shortcuts (`ResidualBackward`, the Add and its ReLU forward in one
/// pass, a max pool's backward through the ReLU below it) against the same passes with every shortcut off,
/// which capturing the layers concerned forces: the same logits, input gradients, captured gradients and
/// parameter gradients, under each ReLU rule, at batch 0, 1 and 3.
@Suite struct ResidualBackwardTests {
    /// A stem with a padded max pool, a block whose skip is the pool, a block of two convolutions summed (a
    /// downsample's shape), and a block whose input is read by three layers, two of them sums, one of those
    /// behind a Clip.
    private func network() throws -> Network {
        let window = Window(kernelHeight: 3, kernelWidth: 3, pads: [1, 1, 1, 1])
        func conv(_ name: String, _ input: String, _ c: Int, _ out: Int, kernel: Int = 3) -> LayerSpec {
            let window = kernel == 3 ? window : Window(kernelHeight: 1, kernelWidth: 1)
            return LayerSpec(name: name, operation: .convolution(Convolution(inChannels: c, outChannels: out, window: window)), inputs: [input])
        }
        func node(_ name: String, _ operation: LayerSpec.Operation, _ inputs: String...) -> LayerSpec {
            LayerSpec(name: name, operation: operation, inputs: inputs)
        }
        let pool = Pooling(window: Window(kernelHeight: 3, kernelWidth: 3, strideY: 2, strideX: 2, pads: [1, 1, 1, 1]))
        return try makeNetwork([3, 9, 7], [
            conv("c0", Architecture.inputName, 3, 8), node("r0", .relu, "c0"), node("p0", .maxPool(pool), "r0"),
            conv("c1", "p0", 8, 8), node("r1", .relu, "c1"), conv("c2", "r1", 8, 8), node("s1", .add, "c2", "p0"), node("a1", .relu, "s1"),
            conv("c3", "a1", 8, 6), node("r3", .relu, "c3"), conv("c4", "r3", 6, 6), conv("d4", "a1", 8, 6, kernel: 1),
            node("s2", .add, "c4", "d4"), node("a2", .relu, "s2"),
            conv("c5", "a2", 6, 6), node("r5", .relu, "c5"), conv("c6", "r5", 6, 6), node("s3", .add, "c6", "a2"),
            node("a3", .clip(low: -0.2, high: 0.5), "s3"), node("s4", .add, "a3", "a2"), node("a4", .relu, "s4"),
            node("flat", .flatten, "a4"), node("fc", .linear(inFeatures: 6 * 5 * 4, outFeatures: 4), "flat"),
        ], seed: 21)
    }

    /// Every layer a shortcut reads or skips: captured, none is taken.
    private let everyShortcut: Set<String> = ["r0", "p0", "c2", "s1", "a1", "d4", "c4", "s2", "a2", "c6", "s3", "a3", "s4", "a4"]

    @Test(arguments: ReLUBackwardMode.allCases, [0, 1, 3])
    func shortcutsGiveTheStepsApart(mode: ReLUBackwardMode, batch: Int) throws {
        var fused = try network(), apart = fused
        let input = randomTensor([batch, 3, 9, 7], seed: 22), seed = randomTensor([batch, 4], seed: 23)
        let logits = fused.forward(input)
        let plain = apart.forward(input, capturing: everyShortcut).output
        expectScalarsClose(logits.scalars, plain.scalars, "\(mode) batch \(batch) logits")
        // Twice each: the second pass runs on the buffers the first one moved around.
        for round in 0..<2 {
            let shortcut = try fused.backward(outputGradient: seed, reluMode: mode, capturingGradientsAt: ["c1", "c3"], parameterGradients: .skip)
            let steps = try apart.backward(outputGradient: seed, reluMode: mode, capturingGradientsAt: everyShortcut.union(["c1", "c3"]),
                                           parameterGradients: .skip)
            #expect(shortcut.input.shape == [batch, 3, 9, 7])
            if batch > 0 { #expect(steps.input.scalars.contains { $0 != 0 }, "\(mode): some gradient should reach the input") }
            expectScalarsClose(shortcut.input.scalars, steps.input.scalars, "\(mode) batch \(batch) round \(round) input")
            for name in ["c1", "c3"] where batch > 0 {
                expectScalarsClose(try #require(shortcut.layers[name]).scalars, try #require(steps.layers[name]).scalars,
                                   "\(mode) batch \(batch) round \(round) \(name)")
            }
        }
    }

    /// Gradients captured at a sum's operand (copied, not lent), at a ReLU that would take the last share through
    /// its gate, and at a sum itself, beside the same pass with every shortcut off.
    @Test(arguments: [["c2"], ["a2"], ["s2", "a1"], ["p0", "d4"]])
    func capturedGradientsStayRight(names: [String]) throws {
        var network = try network()
        let input = randomTensor([2, 3, 9, 7], seed: 24), seed = randomTensor([2, 4], seed: 25)
        _ = network.forward(input)
        let shortcut = try network.backward(outputGradient: seed, capturingGradientsAt: Set(names), parameterGradients: .skip)
        let steps = try network.backward(outputGradient: seed, capturingGradientsAt: everyShortcut, parameterGradients: .skip)
        expectScalarsClose(shortcut.input.scalars, steps.input.scalars, "\(names) input")
        for name in names {
            expectScalarsClose(try #require(shortcut.layers[name]).scalars, try #require(steps.layers[name]).scalars, "\(names): \(name)")
        }
    }

    /// Grad-CAM's pass: stopped at a block's output, captured there.
    @Test(arguments: ["a2", "a1", "s2"])
    func stoppedPassesGiveTheStepsApart(stop: String) throws {
        var network = try network()
        let input = randomTensor([3, 3, 9, 7], seed: 26), seed = randomTensor([3, 4], seed: 27)
        _ = network.forward(input)
        let shortcut = try network.backward(outputGradient: seed, capturingGradientsAt: [stop], parameterGradients: .skip, stoppingAt: stop)
        let steps = try network.backward(outputGradient: seed, capturingGradientsAt: everyShortcut, parameterGradients: .skip, stoppingAt: stop)
        expectScalarsClose(try #require(shortcut.layers[stop]).scalars, try #require(steps.layers[stop]).scalars, stop)
    }

    /// A training pass (parameter gradients written, the unfused forward): the same parameter gradients, with and
    /// without the image gradient.
    @Test(arguments: [true, false])
    func parameterGradientsGiveTheStepsApart(computingInputGradient: Bool) throws {
        var network = try network()
        let input = randomTensor([3, 3, 9, 7], seed: 28), seed = randomTensor([3, 4], seed: 29)
        _ = network.forward(input, training: true)
        try network.backward(outputGradient: seed, parameterGradients: .replace, computingInputGradient: computingInputGradient)
        let shortcut = network.gradients
        try network.backward(outputGradient: seed, capturingGradientsAt: everyShortcut, parameterGradients: .replace,
                             computingInputGradient: computingInputGradient)
        let steps = network.gradients
        #expect(shortcut.keys.sorted() == steps.keys.sorted())
        for (name, gradient) in steps {
            expectScalarsClose(try #require(shortcut[name]).scalars, gradient.scalars, "\(name) input gradient \(computingInputGradient)")
        }
    }

    /// A sum reading the network input: no shortcut there (the input's gradient is not a layer's), the same gradients.
    @Test(arguments: ReLUBackwardMode.allCases)
    func sumOfTheInputKeepsItsBackward(mode: ReLUBackwardMode) throws {
        let window = Window(kernelHeight: 3, kernelWidth: 3, pads: [1, 1, 1, 1])
        var network = try makeNetwork([2, 5, 5], [
            LayerSpec(name: "c", operation: .convolution(Convolution(inChannels: 2, outChannels: 2, window: window)), inputs: [Architecture.inputName]),
            LayerSpec(name: "s", operation: .add, inputs: [Architecture.inputName, "c"]),
            LayerSpec(name: "r", operation: .relu, inputs: ["s"]),
            LayerSpec(name: "flat", operation: .flatten, inputs: ["r"]),
            LayerSpec(name: "fc", operation: .linear(inFeatures: 50, outFeatures: 3), inputs: ["flat"]),
        ], seed: 30)
        var apart = network
        let input = randomTensor([2, 2, 5, 5], seed: 31), seed = randomTensor([2, 3], seed: 32)
        let logits = network.forward(input)
        expectScalarsClose(logits.scalars, apart.forward(input, capturing: ["s"]).output.scalars, "\(mode) logits")
        let shortcut = try network.backward(outputGradient: seed, reluMode: mode, parameterGradients: .skip)
        let steps = try apart.backward(outputGradient: seed, reluMode: mode, capturingGradientsAt: ["c", "s", "r"], parameterGradients: .skip)
        expectScalarsClose(shortcut.input.scalars, steps.input.scalars, "\(mode) input")
    }

    /// Inference runs each Add and its ReLU in one pass into the shared buffers: the same logits as `forward`.
    @Test func inferenceOfTheResidualNetworkMatchesTheForward() throws {
        var network = try network()
        let input = randomTensor([5, 3, 9, 7], seed: 33)
        let expected = network.forward(input, capturing: everyShortcut).output
        expectScalarsClose(network.logits(input, batchSize: 2).scalars, expected.scalars, "batches of 2")
        expectScalarsClose(network.logits(input).scalars, expected.scalars, "one batch")
    }
}
