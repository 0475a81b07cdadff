import Foundation
import LensTensor

/// Which optimizer and its settings.
public enum OptimizerKind: Codable, Sendable, Equatable {
    /// torch.optim.SGD (dampening 0).
    case sgd(momentum: Float, weightDecay: Float, nesterov: Bool = false)
    /// torch.optim.Adam (L2 weight decay added to the gradient, not AdamW; amsgrad off).
    case adam(beta1: Float, beta2: Float, epsilon: Float, weightDecay: Float)

    public static let adamDefaults = OptimizerKind.adam(beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0)

    public var name: String {
        switch self {
        case .sgd: "sgd"
        case .adam: "adam"
        }
    }
}

/// Updates a network's parameters from their accumulated gradients, with exactly PyTorch's formulas.
///
/// SGD: g = ∇ + λ·p; v = g on the first step, then v = μ·v + g; p −= lr·(nesterov ? g + μ·v : v).
/// Adam: g = ∇ + λ·p; m = β₁m + (1 − β₁)g; v = β₂v + (1 − β₂)g²;
///       p −= (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε).
/// State is kept per parameter name.
public struct Optimizer: Sendable {
    public var kind: OptimizerKind
    public var learningRate: Float
    public private(set) var stepCount = 0
    private var firstMoments: [String: [Float]] = [:]
    private var secondMoments: [String: [Float]] = [:]

    public init(kind: OptimizerKind, learningRate: Float) {
        self.kind = kind
        self.learningRate = learningRate
    }

    /// One update of every parameter of `network` from its current gradients (which it leaves as they are).
    public mutating func step(_ network: inout Network) {
        stepCount += 1
        switch kind {
        case let .sgd(momentum, weightDecay, nesterov):
            network.updateParameters { name, parameter in
                sgdStep(name: name, parameter: &parameter, momentum: momentum, weightDecay: weightDecay, nesterov: nesterov)
            }
        case let .adam(beta1, beta2, epsilon, weightDecay):
            let step = Double(stepCount)
            let bias1 = 1 - pow(Double(beta1), step)
            let bias2Root = (1 - pow(Double(beta2), step)).squareRoot()
            let stepSize = Float(Double(learningRate) / bias1)
            network.updateParameters { name, parameter in
                adamStep(name: name, parameter: &parameter, beta1: beta1, beta2: beta2, epsilon: epsilon,
                         weightDecay: weightDecay, stepSize: stepSize, bias2Root: Float(bias2Root))
            }
        }
    }

    private mutating func sgdStep(name: String, parameter: inout Parameter,
                                  momentum: Float, weightDecay: Float, nesterov: Bool) {
        let count = parameter.value.count, learningRate = learningRate
        let firstStep = firstMoments[name] == nil
        var velocity = firstMoments.removeValue(forKey: name) ?? [Float](repeating: 0, count: count)
        parameter.value.scalars.withUnsafeMutableBufferPointer { p in
            parameter.gradient.scalars.withUnsafeBufferPointer { gradient in
                velocity.withUnsafeMutableBufferPointer { v in
                    for i in 0..<count {
                        let g = gradient[i] + weightDecay * p[i]
                        guard momentum != 0 else {
                            p[i] -= learningRate * g
                            continue
                        }
                        v[i] = firstStep ? g : momentum * v[i] + g
                        p[i] -= learningRate * (nesterov ? g + momentum * v[i] : v[i])
                    }
                }
            }
        }
        firstMoments[name] = velocity
    }

    private mutating func adamStep(name: String, parameter: inout Parameter, beta1: Float, beta2: Float,
                                   epsilon: Float, weightDecay: Float, stepSize: Float, bias2Root: Float) {
        let count = parameter.value.count
        var m = firstMoments.removeValue(forKey: name) ?? [Float](repeating: 0, count: count)
        var v = secondMoments.removeValue(forKey: name) ?? [Float](repeating: 0, count: count)
        parameter.value.scalars.withUnsafeMutableBufferPointer { p in
            parameter.gradient.scalars.withUnsafeBufferPointer { gradient in
                m.withUnsafeMutableBufferPointer { m in
                    v.withUnsafeMutableBufferPointer { v in
                        for i in 0..<count {
                            let g = gradient[i] + weightDecay * p[i]
                            m[i] = beta1 * m[i] + (1 - beta1) * g
                            v[i] = beta2 * v[i] + (1 - beta2) * g * g
                            p[i] -= stepSize * m[i] / (v[i].squareRoot() / bias2Root + epsilon)
                        }
                    }
                }
            }
        }
        firstMoments[name] = m
        secondMoments[name] = v
    }
}
