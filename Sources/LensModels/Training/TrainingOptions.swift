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

    public init(epochs: Int = TrainingKnobs.epochs.defaultValue, batchSize: Int = TrainingKnobs.batchSize.defaultValue,
                learningRate: Float = TrainingKnobs.learningRate.defaultValue,
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

    /// These options, or an error naming the first value that cannot work: `SettingError` for a
    /// knob outside its declared range (`TrainingKnobs`), `TrainingOptionsError` for the rest.
    /// A patience of 0 means no early stopping and comes back as nil. `imageSide`, when known,
    /// narrows the shift to what leaves the image in view (`Augmentation.shiftRange`).
    public func validated(imageSide: Int? = nil) throws -> TrainingOptions {
        func fail(_ option: String, _ value: String, _ rule: String) -> TrainingOptionsError {
            TrainingOptionsError(option: option, value: value, rule: rule)
        }
        try TrainingKnobs.epochs.check(epochs)
        try TrainingKnobs.batchSize.check(batchSize)
        try TrainingKnobs.learningRate.check(learningRate)
        if let patience { try TrainingKnobs.patience.check(patience) }
        try TrainingKnobs.augmentShift.check(augmentation.maxShift)
        if let imageSide, !Augmentation.shiftRange(imageSide: imageSide).contains(augmentation.maxShift) {
            let range = Augmentation.shiftRange(imageSide: imageSide)
            throw SettingError(setting: TrainingKnobs.augmentShift.name, value: "\(augmentation.maxShift)",
                               allowed: "between \(range.lowerBound) and \(range.upperBound) pixels for \(imageSide)x\(imageSide) images (half their side)")
        }
        try TrainingKnobs.weightDecay.check(optimizer.weightDecay)
        switch optimizer {
        case let .sgd(momentum, _, nesterov):
            try TrainingKnobs.momentum.check(momentum)
            if nesterov, momentum == 0 { throw fail("momentum", "0", "must be above 0 for Nesterov momentum") }
        case let .adam(beta1, beta2, epsilon, _):
            guard beta1 >= 0, beta1 < 1 else { throw fail("beta1", "\(beta1)", "must be in [0, 1)") }
            guard beta2 >= 0, beta2 < 1 else { throw fail("beta2", "\(beta2)", "must be in [0, 1)") }
            guard epsilon > 0, epsilon.isFinite else { throw fail("epsilon", "\(epsilon)", "must be a positive number") }
        }
        var valid = self
        if patience == 0 { valid.patience = nil }
        return valid
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
