import Foundation
import LensModels
import LensTensor

/// Compares a network's analytic gradients — at its input and at every parameter — with central
/// differences of a scalar objective of one layer's output (Caffe's test_gradient_check_util).
///
/// Float32 makes differences noisy, so: step 1e-2 on inputs and weights of order 1, objectives
/// summed in Double, and each difference divided by the step Float actually took. ReLU and max
/// pooling are piecewise linear; where a step crosses a kink the one-sided differences disagree
/// and that coordinate is skipped (counted, and limited by the caller). A wrong backward shows
/// up as a disagreement in smooth places, which this does not skip.
struct GradientChecker {
    /// A scalar function of one layer's output and its gradient.
    enum Objective {
        /// Σ weights ⊙ output: any seed can be tested through it.
        case weightedSum(Tensor)
        /// Mean softmax cross-entropy of the network output, in Double.
        case crossEntropy(targets: [Int])
        /// Σ weights ⊙ output, but backpropagating `seed`: a deliberately wrong gradient,
        /// to show the checker catches one.
        case mismatched(weights: Tensor, seed: Tensor)

        func value(_ output: Tensor) -> Double {
            switch self {
            case let .weightedSum(weights), let .mismatched(weights, _):
                return zip(weights.scalars, output.scalars).reduce(0) { $0 + Double($1.0) * Double($1.1) }
            case let .crossEntropy(targets):
                let classes = output.shape[1]
                var total: Double = 0
                for (row, target) in targets.enumerated() {
                    let z = output.scalars[(row * classes)..<((row + 1) * classes)].map(Double.init)
                    let m = z.max()!
                    total += m + log(z.reduce(0) { $0 + exp($1 - m) }) - z[target]
                }
                return total / Double(targets.count)
            }
        }

        func seed(_ output: Tensor) -> Tensor {
            switch self {
            case let .weightedSum(weights): weights
            case let .mismatched(_, seed): seed
            case let .crossEntropy(targets): SoftmaxCrossEntropy.lossAndGradient(logits: output, targets: targets).gradient
            }
        }
    }

    struct Report {
        var checked = 0
        var skippedAtKinks = 0
        var failures: [String] = []
    }

    var step: Float = 1e-2
    var absoluteTolerance: Double = 2e-3
    var relativeTolerance: Double = 2e-2
    var coordinatesPerTensor = 24
    /// Dropout on; every evaluation starts from a copy of the same network, so masks repeat.
    var training = true

    /// Checks the gradients of `objective` applied to the output of `layer` (nil: network output).
    func check(_ network: Network, input: Tensor, layer: String?, objective: Objective) throws -> Report {
        var report = Report()
        var analytic = network
        analytic.zeroGradients()
        let output = outputOf(&analytic, input: input, layer: layer)
        let inputGradient = try analytic.backward(from: layer, outputGradient: objective.seed(output)).input
        let gradients = analytic.gradients

        func evaluate(_ network: Network, _ input: Tensor) -> Double {
            var copy = network
            return objective.value(outputOf(&copy, input: input, layer: layer))
        }
        let center = evaluate(network, input)

        func compare(_ what: String, analytic gradient: Float, perturbed: (Float) -> (Double, Float)) {
            let (plus, plusStep) = perturbed(step)
            let (minus, minusStep) = perturbed(-step)
            let central = (plus - minus) / (Double(plusStep) - Double(minusStep))
            let forward = (plus - center) / Double(plusStep)
            let backward = (center - minus) / Double(-minusStep)
            let allowed = absoluteTolerance + relativeTolerance * abs(central)
            if abs(forward - backward) > allowed {
                report.skippedAtKinks += 1
                return
            }
            report.checked += 1
            if abs(Double(gradient) - central) > allowed {
                report.failures.append("\(what): analytic \(gradient), numeric \(central)")
            }
        }

        for i in sampledIndices(input.count, salt: 1) {
            compare("d/d input[\(i)]", analytic: inputGradient.scalars[i]) { delta in
                var moved = input
                moved.scalars[i] += delta
                return (evaluate(network, moved), moved.scalars[i] - input.scalars[i])
            }
        }
        let startIndex = layer.flatMap { network.architecture.index(ofLayer: $0) } ?? network.architecture.layers.count - 1
        let upstream = Set(network.architecture.layers[...startIndex].map(\.parameterPrefix))
        // PyTorch's buffers (running statistics) have no gradient: training forwards set them.
        var learned = Set<String>(), copy = network
        copy.updateParameters { name, parameter in if parameter.role == .learned { learned.insert(name) } }
        for (salt, (name, tensor)) in network.parameters.enumerated() where learned.contains(name) {
            let gradient = gradients[name]!
            guard upstream.contains(String(name.prefix(upTo: name.lastIndex(of: ".")!))) else {
                if gradient.scalars.contains(where: { $0 != 0 }) {
                    report.failures.append("\(name) lies after the start layer but got a gradient")
                }
                continue
            }
            for i in sampledIndices(tensor.count, salt: UInt64(salt + 2)) {
                compare("d/d \(name)[\(i)]", analytic: gradient.scalars[i]) { delta in
                    var moved = network
                    var taken: Float = 0
                    moved.updateParameters { parameterName, parameter in
                        guard parameterName == name else { return }
                        let before = parameter.value.scalars[i]
                        parameter.value.scalars[i] += delta
                        taken = parameter.value.scalars[i] - before
                    }
                    return (evaluate(moved, input), taken)
                }
            }
        }
        return report
    }

    private func outputOf(_ network: inout Network, input: Tensor, layer: String?) -> Tensor {
        let (output, activations) = network.forward(input, capturing: layer.map { [$0] } ?? [], training: training)
        return layer.map { activations[$0]! } ?? output
    }

    /// All indices of small tensors, a seeded sample of large ones.
    private func sampledIndices(_ count: Int, salt: UInt64) -> [Int] {
        guard count > coordinatesPerTensor else { return Array(0..<count) }
        var generator = SeededGenerator(seed: 1000 + salt)
        var indices = Array(0..<count)
        generator.shuffle(&indices)
        return Array(indices.prefix(coordinatesPerTensor))
    }
}
