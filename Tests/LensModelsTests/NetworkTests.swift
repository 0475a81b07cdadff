import LensModels
import LensTensor
import Testing

@Suite struct NetworkTests {
    static func smallCNN() throws -> Network {
        Network(architecture: try Architecture.parse("conv3x3x4,pool,conv3x3x6,pool,fc8", inputShape: [1, 8, 10], classes: 3), seed: 5)
    }

    @Test func backwardFromACapturedLayerGradientContinuesTheSamePass() throws {
        var network = try Self.smallCNN()
        let input = randomTensor([2, 1, 8, 10], seed: 1)
        let logits = network.forward(input)
        let seed = randomTensor(logits.shape, seed: 2)
        let full = try network.backward(outputGradient: seed, capturingGradientsAt: ["relu2", "pool1", "fc1"])
        #expect(Set(full.layers.keys) == ["relu2", "pool1", "fc1"])
        #expect(full.layers["relu2"]!.shape == [2, 6, 4, 5])
        let resumed = try network.backward(from: "relu2", outputGradient: full.layers["relu2"]!)
        #expect(mismatch(resumed.input, full.input, .forward) == nil)
        #expect(resumed.input.shape == input.shape)
    }

    @Test func parameterGradientsAccumulateUntilZeroed() throws {
        var network = try Self.smallCNN()
        let input = randomTensor([2, 1, 8, 10], seed: 3)
        let seed = randomTensor([2, 3], seed: 4)
        _ = network.forward(input)
        _ = try network.backward(outputGradient: seed)
        let once = network.gradients
        _ = try network.backward(outputGradient: seed)
        for (name, gradient) in network.gradients {
            let doubled = Tensor(shape: gradient.shape, scalars: once[name]!.scalars.map { 2 * $0 })
            #expect(mismatch(gradient, doubled, .forward) == nil, "\(name)")
        }
        network.zeroGradients()
        #expect(network.gradients.values.allSatisfy { $0.scalars.allSatisfy { $0 == 0 } })
        let inputOnly = try network.backward(outputGradient: seed, parameterGradients: .skip)
        #expect(network.gradients.values.allSatisfy { $0.scalars.allSatisfy { $0 == 0 } })
        #expect(inputOnly.input.scalars.contains { $0 != 0 })
    }

    @Test func logitsMatchForwardAndLeaveTheCachesAlone() throws {
        var network = try Self.smallCNN()
        let input = randomTensor([3, 1, 8, 10], seed: 6)
        let logits = network.forward(input)
        let before = try network.backward(outputGradient: logits, parameterGradients: .skip).input
        let other = randomTensor([70, 1, 8, 10], seed: 7)
        let batched = network.logits(other, batchSize: 16)
        #expect(batched.shape == [70, 3])
        var fresh = network
        #expect(mismatch(batched, fresh.forward(other), .forward) == nil)
        #expect(network.logits(input) == logits)
        #expect(try network.backward(outputGradient: logits, parameterGradients: .skip).input == before)
        #expect(network.predictions(input) == logits.argmaxRows())
        let probabilities = network.probabilities(input)
        #expect((0..<3).allSatisfy { row in abs((0..<3).reduce(Float(0)) { $0 + probabilities.scalars[row * 3 + $1] } - 1) < 1e-5 })
    }

    /// 16 filters on 64x64 are 256 KB per image: `logits` runs the convolutions eight images at a
    /// time and the dense layers on the whole batch; the result is the plain forward's, exactly.
    @Test func inferenceInCacheSizedChunksMatchesTheWholeBatch() throws {
        var network = Network(architecture: try Architecture.parse("conv3x3x16,pool,fc5", inputShape: [1, 64, 64], classes: 3), seed: 6)
        let input = randomTensor([21, 1, 64, 64], seed: 10)
        let expected = network.forward(input)
        #expect(network.logits(input, batchSize: 21) == expected)
        #expect(network.logits(input, batchSize: 21) == expected)   // the kept buffers, again
        let batched = network.logits(input, batchSize: 10)
        #expect(batched.shape == [21, 3])
        #expect(mismatch(batched, expected, .forward) == nil)
    }

    /// `logits` reuses the buffers of its last call (shared by the network's copies): a copy with
    /// other weights, or the same network after new weights, must still use its own weights.
    @Test func reusedInferenceBuffersFollowTheCurrentWeights() throws {
        var network = try Self.smallCNN()
        let input = randomTensor([5, 1, 8, 10], seed: 9)
        let first = network.logits(input)
        var changed = network
        try changed.load(parameters: Dictionary(uniqueKeysWithValues: changed.parameters.map {
            ($0.name, Tensor(shape: $0.tensor.shape, scalars: $0.tensor.scalars.map { $0 * 0.5 + 0.01 }))
        }))
        var reference = changed
        let expected = reference.forward(input)
        #expect(changed.logits(input) == expected)
        #expect(network.logits(input) == first)
        #expect(changed.logits(input) == expected)
        try network.load(parameters: Dictionary(uniqueKeysWithValues: changed.parameters.map { ($0.name, $0.tensor) }))
        #expect(network.logits(input) == expected)
        #expect(first != expected)
    }

