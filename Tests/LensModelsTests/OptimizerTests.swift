import Foundation
import LensModels
import LensTensor
import Testing

/// The update rules on one parameter with a hand-set gradient, against the formulas written out
/// in Double (the conformance fixtures check them against PyTorch itself).
@Suite struct OptimizerTests {
    /// A 1→2 linear network whose fc1.weight is [[1], [-2]] and gradient is [[0.5], [0.25]].
    static func network() throws -> Network {
        var network = try makeNetwork([1], [.linear(in: 1, out: 2)])
        try network.load(parameters: ["fc1.weight": Tensor(shape: [2, 1], scalars: [1, -2]), "fc1.bias": Tensor(shape: [2])])
        return network
    }

    static func setGradients(_ network: inout Network) {
        network.updateParameters { name, parameter in
            parameter.gradient = name == "fc1.weight" ? Tensor(shape: [2, 1], scalars: [0.5, 0.25]) : Tensor(shape: [2])
        }
    }

    func weights(after steps: Int, _ kind: OptimizerKind, learningRate: Float) throws -> [Float] {
        var network = try Self.network()
        var optimizer = Optimizer(kind: kind, learningRate: learningRate)
        for _ in 0..<steps {
            Self.setGradients(&network)
            optimizer.step(&network)
        }
        return network.parameterDictionary["fc1.weight"]!.scalars
    }

    @Test(arguments: [false, true])
    func sgdWithMomentumWeightDecayAndNesterov(nesterov: Bool) throws {
        let (lr, momentum, decay) = (0.1, 0.9, 0.01)
        var expected: [Double] = [1, -2]
        for (index, gradient) in [0.5, 0.25].enumerated() {
            var p = expected[index], v = 0.0
            for step in 0..<3 {
                let g = gradient + decay * p
                v = step == 0 ? g : momentum * v + g
                p -= lr * (nesterov ? g + momentum * v : v)
            }
            expected[index] = p
        }
        let actual = try weights(after: 3, .sgd(momentum: Float(momentum), weightDecay: Float(decay), nesterov: nesterov),
                                 learningRate: Float(lr))
        #expect(zip(actual, expected).allSatisfy { abs(Double($0) - $1) < 1e-6 }, "\(actual) vs \(expected)")
    }

    @Test func plainSGDIsGradientDescent() throws {
        let actual = try weights(after: 2, .sgd(momentum: 0, weightDecay: 0), learningRate: 0.1)
        #expect(zip(actual, [0.9, -2.05]).allSatisfy { abs($0 - $1) < 1e-6 })
    }

    @Test func adamFirstStepMovesEveryWeightByTheLearningRate() throws {
        // m̂ = g and v̂ = g² on step 1, so each step is lr · g / (|g| + ε) ≈ lr · sign(g).
        let actual = try weights(after: 1, .adamDefaults, learningRate: 0.01)
        #expect(zip(actual, [0.99, -2.01]).allSatisfy { abs($0 - $1) < 1e-6 }, "\(actual)")
    }

    @Test func adamWithWeightDecayFollowsTheFormula() throws {
        let (lr, beta1, beta2, epsilon, decay) = (0.01, 0.9, 0.999, 1e-8, 0.1)
        var expected: [Double] = [1, -2]
        for (index, gradient) in [0.5, 0.25].enumerated() {
            var p = expected[index], m = 0.0, v = 0.0
            for step in 1...4 {
                let g = gradient + decay * p
                m = beta1 * m + (1 - beta1) * g
                v = beta2 * v + (1 - beta2) * g * g
                let mHat = m / (1 - pow(beta1, Double(step))), vHat = v / (1 - pow(beta2, Double(step)))
                p -= lr * mHat / (vHat.squareRoot() + epsilon)
            }
            expected[index] = p
        }
        let actual = try weights(after: 4, .adam(beta1: Float(beta1), beta2: Float(beta2), epsilon: Float(epsilon),
                                                 weightDecay: Float(decay)), learningRate: Float(lr))
        #expect(zip(actual, expected).allSatisfy { abs(Double($0) - $1) < 1e-6 }, "\(actual) vs \(expected)")
    }

    @Test func kindsRoundTripThroughCodable() throws {
        for kind: OptimizerKind in [.sgd(momentum: 0.9, weightDecay: 5e-4, nesterov: true), .adamDefaults] {
            let data = try JSONEncoder().encode(kind)
            #expect(try JSONDecoder().decode(OptimizerKind.self, from: data) == kind)
        }
    }
}
