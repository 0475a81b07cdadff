import Foundation

/// How to train: length, batch, optimizer, seed, early stopping, augmentation.
public struct TrainingOptions: Codable, Sendable, Equatable {
    public var epochs: Int
    public var batchSize: Int
    public var learningRate: Float
    public var optimizer: OptimizerKind
    /// Seeds the shuffling and augmentation (the weights are seeded by the network's own seed).
    public var seed: UInt64
    /// Stop when validation accuracy has not improved for this many epochs (needs validation data).
    public var patience: Int?
    public var augmentation: Augmentation
    /// With validation data, end with the weights of the epoch that scored best on it
    /// (highest accuracy, then lowest loss) rather than those of the last epoch.
    public var restoreBestWeights: Bool
    public var learningRateSchedule: LearningRateSchedule

    public init(epochs: Int = 30, batchSize: Int = 32, learningRate: Float = 1e-3,
                optimizer: OptimizerKind = .adamDefaults, seed: UInt64 = 0, patience: Int? = nil,
                augmentation: Augmentation = .none, restoreBestWeights: Bool = true,
                learningRateSchedule: LearningRateSchedule = .constant) {
        self.epochs = epochs
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.optimizer = optimizer
        self.seed = seed
        self.patience = patience
        self.augmentation = augmentation
        self.restoreBestWeights = restoreBestWeights
        self.learningRateSchedule = learningRateSchedule
    }

    /// These options, or an error naming the first value that cannot work.
    /// Self when every option is in its range; `imageSide`, when known, bounds the shift.
    public func validated(imageSide: Int? = nil) throws -> TrainingOptions {
        func fail(_ option: String, _ value: String, _ rule: String) -> TrainingOptionsError {
            TrainingOptionsError(option: option, value: value, rule: rule)
        }
        guard epochs >= 1 else { throw fail("epochs", "\(epochs)", "must be at least 1") }
        guard batchSize >= 1 else { throw fail("batch size", "\(batchSize)", "must be at least 1") }
        guard learningRate > 0, learningRate.isFinite else {
            throw fail("learning rate", "\(learningRate)", "must be a positive number (try 0.001 for Adam, 0.01 for SGD)")
        }
        if let patience, patience < 1 { throw fail("patience", "\(patience)", "must be at least 1 epoch") }
        guard augmentation.maxShift >= 0 else { throw fail("shift", "\(augmentation.maxShift)", "must be 0 or more pixels") }
        if let imageSide {
            let range = Augmentation.shiftRange(imageSide: imageSide)
            guard range.contains(augmentation.maxShift) else {
                throw fail("shift", "\(augmentation.maxShift)",
                           "must be between \(range.lowerBound) and \(range.upperBound) pixels for \(imageSide)x\(imageSide) images (half their side)")
            }
        }
        switch optimizer {
        case let .sgd(momentum, weightDecay, nesterov):
            guard momentum >= 0, momentum < 1 else { throw fail("momentum", "\(momentum)", "must be in [0, 1)") }
            guard weightDecay >= 0, weightDecay.isFinite else { throw fail("weight decay", "\(weightDecay)", "must be 0 or a small positive number such as 0.0001") }
            if nesterov, momentum == 0 { throw fail("momentum", "0", "must be above 0 for Nesterov momentum") }
        case let .adam(beta1, beta2, epsilon, weightDecay):
            guard beta1 >= 0, beta1 < 1 else { throw fail("beta1", "\(beta1)", "must be in [0, 1)") }
            guard beta2 >= 0, beta2 < 1 else { throw fail("beta2", "\(beta2)", "must be in [0, 1)") }
            guard epsilon > 0, epsilon.isFinite else { throw fail("epsilon", "\(epsilon)", "must be a positive number") }
            guard weightDecay >= 0, weightDecay.isFinite else { throw fail("weight decay", "\(weightDecay)", "must be 0 or a small positive number such as 0.0001") }
        }
        return self
    }
}

/// How the learning rate changes over the epochs.
public enum LearningRateSchedule: String, Codable, Sendable, Equatable, CaseIterable {
    case constant
    /// Cosine annealing to 0 over `epochs` (PyTorch's CosineAnnealingLR with T_max = epochs,
    /// stepped once per epoch): lr · (1 + cos(π · epoch / epochs)) / 2 for 0-based epoch.
    case cosine

    func learningRate(base: Float, epoch: Int, epochs: Int) -> Float {
        switch self {
        case .constant: base
        case .cosine: base * Float((1 + cos(Double.pi * Double(epoch) / Double(max(epochs, 1)))) / 2)
        }
    }
}

/// A training option with a value that cannot work.
public struct TrainingOptionsError: Error, CustomStringConvertible, Equatable {
    public var option: String
    public var value: String
    public var rule: String

    public var description: String { "\(option) \(value) is not valid: it \(rule)" }
}