    @Test func inputsAreReshapedToItemsAndEmptyBatchesWork() throws {
        var network = try Self.smallCNN()
        let images = randomTensor([2, 1, 8, 10], seed: 8)
        let logits = network.forward(images)
        #expect(network.forward(images.reshaped([2, 80])) == logits)
        #expect(network.logits(Tensor(shape: [0, 1, 8, 10])).shape == [0, 3])
        #expect(throws: NetworkError.self) { try network.checkInput(Tensor(shape: [2, 81])) }
        try network.checkInput(images.reshaped([2, 80]))
    }

    @Test func initializationIsHeBeforeReLUAndPyTorchDefaultElsewhere() throws {
        let architecture = try Architecture.mlp(inputShape: [400], hidden: [300], classes: 200)
        let network = Network(architecture: architecture, seed: 1)
        let parameters = network.parameterDictionary
        let hidden = parameters["fc1.weight"]!.scalars
        let std = (hidden.reduce(0) { $0 + Double($1) * Double($1) } / Double(hidden.count)).squareRoot()
        #expect(abs(std - (2.0 / 400).squareRoot()) < 0.002, "He: std √(2/fanIn), got \(std)")
        #expect(parameters["fc1.bias"]!.scalars.allSatisfy { $0 == 0 })
        let bound = 1 / Float(300).squareRoot()
        for name in ["fc2.weight", "fc2.bias"] {
            let values = parameters[name]!.scalars
            #expect(values.allSatisfy { abs($0) <= bound }, "\(name) within ±1/√fanIn")
            #expect(values.max()! > bound * 0.9 && values.min()! < -bound * 0.9, "\(name) spans the range")
        }
        #expect(Network(architecture: architecture, seed: 1).parameterDictionary == parameters)
        #expect(Network(architecture: architecture, seed: 2).parameterDictionary != parameters)
        #expect(network.parameterCount == 400 * 300 + 300 + 300 * 200 + 200)
    }

    @Test func parameterNamesAndOrderFollowPyTorch() throws {
        let network = try Self.smallCNN()
        #expect(network.parameters.map(\.name) == ["conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias",
                                                   "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"])
        #expect(network.parameterDictionary["conv2.weight"]!.shape == [6, 4, 3, 3])
        #expect(network.parameterDictionary["fc1.weight"]!.shape == [8, 6 * 2 * 2])
    }

    @Test func loadingRejectsMissingMisshapenAndUnknownTensors() throws {
        var network = try Self.smallCNN()
        let good = network.parameterDictionary
        var missing = good
        missing["fc2.bias"] = nil
        #expect(throws: NetworkError.missingParameter(name: "fc2.bias", expectedShape: [3])) { try network.load(parameters: missing) }
        var misshapen = good
        misshapen["conv1.weight"] = Tensor(shape: [4, 1, 5, 5])
        let shapeError = NetworkError.parameterShapeMismatch(name: "conv1.weight", expectedShape: [4, 1, 3, 3], foundShape: [4, 1, 5, 5])
        #expect(throws: shapeError) { try network.load(parameters: misshapen) }
        #expect(shapeError.description.contains("conv1.weight") && shapeError.description.contains("[4, 1, 3, 3]")
                && shapeError.description.contains("[4, 1, 5, 5]"))
        var extra = good
        extra["fc3.weight"] = Tensor(shape: [1])
        #expect(throws: NetworkError.unexpectedParameter(name: "fc3.weight", shape: [1])) { try network.load(parameters: extra) }
        #expect(network.parameterDictionary == good, "a failed load changes nothing")
        var changed = good
        changed["fc2.bias"] = Tensor(shape: [3], scalars: [1, 2, 3])
        try network.load(parameters: changed)
        #expect(network.parameterDictionary["fc2.bias"]!.scalars == [1, 2, 3])
    }

    @Test func aBatchSplitOverCoresGivesWhatImageByImageGives() throws {
        // Big enough for the convolution to split the batch into parts (when there are several cores).
        let architecture = try Architecture.parse("conv3x3x16,pool", inputShape: [4, 32, 32], classes: 3)
        var whole = Network(architecture: architecture, seed: 4)
        let input = randomTensor([8, 4, 32, 32], seed: 5)
        let seed = randomTensor([8, 3], seed: 6)
        _ = whole.forward(input)
        let inputGradient = try whole.backward(outputGradient: seed).input
        var single = Network(architecture: architecture, seed: 4)
        for n in 0..<8 {
            let logits = single.forward(input.slice(n..<(n + 1)))
            #expect(mismatch(logits, whole.logits(input.slice(n..<(n + 1))), .forward) == nil)
            let gradient = try single.backward(outputGradient: seed.slice(n..<(n + 1))).input
            #expect(mismatch(gradient, inputGradient.slice(n..<(n + 1)), .forward) == nil, "image \(n)")
        }
        for (name, gradient) in whole.gradients {
            #expect(mismatch(gradient, single.gradients[name]!, Tolerance(relative: 1e-4, absolute: 1e-4)) == nil, "\(name)")
        }
    }
}
