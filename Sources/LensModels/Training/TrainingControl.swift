import LensTensor

/// What a caller can do to a training run besides watch it: stop it between batches (an
/// interrupt), keep a snapshot after each epoch (a checkpoint), and start it from an earlier run.
public struct TrainingControl {
    /// Asked after every batch; true ends training there with `TrainingError.interrupted`, the
    /// network left as the batch left it.
    public var shouldStop: () -> Bool
    /// Called after every epoch with the history so far and the weights training would end with
    /// if it stopped now (the best epoch's with validation data, else the latest).
    public var epochEnded: (_ history: TrainingHistory, _ bestWeights: [String: Tensor]) throws -> Void
    /// Epochs already trained: a resumed run starts at the epoch after the last of them, from the
    /// network's current weights, which count as the best so far. The optimizer's moments and the
    /// shuffling stream start afresh (seeded by the options' seed and the first new epoch), so a
    /// resumed run is not bit-identical to one that was never stopped.
    public var resumedHistory: TrainingHistory?

    public init(shouldStop: @escaping () -> Bool = { false },
                epochEnded: @escaping (TrainingHistory, [String: Tensor]) throws -> Void = { _, _ in },
                resumedHistory: TrainingHistory? = nil) {
        self.shouldStop = shouldStop
        self.epochEnded = epochEnded
        self.resumedHistory = resumedHistory
    }
}
