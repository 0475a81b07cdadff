import Foundation
import Testing
import LensData
import LensTensor
import LensTestSupport
@testable import LensModels

/// Batch normalisation and residual blocks against PyTorch (scripts/make-batchnorm-fixtures.py):
/// training-mode forward and backward, the running statistics after 3 SGD steps, inference after them.
@Suite struct BatchNormPyTorchTests {
    struct Fixture {
        var file: SafetensorsFile
        var network: Network
        var input: Tensor
        var targets: [Int]

        init(_ name: String) throws {
            let url = try #require(Bundle.module.url(forResource: "PyTorchFixtures/\(name)", withExtension: "safetensors"))
            file = try SafetensorsFile(contentsOf: url)
            let metadata = file.metadata
            let arch = try #require(metadata["arch"]), classes = try #require(Int(metadata["classes"] ?? ""))
            let shape = try JSONDecoder().decode([Int].self, from: Data(try #require(metadata["input_shape"]).utf8))
            network = Network(architecture: try Architecture.parse(arch, inputShape: shape, classes: classes), seed: 0)
            let names = Set(network.parameters.map(\.name))
            try network.load(parameters: file.tensors.filter { names.contains($0.key) }.mapValues(\.tensor))
            input = try #require(file["input"])
            targets = try #require(file["target"]).scalars.map { Int($0) }
        }

        func expect(_ name: String, _ actual: Tensor?, _ tolerance: Tolerance = .forward) {
            guard let expected = file[name] else { Issue.record("fixture has no \(name)"); return }
            guard let actual else { Issue.record("\(name) has no counterpart"); return }
            if let problem = mismatch(actual, expected, tolerance) { Issue.record("\(name) differs: \(problem)") }
        }
    }

    @Test(arguments: ["batchnorm", "residual"])
    func trainingForwardAndBackwardMatchPyTorch(_ name: String) throws {
        let fixture = try Fixture(name)
        var network = fixture.network
        let activations = Set(fixture.file.names.filter { $0.hasPrefix("train.act.") }.map { String($0.dropFirst("train.act.".count)) })
        #expect(!activations.isEmpty)
        let (logits, captured) = network.forward(fixture.input, capturing: activations, training: true)
        fixture.expect("train.logits", logits)
        for layer in activations.sorted() { fixture.expect("train.act." + layer, captured[layer]) }
        let (loss, gradient) = SoftmaxCrossEntropy.lossAndGradient(logits: logits, targets: fixture.targets)
        fixture.expect("train.loss", Tensor(shape: [1], scalars: [loss]))
        network.zeroGradients()
        fixture.expect("train.grad.input", try network.backward(outputGradient: gradient).input)
        let learned = fixture.file.names.filter { $0.hasPrefix("train.grad.") && $0 != "train.grad.input" }
        #expect(learned.count >= 6)
        let gradients = network.gradients
        for stored in learned { fixture.expect(stored, gradients[String(stored.dropFirst("train.grad.".count))]) }
    }

    @Test(arguments: ["batchnorm", "residual"])
    func runningStatisticsAfterThreeSGDStepsAndInferenceMatchPyTorch(_ name: String) throws {
        let fixture = try Fixture(name)
        var network = fixture.network
        var optimizer = Optimizer(kind: .sgd(momentum: 0.9, weightDecay: 1e-3), learningRate: 0.05)
        for _ in 0..<3 {
            network.zeroGradients()
            let logits = network.forward(fixture.input, training: true)
            try network.backward(outputGradient: SoftmaxCrossEntropy.lossAndGradient(logits: logits, targets: fixture.targets).gradient)
            optimizer.step(&network)
        }
        let state = network.parameters
        #expect(state.contains { $0.name.hasSuffix(".running_var") } && state.contains { $0.name.hasSuffix(".num_batches_tracked") })
        for (parameter, tensor) in state { fixture.expect("sgd.step3." + parameter, tensor, .optimizerStep) }
        for (parameter, tensor) in state where parameter.hasSuffix("num_batches_tracked") { #expect(tensor.scalars == [5]) }

        // Inference uses the running statistics, in `logits` and in an explanation's forward and backward.
        fixture.expect("eval.logits", network.logits(fixture.input), .optimizerStep)
        let logits = network.forward(fixture.input)
        fixture.expect("eval.logits", logits, .optimizerStep)
        let gradient = SoftmaxCrossEntropy.lossAndGradient(logits: logits, targets: fixture.targets).gradient
        fixture.expect("eval.grad.input", try network.backward(outputGradient: gradient, parameterGradients: .skip).input, .optimizerStep)
    }
}

extension BatchNormPyTorchTests {
    /// Training mode (batch statistics) by finite differences, from the loss and from a block's output.
    @Test func trainingModeAgreesWithFiniteDifferences() throws {
        let architecture = try Architecture.parse("conv3x3x3,bn,res3x3x4s2,gap,fc5,bn", inputShape: [2, 6, 6], classes: 3)
        var generator = SeededGenerator(seed: 8)
        let input = Tensor(shape: [4, 2, 6, 6], scalars: (0..<288).map { _ in generator.nextNormal() })
        var checker = GradientChecker()
        checker.training = true
        checker.step = 1e-3
        let network = Network(architecture: architecture, seed: 5)
        let shape = [4] + architecture.layerOutputShapes[try #require(architecture.index(ofLayer: "res1.relu"))]
        let weights = Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in generator.nextNormal() })
        for (layer, objective) in [(nil, GradientChecker.Objective.crossEntropy(targets: [0, 2, 1, 1])),
                                   ("res1.relu", .weightedSum(weights))] {
            let report = try checker.check(network, input: input, layer: layer, objective: objective)
            #expect(report.failures.isEmpty, "\(layer ?? "loss"): \(report.failures.prefix(5))")
            #expect(report.checked >= 40)
        }
    }
}

@Suite struct BatchNormResidualArchitectureTests {
    @Test func bnGoesBetweenItsLayerAndTheReLUAndAfterAnyOtherItem() throws {
        let architecture = try Architecture.parse("conv3x3x4,bn,pool,bn,fc8,bn", inputShape: [1, 8, 8], classes: 3)
        #expect(architecture.layerNames == ["conv1", "batchnorm1", "relu1", "pool1", "batchnorm2", "flatten", "fc1", "batchnorm3",
                                            "relu2", "fc2"])
        #expect(architecture.isChain)
        let network = Network(architecture: architecture, seed: 1)
        #expect(network.parameters.map(\.name).filter { $0.hasPrefix("batchnorm1.") }
                == ["batchnorm1.weight", "batchnorm1.bias", "batchnorm1.running_mean", "batchnorm1.running_var",
                    "batchnorm1.num_batches_tracked"])
        #expect(network.counterNames == ["batchnorm1.num_batches_tracked", "batchnorm2.num_batches_tracked",
                                         "batchnorm3.num_batches_tracked"])
    }

    @Test func residualBlocksAreTorchvisionBasicBlocksWithTheSkipTheyNeed() throws {
        let architecture = try Architecture.parse("conv3x3x8,res3x3x8,res3x3x16s2,gap", inputShape: [1, 16, 16], classes: 4)
        #expect(architecture.layerNames == [
            "conv1", "relu1",
            "res1.conv1", "res1.bn1", "res1.relu1", "res1.conv2", "res1.bn2", "res1.add", "res1.relu",
            "res2.conv1", "res2.bn1", "res2.relu1", "res2.conv2", "res2.bn2", "res2.downsample.0", "res2.downsample.1",
            "res2.add", "res2.relu", "globalavgpool1", "flatten", "fc1",
        ])
        let add1 = try #require(architecture.index(ofLayer: "res1.add")), add2 = try #require(architecture.index(ofLayer: "res2.add"))
        #expect(architecture.layerInputs[add1] == [add1 - 1, 1])   // identity skip from relu1
        #expect(architecture.layerInputs[add2] == [add2 - 3, add2 - 1])   // bn2 + the projection
        #expect(architecture.layerOutputShapes[add2] == [16, 8, 8])
        #expect(architecture.outputShape == [4])
        let names = Network(architecture: architecture, seed: 0).parameters.map(\.name)
        #expect(names.contains("res2.downsample.0.weight") && !names.contains("res1.conv1.bias"))
    }

    @Test func theJSONFormKeepsBlocksAndNormalisation() throws {
        let architecture = try Architecture.parse("conv3x3x4,bn,res3x3x6s2,gap", inputShape: [2, 8, 8], classes: 3)
        let back = try Architecture(json: architecture.json, inputShape: [2, 8, 8])
        #expect(back == architecture)
    }

    @Test(arguments: [
        ("conv3x3x4,bnx", "bnx"), ("conv3x3x4,res3x2x4", "res3x2x4"), ("fc8,res3x3x4", "res3x3x4"),
        ("conv3x3x4,bn,bn", "bn"), ("res3x3x0", "res3x3x0"), ("gapp", "gapp"),
    ])
    func aBadItemIsNamed(_ compact: String, _ token: String) throws {
        #expect {
            try Architecture.parse(compact, inputShape: [1, 8, 8], classes: 3)
        } throws: { error in
            guard case let .invalidToken(found, _, _) = error as? ArchitectureError else { return false }
            return found == token
        }
    }

    @Test func aModelFileKeepsRunningStatisticsUnderPyTorchsNames() throws {
        let architecture = try Architecture.parse("conv3x3x4,bn,res3x3x4,gap", inputShape: [1, 8, 8], classes: 3)
        var network = Network(architecture: architecture, seed: 3)
        var generator = SeededGenerator(seed: 4)
        let input = Tensor(shape: [5, 1, 8, 8], scalars: (0..<320).map { _ in generator.nextNormal() })
        _ = network.forward(input, training: true)
        _ = network.forward(input, training: true)
        let provenance = ModelProvenance(kind: .cnn, classNames: ["a", "b", "c"], preprocessing: Preprocessing(size: 8),
                                         dataset: "orl", split: .orl, datasetCount: 30)
        let scratch = try ScratchFolder()
        let url = scratch.url.appendingPathComponent("bn.safetensors")
        try ModelFile(provenance: provenance, model: .network(network)).write(to: url)
        let file = try SafetensorsFile(contentsOf: url)
        #expect(file.tensors["batchnorm1.num_batches_tracked"]?.dtype == .i64)
        #expect(file["batchnorm1.num_batches_tracked"]?.scalars == [2])
        #expect(file["res1.bn2.running_var"]?.shape == [4])
        guard case .network(let loaded) = try ModelFile(contentsOf: url).model else { Issue.record("not a network"); return }
        #expect(loaded.logits(input) == network.logits(input))
        // Inference (running statistics) differs from a training forward (batch statistics).
        let inference = network.logits(input), training = network.forward(input, training: true)
        #expect(mismatch(inference, training, .forward) != nil)
    }
}
