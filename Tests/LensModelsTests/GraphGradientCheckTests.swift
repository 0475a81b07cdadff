import LensModels
import LensTensor
import Testing

/// The finite-difference checker on graphs: every graph operator, from every layer's output and
/// from the loss, in residual, squeeze-and-excitation and concatenation blocks where one output
/// feeds several layers (its gradient is then the sum of theirs).
@Suite struct GraphGradientCheckTests {
    static func node(_ name: String, _ operation: LayerSpec.Operation, _ inputs: String...) -> LayerSpec {
        LayerSpec(name: name, operation: operation, inputs: inputs)
    }

    static func convolution(_ inChannels: Int, _ outChannels: Int, groups: Int = 1, _ window: Window, bias: Bool = true) -> LayerSpec.Operation {
        .convolution(Convolution(inChannels: inChannels, outChannels: outChannels, groups: groups, window: window, hasBias: bias))
    }

    /// Residual block (conv, batch norm, ReLU, asymmetric pads, Add), ReLU6, a dilated strided
    /// depthwise convolution, HardSwish, max pooling with pads and ceil_mode, global average pooling, Gemm.
    static let residual: (inputShape: [Int], layers: [LayerSpec]) = ([3, 8, 7], [
        node("c1", convolution(3, 4, Window(kernelHeight: 3, kernelWidth: 3, pads: [1, 1, 1, 1])), Architecture.inputName),
        node("b1", .batchNorm(channels: 4, epsilon: 1e-5), "c1"),
        node("r1", .relu, "b1"),
        node("c2", convolution(4, 4, Window(kernelHeight: 3, kernelWidth: 3, pads: [0, 1, 2, 1]), bias: false), "r1"),
        node("sum", .add, "c2", "r1"),
        node("relu6", .clip(low: 0, high: 6), "sum"),
        node("dw", convolution(4, 4, groups: 4, Window(kernelHeight: 3, kernelWidth: 3, strideY: 2, strideX: 2,
                                                     dilationY: 2, dilationX: 2, pads: [2, 2, 2, 2])), "relu6"),
        node("hswish", .hardSwish, "dw"),
        node("pool", .maxPool(Pooling(window: Window(kernelHeight: 3, kernelWidth: 3, strideY: 2, strideX: 2,
                                                     pads: [1, 1, 1, 1], ceilMode: true))), "hswish"),
        node("gap", .globalAveragePool, "pool"),
        node("flat", .flatten, "gap"),
        node("fc", .linear(inFeatures: 4, outFeatures: 3), "flat"),
    ])

    /// Squeeze-and-excitation (GAP, 1x1 convs, HardSigmoid, Mul broadcasting [4,1,1] over [4,6,6]),
    /// Sigmoid, a constant operand, Concat, Pad, rectangular average pooling with and without the
    /// pads counted, Identity, Reshape and a Gemm.
    static let excitation: (inputShape: [Int], layers: [LayerSpec]) = ([2, 6, 6], [
        node("c1", convolution(2, 4, Window(kernelHeight: 1, kernelWidth: 1)), Architecture.inputName),
        node("squeeze", .globalAveragePool, "c1"),
        node("reduce", convolution(4, 2, Window(kernelHeight: 1, kernelWidth: 1)), "squeeze"),
        node("r", .relu, "reduce"),
        node("expand", convolution(2, 4, Window(kernelHeight: 1, kernelWidth: 1)), "r"),
        node("gate", .hardSigmoid(alpha: 0.2, beta: 0.5), "expand"),
        node("scaled", .multiply, "c1", "gate"),
        node("shift", .constant(shape: [4, 1, 1], values: [0.5, -1, 2, 0.25])),
        node("shifted", .add, "scaled", "shift"),
        node("smooth", .sigmoid, "shifted"),
        node("joined", .concat(axis: 0), "c1", "smooth"),
        node("padded", .pad(top: 1, left: 0, bottom: 2, right: 1, value: 0.5), "joined"),
        node("avg", .averagePool(Pooling(window: Window(kernelHeight: 3, kernelWidth: 2, strideY: 2, strideX: 1,
                                                        pads: [1, 0, 0, 1]), countIncludePad: true)), "padded"),
        node("avg2", .averagePool(Pooling(window: Window(kernelHeight: 2, kernelWidth: 2, strideY: 2, strideX: 2,
                                                         pads: [1, 1, 1, 1], ceilMode: true))), "avg"),
        node("same", .identity, "avg2"),
        node("rows", .reshape(shape: [8, 12]), "same"),
        node("flat", .reshape(shape: [96]), "rows"),
        node("fc", .linear(inFeatures: 96, outFeatures: 3), "flat"),
    ])

