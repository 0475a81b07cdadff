import Foundation
import LensTensor

/// Which optimizer and its settings.
public enum OptimizerKind: Codable, Sendable, Equatable {
    /// torch.optim.SGD (dampening 0).
    case sgd(momentum: Float, weightDecay: Float, nesterov: Bool = false)
    /// torch.optim.Adam (L2 weight decay added to the gradient, not AdamW; amsgrad off).
    case adam(beta1: Float, beta2: Float, epsilon: Float, weightDecay: Float)

    public static let adamDefaults = OptimizerKind.adam(beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0)

    /// The same optimizer with another L2 weight decay.
    public func withWeightDecay(_ decay: Float) -> OptimizerKind {
        switch self {
        case let .sgd(momentum, _, nesterov): .sgd(momentum: momentum, weightDecay: decay, nesterov: nesterov)
        case let .adam(beta1, beta2, epsilon, _): .adam(beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: decay)
        }
    }

    /// The L2 weight decay λ of either optimizer.
    public var weightDecay: Float {
        switch self {
        case let .sgd(_, weightDecay, _), let .adam(_, _, _, weightDecay): weightDecay
        }
    }

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

    /// Updates are memory-bound: a second thread pays from about this many values per thread.
    static let minimumValuesPerThread = 1 << 16

    public init(kind: OptimizerKind, learningRate: Float) {
        self.kind = kind
        self.learningRate = learningRate
    }

    /// An optimizer continuing from `state`, as saved by an earlier run of the same kind.
    public init(kind: OptimizerKind, learningRate: Float, state: OptimizerState) {
        self.init(kind: kind, learningRate: learningRate)
        stepCount = state.steps
        firstMoments = state.firstMoments
        secondMoments = state.secondMoments
    }

    /// What it has accumulated so far, to save beside a checkpoint.
    public var state: OptimizerState {
        OptimizerState(steps: stepCount, firstMoments: firstMoments, secondMoments: secondMoments)
    }

    /// One update of every parameter of `network` from its current gradients (which it leaves as they are).
    public mutating func step(_ network: inout Network) {
        stepCount += 1
        switch kind {
        case let .sgd(momentum, weightDecay, nesterov):
            network.updateParameters { name, parameter in
                guard parameter.role == .learned else { return }
                sgdStep(name: name, parameter: &parameter, momentum: momentum, weightDecay: weightDecay, nesterov: nesterov)
            }
        case let .adam(beta1, beta2, epsilon, weightDecay):
            let step = Double(stepCount)
            let bias1 = 1 - pow(Double(beta1), step)
            let bias2Root = (1 - pow(Double(beta2), step)).squareRoot()
            let stepSize = Float(Double(learningRate) / bias1)
            network.updateParameters { name, parameter in
                guard parameter.role == .learned else { return }
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
                    let (p, g, v) = (p.baseAddress!, gradient.baseAddress!, v.baseAddress!)
                    Parallel.forEachChunk(count: count, minimumChunk: Self.minimumValuesPerThread) { range in
                        Self.sgdUpdate(p, g, v, range, learningRate: learningRate, momentum: momentum,
                                       weightDecay: weightDecay, nesterov: nesterov, firstStep: firstStep)
                    }
                }
            }
        }
        firstMoments[name] = velocity
    }

    /// One SGD update of `range`, each case its own plain loop (the optimiser vectorises them;
    /// a per-element switch between the cases cost 3x here).
    @inline(__always)
    private static func sgdUpdate(_ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ v: UnsafeMutablePointer<Float>,
                                  _ range: Range<Int>, learningRate: Float, momentum: Float, weightDecay: Float,
                                  nesterov: Bool, firstStep: Bool) {
        if momentum == 0 {
            for i in range { let w = p[i]; p[i] = w - learningRate * (g[i] + weightDecay * w) }
        } else if firstStep {
            let nesterovShare: Float = nesterov ? momentum : 0   // PyTorch: g + μ·v with v = g
            for i in range {
                let w = p[i], gradient = g[i] + weightDecay * w
                v[i] = gradient
                p[i] = w - learningRate * (gradient + nesterovShare * gradient)
            }
        } else if nesterov {
            for i in range {
                let w = p[i], gradient = g[i] + weightDecay * w, velocity = momentum * v[i] + gradient
                v[i] = velocity
                p[i] = w - learningRate * (gradient + momentum * velocity)
            }
        } else {
            for i in range {
                let w = p[i], velocity = momentum * v[i] + (g[i] + weightDecay * w)
                v[i] = velocity
                p[i] = w - learningRate * velocity
            }
        }
    }

    private mutating func adamStep(name: String, parameter: inout Parameter, beta1: Float, beta2: Float,
                                   epsilon: Float, weightDecay: Float, stepSize: Float, bias2Root: Float) {
        let count = parameter.value.count, inverseBias2Root = 1 / bias2Root
        var m = firstMoments.removeValue(forKey: name) ?? [Float](repeating: 0, count: count)
        var v = secondMoments.removeValue(forKey: name) ?? [Float](repeating: 0, count: count)
        parameter.value.scalars.withUnsafeMutableBufferPointer { p in
            parameter.gradient.scalars.withUnsafeBufferPointer { gradient in
                m.withUnsafeMutableBufferPointer { m in
                    v.withUnsafeMutableBufferPointer { v in
                        let (p, g, m, v) = (p.baseAddress!, gradient.baseAddress!, m.baseAddress!, v.baseAddress!)
                        Parallel.forEachChunk(count: count, minimumChunk: Self.minimumValuesPerThread) { range in
                            // A plain loop, as for SGD: the optimiser vectorises it.
                            for i in range {
                                let weight = p[i], gradient = g[i] + weightDecay * weight
                                let first = beta1 * m[i] + (1 - beta1) * gradient
                                let second = beta2 * v[i] + (1 - beta2) * gradient * gradient
                                m[i] = first
                                v[i] = second
                                p[i] = weight - stepSize * first / (second.squareRoot() * inverseBias2Root + epsilon)
                            }
                        }
                    }
                }
            }
        }
        firstMoments[name] = m
        secondMoments[name] = v
    }
}

