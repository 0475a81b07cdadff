import LensModels
import LensTensor
import Testing

/// Every fixture file in the conformance directory, checked tensor by tensor against the network
/// built from its own `__metadata__`: a new fixture needs no new code.
///
/// Checked: `act.<layer>`, `logits`, `probs`, `loss`, `grad.<parameter>`, `grad.input`,
/// `<optimizer>.step<k>.<parameter>` (sgd, adam; settings read from the metadata sentences), and
/// every `attr.*` tensor through LensExplain's registry (`AttributionConformance`, with the
/// fixtures' relative rule for attributions). A file without `attr.*` tensors fails, and so does
/// any tensor nobody checks, so nothing in a new fixture goes unchecked silently.
@Suite struct ConformanceTests {
    @Test func fixturesAreFound() {
        #expect(ConformanceFixture.all.count >= 2, "expected the cnn and mlp fixtures in \(ConformanceFixture.directory?.path ?? "nowhere")")
    }

    @Test(arguments: ConformanceFixture.all)
    func matchesPyTorch(_ fixture: ConformanceFixture) throws {
        let loaded = try LoadedFixture(fixture)
        var checked = Set(["input", "target"] + loaded.parameterNames)
        func expectMatch(_ name: String, _ actual: Tensor?, tolerance: Tolerance = .forward) {
            guard let expected = loaded.file[name] else { return }
            checked.insert(name)
            guard let actual else {
                Issue.record("\(fixture.testDescription): \(name) has no counterpart in the network")
                return
            }
            if let problem = mismatch(actual, expected, tolerance) {
                Issue.record("\(fixture.testDescription): \(name) differs: \(problem)")
            }
        }

        // Forward pass: every layer's output, logits, probabilities, loss.
        var network = loaded.network
        let activationNames = Set(loaded.tensors(prefixed: "act.").keys)
        let (logits, activations) = network.forward(loaded.input, capturing: activationNames)
        for name in activationNames.sorted() { expectMatch("act." + name, activations[name]) }
        expectMatch("logits", logits)
        expectMatch("probs", SoftmaxCrossEntropy.probabilities(logits))
        let (loss, lossGradient) = SoftmaxCrossEntropy.lossAndGradient(logits: logits, targets: loaded.targets)
        expectMatch("loss", Tensor(shape: [1], scalars: [loss]))

        // Backward pass from the mean loss.
        network.zeroGradients()
        let inputGradient = try network.backward(outputGradient: lossGradient).input
        expectMatch("grad.input", inputGradient)
        for (name, gradient) in network.gradients { expectMatch("grad." + name, gradient) }

        // Optimizer steps: "<optimizer>.step<k>.<parameter>" after k steps from the stored weights.
        for optimizerName in ["sgd", "adam"] {
            for (steps, expected) in optimizerSteps(loaded, optimizerName) {
                let kind = try optimizerKind(optimizerName, loaded)
                let learningRate = try #require(loaded.setting("lr", in: optimizerName), "\(optimizerName) lr in metadata")
                var trained = loaded.network
                var optimizer = Optimizer(kind: kind, learningRate: learningRate)
                for _ in 0..<steps {
                    trained.zeroGradients()
                    let output = trained.forward(loaded.input, training: true)
                    _ = try trained.backward(outputGradient: SoftmaxCrossEntropy.lossAndGradient(logits: output, targets: loaded.targets).gradient)
                    optimizer.step(&trained)
                }
                let parameters = Dictionary(uniqueKeysWithValues: trained.parameters.map { ($0.name, $0.tensor) })
                for name in expected.sorted() {
                    expectMatch("\(optimizerName).step\(steps).\(name)", parameters[name], tolerance: .optimizerStep)
                }
            }
        }

        // Attributions: every attr.* tensor, through the registry.
        #expect(loaded.file.names.contains { $0.hasPrefix("attr.") }, "\(fixture.testDescription) has no attr.* tensors")
        checked.formUnion(try AttributionConformance.check(loaded, fixture: fixture.testDescription))

        let unchecked = loaded.file.names.filter { !checked.contains($0) }
        #expect(unchecked.isEmpty, "\(fixture.testDescription): tensors nobody checks: \(unchecked)")
        #expect(checked.contains("grad.input") && checked.contains("logits"), "\(fixture.testDescription) lacks the core tensors")
    }

    /// Step counts present for an optimizer, each with the parameter names stored for it.
    private func optimizerSteps(_ loaded: LoadedFixture, _ optimizer: String) -> [(Int, [String])] {
        var result: [Int: [String]] = [:]
        for name in loaded.tensors(prefixed: optimizer + ".step").keys {
            guard let dot = name.firstIndex(of: "."), let steps = Int(name[..<dot]) else { continue }
            result[steps, default: []].append(String(name[name.index(after: dot)...]))
        }
        return result.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    private func optimizerKind(_ name: String, _ loaded: LoadedFixture) throws -> OptimizerKind {
        let weightDecay = loaded.setting("weight_decay", in: name) ?? 0
        switch name {
        case "sgd":
            let momentum = try #require(loaded.setting("momentum", in: name), "sgd momentum in metadata")
            let nesterov = loaded.file.metadata[name]?.contains("nesterov") ?? false
            return .sgd(momentum: momentum, weightDecay: weightDecay, nesterov: nesterov)
        default:
            let (beta1, beta2) = try #require(loaded.betas(in: name), "adam betas in metadata")
            let epsilon = try #require(loaded.setting("eps", in: name), "adam eps in metadata")
            return .adam(beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: weightDecay)
        }
    }
}
