import LensTensor

/// A training run as its last finished epoch left it, beyond what a model file's weights say:
/// enough to continue it exactly as if it had never stopped (`TrainingObserver.resumedState`).
public struct TrainingState: Sendable {
    /// Epochs finished.
    public var epochs: Int
    /// The optimizer's name ("adam", "sgd"): moments only mean something to the optimizer that made them.
    public var optimizerName: String
    /// The weights as training sees them (before input centring is folded into the first layer,
    /// which does not round-trip exactly in Float32), as the last epoch left them.
    public var weights: [String: Tensor]
    /// The best epoch's weights in the same space, when the best epoch is not the last.
    public var bestWeights: [String: Tensor]?
    public var optimizer: OptimizerState
    /// The shuffling and augmentation stream (`SeededGenerator.words`).
    public var generator: [UInt64]
    /// The order the last epoch visited the training items in: each epoch shuffles the one before.
    public var order: [Int]

    public init(epochs: Int, optimizerName: String, weights: [String: Tensor], bestWeights: [String: Tensor]?,
                optimizer: OptimizerState, generator: [UInt64], order: [Int]) {
        self.epochs = epochs
        self.optimizerName = optimizerName
        self.weights = weights
        self.bestWeights = bestWeights
        self.optimizer = optimizer
        self.generator = generator
        self.order = order
    }
}