/// What an optimizer carries from step to step, so that a resumed run continues exactly: the step
/// count (Adam's bias correction) and per parameter name its moments: SGD's momentum buffer v, or
/// Adam's m (`firstMoments`) and v (`secondMoments`); PyTorch calls them `momentum_buffer`,
/// `exp_avg` and `exp_avg_sq`.
public struct OptimizerState: Sendable, Equatable {
    public var steps: Int
    public var firstMoments: [String: [Float]]
    public var secondMoments: [String: [Float]]

    public init(steps: Int, firstMoments: [String: [Float]], secondMoments: [String: [Float]]) {
        self.steps = steps
        self.firstMoments = firstMoments
        self.secondMoments = secondMoments
    }
}

/// The optimizers a user can name (the CLI's `--optimizer`, the web app's training form), with
/// the defaults of what the name leaves open in one place.
public enum OptimizerName: String, CaseIterable, Codable, Sendable {
    case adam, sgd

    /// SGD's momentum and learning rate when none is given (Adam's learning rate is the recipe's),
    /// as `TrainingKnobs` declares them.
    public static var sgdMomentum: Float { TrainingKnobs.momentum.defaultValue }
    public static var sgdLearningRate: Float { TrainingKnobs.sgdLearningRate }

    /// The optimizer this name makes, with PyTorch's defaults for what is not given.
    public func kind(momentum: Float?, weightDecay: Float) -> OptimizerKind {
        switch self {
        case .sgd:
            return .sgd(momentum: momentum ?? Self.sgdMomentum, weightDecay: weightDecay)
        case .adam:
            guard case let .adam(beta1, beta2, epsilon, _) = OptimizerKind.adamDefaults else {
                return .adam(beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: weightDecay)
            }
            return .adam(beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: weightDecay)
        }
    }
}

extension OptimizerKind {
    /// The name a user gives for this optimizer.
    public var optimizerName: OptimizerName {
        switch self {
        case .sgd: .sgd
        case .adam: .adam
        }
    }
}
