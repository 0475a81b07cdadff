import LensModels
import LensTensor
import Testing

/// The finite-difference checker run from every layer's output and from the loss, on a small
/// network, an odd-shaped one (non-square input, stride 2, padding 0 and 2, overlapping and
/// floor-truncated pooling), one with rows longer than a SIMD register, and a vector MLP.
@Suite struct GradientCheckTests {
    struct Configuration: Sendable, CustomTestStringConvertible {
        var name: String
        var inputShape: [Int]
        var batch: Int
        var layers: [LayerSpec]
        var testDescription: String { name }
    }

    static let configurations: [Configuration] = [
        Configuration(name: "small", inputShape: [2, 6, 6], batch: 2, layers: [
            .conv2d(in: 2, out: 3, kernel: 3, padding: 1), .relu(), .maxPool2d(kernel: 2),
            .conv2d(in: 3, out: 4, kernel: 2), .relu(), .flatten(),
            .linear(in: 16, out: 6), .relu(), .dropout(probability: 0.25), .linear(in: 6, out: 3),
        ]),
        Configuration(name: "odd-shaped", inputShape: [3, 9, 7], batch: 3, layers: [
            .conv2d(in: 3, out: 4, kernel: 3, stride: 2, padding: 0), .relu(),   // [4, 4, 3]
            .conv2d(in: 4, out: 2, kernel: 3, stride: 1, padding: 2),            // [2, 6, 5]
            .maxPool2d(kernel: 2, stride: 1), .relu(),                            // [2, 5, 4] overlapping windows
            .conv2d(in: 2, out: 3, kernel: 3, stride: 2, padding: 2),            // [3, 4, 3]
            .maxPool2d(kernel: 2, stride: 2),                                     // [3, 2, 1] last column unused
            .flatten(), .linear(in: 6, out: 5), .relu(), .dropout(probability: 0.3), .linear(in: 5, out: 4),
        ]),
        // Rows of 18 and 37 positions: the SIMD im2col/col2im runs of 16 lanes plus a masked tail.
        Configuration(name: "long rows", inputShape: [1, 3, 37], batch: 2, layers: [
            .conv2d(in: 1, out: 2, kernel: 3, padding: 1), .relu(),             // [2, 3, 37]
            .maxPool2d(kernel: 2),                                               // [2, 1, 18]
            .conv2d(in: 2, out: 2, kernel: 1), .flatten(), .linear(in: 36, out: 3),
        ]),
        Configuration(name: "vector MLP", inputShape: [7], batch: 4, layers: [
            .linear(in: 7, out: 5), .relu(), .linear(in: 5, out: 5), .relu(), .linear(in: 5, out: 3),
        ]),
    ]

    @Test(arguments: configurations)
    func everyLayerAndTheLoss(_ configuration: Configuration) throws {
        let architecture = try Architecture(inputShape: configuration.inputShape, layers: configuration.layers)
        let network = Network(architecture: architecture, seed: 7)
        var generator = SeededGenerator(seed: 11)
        let input = Tensor(shape: [configuration.batch] + configuration.inputShape,
                           scalars: (0..<(configuration.batch * configuration.inputShape.reduce(1, *))).map { _ in generator.nextNormal() })
        let checker = GradientChecker()

        var objectives: [(String?, GradientChecker.Objective)] = architecture.layers.indices.map { index in
            let shape = [configuration.batch] + architecture.layerOutputShapes[index]
            let weights = Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in generator.nextNormal() })
            return (architecture.layers[index].name, .weightedSum(weights))
        }
        objectives.append((nil, .crossEntropy(targets: (0..<configuration.batch).map { $0 % architecture.classCount })))

        for (layer, objective) in objectives {
            let report = try checker.check(network, input: input, layer: layer, objective: objective)
            let place = "\(configuration.name), from \(layer ?? "the loss")"
            #expect(report.failures.isEmpty, "\(place): \(report.failures.prefix(5))")
            #expect(report.checked >= 20, "\(place): only \(report.checked) coordinates checked")
            #expect(report.skippedAtKinks <= report.checked, "\(place): \(report.skippedAtKinks) skipped at kinks")
        }
    }

    @Test func checkerCatchesAWrongGradient() throws {
        let architecture = try Architecture.mlp(inputShape: [5], hidden: [4], classes: 3)
        let network = Network(architecture: architecture, seed: 3)
        var generator = SeededGenerator(seed: 5)
        let input = Tensor(shape: [2, 5], scalars: (0..<10).map { _ in generator.nextNormal() })
        let weights = Tensor(shape: [2, 3], scalars: (0..<6).map { _ in generator.nextNormal() })
        var tenPercentOff = weights
        for i in tenPercentOff.scalars.indices { tenPercentOff.scalars[i] *= 1.1 }
        let checker = GradientChecker()
        let good = try checker.check(network, input: input, layer: nil, objective: .weightedSum(weights))
        #expect(good.failures.isEmpty && good.checked > 20)
        let bad = try checker.check(network, input: input, layer: nil, objective: .mismatched(weights: weights, seed: tenPercentOff))
        #expect(bad.failures.count * 2 > bad.checked, "a 10% error must fail most coordinates: \(bad.failures.count) of \(bad.checked)")
    }

    @Test func lossGradientMatchesDifferencesEvenForLargeLogits() {
        var generator = SeededGenerator(seed: 2)
        let targets = [0, 3, 2]
        for scale: Float in [1, 40] {
            let logits = Tensor(shape: [3, 4], scalars: (0..<12).map { _ in generator.nextNormal() * scale })
            let (loss, gradient) = SoftmaxCrossEntropy.lossAndGradient(logits: logits, targets: targets)
            #expect(loss.isFinite && loss >= 0)
            let objective = GradientChecker.Objective.crossEntropy(targets: targets)
            for i in 0..<12 {
                var plus = logits, minus = logits
                plus.scalars[i] += 1e-2
                minus.scalars[i] -= 1e-2
                let numeric = (objective.value(plus) - objective.value(minus)) / Double(plus.scalars[i] - minus.scalars[i])
                #expect(abs(Double(gradient.scalars[i]) - numeric) < 1e-4 + 1e-3 * abs(numeric), "logit \(i) at scale \(scale)")
            }
            let rowSums = (0..<3).map { row in (0..<4).reduce(Float(0)) { $0 + gradient.scalars[row * 4 + $1] } }
            #expect(rowSums.allSatisfy { abs($0) < 1e-6 }, "each gradient row sums to 0")
        }
    }
}
