/// What one epoch of training measured.
public struct EpochRecord: Codable, Sendable, Equatable {
    /// 1-based.
    public var epoch: Int
    /// Mean loss and accuracy over the epoch's training batches, as trained (augmented, with
    /// dropout on, weights changing along the way): cheap, and slightly pessimistic.
    public var trainLoss: Double
    public var trainAccuracy: Double
    public var validationLoss: Double?
    public var validationAccuracy: Double?
    public var learningRate: Double
    /// Wall-clock seconds the epoch took (validation included).
    public var seconds: Double

    public init(epoch: Int, trainLoss: Double, trainAccuracy: Double, validationLoss: Double? = nil,
                validationAccuracy: Double? = nil, learningRate: Double, seconds: Double) {
        self.epoch = epoch
        self.trainLoss = trainLoss
        self.trainAccuracy = trainAccuracy
        self.validationLoss = validationLoss
        self.validationAccuracy = validationAccuracy
        self.learningRate = learningRate
        self.seconds = seconds
    }
}

/// Every epoch's record, and which epoch's weights the network kept.
public struct TrainingHistory: Codable, Sendable, Equatable {
    public var epochs: [EpochRecord]
    /// 1-based epoch whose weights the network holds after training.
    public var bestEpoch: Int
    /// True when patience ran out before the last epoch.
    public var stoppedEarly: Bool

    public init(epochs: [EpochRecord] = [], bestEpoch: Int = 0, stoppedEarly: Bool = false) {
        self.epochs = epochs
        self.bestEpoch = bestEpoch
        self.stoppedEarly = stoppedEarly
    }

    public static let csvHeader = "epoch,train_loss,train_accuracy,validation_loss,validation_accuracy,learning_rate,seconds"

    /// One line per epoch under `csvHeader`; validation columns empty when there was none.
    public var csv: String {
        let lines = epochs.map { record in
            [String(record.epoch), format(record.trainLoss), format(record.trainAccuracy),
             record.validationLoss.map(format) ?? "", record.validationAccuracy.map(format) ?? "",
             format(record.learningRate), format(record.seconds)].joined(separator: ",")
        }
        return ([Self.csvHeader] + lines).joined(separator: "\n") + "\n"
    }

    private func format(_ value: Double) -> String {
        value.isFinite ? String(value) : "nan"
    }
}
