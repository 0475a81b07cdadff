import LensTensor

/// Everything a caller can do to a training run besides give it data: watch it (every batch,
/// every epoch), stop it, keep a snapshot, start it from an earlier run. One value, so that each
/// layer (recipe, studio, CLI, server job) passes it on whole instead of threading each hook.
/// Every field has a no-op default.
public struct TrainingObserver {
    /// Called after every batch with running figures for the epoch so far; the last call of an
    /// epoch (`progress.epochEnded`) comes after validation, with the complete record. An error
    /// thrown here stops training at that batch boundary and is rethrown unchanged (a cancelled job).
    public var batchEnded: (TrainingProgress) throws -> Void
    /// Called after every epoch, after `batchEnded`, with the network (live templates) and the
    /// weights training would end with if it stopped now (checkpoints). Errors are rethrown.
    public var epochEnded: (EpochEnd) throws -> Void
    /// Asked after every batch; true ends training there with `TrainingError.interrupted`, the
    /// network left as the batch left it: for an interrupt, which is not an error of its own.
    public var shouldStop: () -> Bool
    /// Epochs already trained: a resumed run starts at the epoch after the last of them. Without
    /// `resumedState` it starts from the network's current weights, which count as the best so
    /// far, and the optimizer's moments and the shuffling stream start afresh (seeded by the
    /// options' seed and the first new epoch), so it is not bit-identical to an unbroken run.
    public var resumedHistory: TrainingHistory?
    /// Where the resumed run stood (weights, best weights, moments, shuffling stream), saved by an
    /// earlier run's `EpochEnd.trainingState`: with it the run continues bit for bit as if it had
    /// never stopped (dropout layers excepted: their masks restart with the network).
    public var resumedState: TrainingState?
    /// Whether `EpochEnd.trainingState` is filled in (for checkpoints); off by default, since it
    /// copies the moments once per epoch.
    public var keepsTrainingState = false

    public init(batchEnded: @escaping (TrainingProgress) throws -> Void = { _ in },
                epochEnded: @escaping (EpochEnd) throws -> Void = { _ in },
                shouldStop: @escaping () -> Bool = { false },
                resumedHistory: TrainingHistory? = nil) {
        self.batchEnded = batchEnded
        self.epochEnded = epochEnded
        self.shouldStop = shouldStop
        self.resumedHistory = resumedHistory
    }
}

/// A finished epoch as `TrainingObserver.epochEnded` sees it.
public struct EpochEnd {
    /// The epoch's complete record (also the last of `history`).
    public var record: EpochRecord
    /// The network as the epoch left it.
    public var network: Network
    /// The epochs so far, with the best one.
    public var history: TrainingHistory
    /// The weights training would end with if it stopped now: the best epoch's with validation
    /// data and `restoreBestWeights`, else the latest.
    public var bestWeights: [String: Tensor]
    /// Everything needed to continue from here exactly, when `TrainingObserver.keepsTrainingState`.
    public var trainingState: TrainingState?
}
