/// Why training stopped or could not start.
public enum TrainingError: Error, CustomStringConvertible, Equatable {
    /// The loss became NaN or infinite; the network holds the weights of the last epoch that ended
    /// with finite values (or its starting weights), and `history` the epochs before.
    case diverged(epoch: Int, batch: Int, learningRate: Float, history: TrainingHistory)
    case invalidData(String)
    /// `TrainingObserver.shouldStop` said stop; `history` holds the epochs that ended before.
    case interrupted(epoch: Int, batch: Int, history: TrainingHistory)

    public var description: String {
        switch self {
        case let .diverged(epoch, batch, learningRate, history):
            "training diverged: the loss became NaN or infinite in epoch \(epoch), batch \(batch); "
                + "lower the learning rate (it was \(learningRate); try \(learningRate / 10)). "
                + (history.epochs.isEmpty ? "The network keeps its starting weights."
                    : "The network keeps the weights of epoch \(history.bestEpoch).")
        case let .invalidData(problem):
            "cannot train: \(problem)"
        case let .interrupted(epoch, batch, _):
            "training interrupted in epoch \(epoch) after batch \(batch)"
        }
    }
}