    @Test(arguments: [("residual", residual), ("excitation", excitation)])
    func everyOperatorAgreesWithFiniteDifferences(_ name: String, _ graph: (inputShape: [Int], layers: [LayerSpec])) throws {
        let architecture = try Architecture(inputShape: graph.inputShape, layers: graph.layers)
        #expect(!architecture.isChain)
        var network = Network(architecture: architecture, seed: 7)
        // Batch-norm statistics away from (0, 1), so that they matter.
        network.updateParameters { parameterName, parameter in
            if parameterName.hasSuffix("running_mean") { parameter.value.scalars = parameter.value.scalars.indices.map { Float($0) * 0.1 - 0.1 } }
            if parameterName.hasSuffix("running_var") { parameter.value.scalars = parameter.value.scalars.indices.map { 0.5 + Float($0) * 0.3 } }
        }
        let batch = 2
        var generator = SeededGenerator(seed: 11)
        let input = Tensor(shape: [batch] + graph.inputShape,
                           scalars: (0..<(batch * graph.inputShape.reduce(1, *))).map { _ in generator.nextNormal() })
        // Inference mode: batch normalisation with its running statistics (training mode is checked
        // against PyTorch and by `BatchNormPyTorchTests.trainingModeAgreesWithFiniteDifferences`).
        var checker = GradientChecker()
        checker.training = false
        var objectives: [(String?, GradientChecker.Objective)] = architecture.layers.indices.map { index in
            let shape = [batch] + architecture.layerOutputShapes[index]
            let weights = Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in generator.nextNormal() })
            return (architecture.layers[index].name, .weightedSum(weights))
        }
        objectives.append((nil, .crossEntropy(targets: [0, 2])))
        for (layer, objective) in objectives where layer != "shift" {
            let report = try checker.check(network, input: input, layer: layer, objective: objective)
            let place = "\(name), from \(layer ?? "the loss")"
            #expect(report.failures.isEmpty, "\(place): \(report.failures.prefix(5))")
            #expect(report.checked >= 20, "\(place): only \(report.checked) coordinates checked")
            #expect(report.skippedAtKinks <= report.checked, "\(place): \(report.skippedAtKinks) skipped at kinks")
        }
    }

    /// ReLU6 follows the ReLU rules: the true gradient stops outside (0, 6), deconvnet passes
    /// max(R, 0) everywhere, guided backprop passes R where R > 0 and 0 < x < 6.
    @Test func clipFollowsTheReLUModes() throws {
        let architecture = try Architecture(inputShape: [4], layers: [
            Self.node("relu6", .clip(low: 0, high: 6), Architecture.inputName),
            Self.node("fc", .linear(inFeatures: 4, outFeatures: 2), "relu6"),
        ])
        var network = Network(architecture: architecture, seed: 1)
        try network.load(parameters: ["fc.weight": Tensor(shape: [2, 4], scalars: [1, -1, 2, -2, 0, 0, 0, 0]),
                                      "fc.bias": Tensor(shape: [2])])
        let input = Tensor(shape: [1, 4], scalars: [3, 3, -1, 7])   // inside, inside, below, above
        let expected: [(ReLUBackwardMode, [Float])] = [
            (.gradient, [1, -1, 0, 0]), (.deconvnet, [1, 0, 2, 0]), (.guided, [1, 0, 0, 0]),
        ]
        for (mode, gradient) in expected {
            let result = try network.targetGradients(input, targets: [0], reluMode: mode)
            #expect(result.input.scalars == gradient, "\(mode)")
        }
    }

    /// A start layer inside a graph reaches only its ancestors; a layer read twice gets both shares.
    @Test func backwardFromAnInnerLayerSumsItsReaders() throws {
        let architecture = try Architecture(inputShape: [2], layers: [
            Self.node("a", .identity, Architecture.inputName),
            Self.node("twice", .add, "a", "a"),
            Self.node("side", .sigmoid, "a"),
            Self.node("both", .multiply, "twice", "side"),
            Self.node("fc", .linear(inFeatures: 2, outFeatures: 1), "both"),
        ])
        var network = Network(architecture: architecture, seed: 1)
        let input = Tensor(shape: [1, 2], scalars: [0.5, -1])
        _ = network.forward(input)
        let fromTwice = try network.backward(from: "twice", outputGradient: Tensor(shape: [1, 2], scalars: [1, 3]),
                                             capturingGradientsAt: ["a", "side"])
        #expect(fromTwice.input.scalars == [2, 6])
        #expect(fromTwice.layers["a"]?.scalars == [2, 6])
        #expect(fromTwice.layers["side"] == nil, "side is not upstream of twice")
    }
}
