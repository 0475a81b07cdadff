import LensTensor

/// Every training knob, declared once: `TrainingOptions`, `ModelRecipe.defaults`, the CLI's
/// `lens train` flags and the web app's Train form (through /api/settings) read these. The
/// per-model defaults are the ones measured to do well on ORL faces (small data: many epochs,
/// early stopping) and on Fashion-MNIST (large data: few epochs, bigger batches).
public enum TrainingKnobs {
    static let networks: [ModelKind] = [.softmax, .mlp, .cnn]

    public static let k = Knob<Int>(
        "k", name: "k", default: 1, range: 1...10_000, unit: "neighbours",
        help: "k-NN: number of neighbours that vote.", models: [.knn])
    public static let metric = ChoiceKnob<DistanceMetric>(
        "metric", name: "distance metric", default: .euclidean, help: "k-NN: euclidean, cosine or dot.", models: [.knn])
    public static let hiddenUnits = Knob<Int>(
        "hidden_units", name: "hidden units", default: 300, range: 1...65_536, unit: "units",
        help: "mlp: width of the hidden layer (its units are the templates).", models: [.mlp])
    public static let epochs = Knob<Int>(
        "epochs", name: "epochs", default: 30, range: 1...1_000_000, unit: "epochs",
        help: "Passes over the training data.", models: networks,
        perModel: [ModelDefault(.softmax, small: ModelRecipe.smallDataSoftmaxEpochs, large: 10), ModelDefault(.mlp, small: 40, large: 15),
                   ModelDefault(.cnn, small: 30, large: 5)])
    public static let batchSize = Knob<Int>(
        "batch_size", name: "batch size", default: 32, range: 1...65_536, unit: "images",
        help: "Images per step.", models: networks,
        perModel: [ModelDefault(.softmax, small: 32, large: 128), ModelDefault(.mlp, small: 32, large: 64),
                   ModelDefault(.cnn, small: 32, large: 128)])
    public static let learningRate = Knob<Float>(
        "learning_rate", name: "learning rate", default: 1e-3, range: 1e-6...10,
        help: "Step size of the optimizer (0.01 for sgd, 0.001 for adam when --optimizer changes it and this is not given).",
        models: networks,
        perModel: [ModelDefault(.softmax, small: ModelRecipe.smallDataSoftmaxLearningRate, large: 1e-3),
                   ModelDefault(.cnn, small: 1e-3, large: 2e-3)])
    /// SGD's learning rate when the optimizer is switched to SGD and none is given.
    public static let sgdLearningRate: Float = 0.01
    /// Adam's learning rate when the optimizer is switched to Adam and none is given.
    public static let adamLearningRate: Float = 1e-3
    public static let optimizer = ChoiceKnob<OptimizerName>(
        "optimizer", name: "optimizer", default: .adam, help: "adam or sgd.", models: networks,
        perModel: [ModelDefault(.softmax, small: .sgd, large: .adam)])
    public static let momentum = Knob<Float>(
        "momentum", name: "momentum", default: 0.9, range: 0...0.9999,
        help: "sgd: momentum.", models: networks)
    public static let weightDecay = Knob<Float>(
        "weight_decay", name: "weight decay", default: 0, range: 0...10,
        help: "L2 weight decay (on small data it keeps softmax's and an MLP's templates legible).", models: networks,
        perModel: [ModelDefault(.softmax, small: ModelRecipe.smallDataSoftmaxWeightDecay, large: 0),
                   ModelDefault(.mlp, small: ModelRecipe.smallDataMLPWeightDecay, large: 0)])
    public static let patience = Knob<Int>(
        "patience", name: "patience", default: 0, range: 0...1_000_000, unit: "epochs",
        help: "Stop after this many epochs without better validation accuracy, keeping the best weights; 0: never stop early.",
        models: networks,
        perModel: [ModelDefault(.softmax, small: ModelRecipe.smallDataSoftmaxPatience, large: 0), ModelDefault(.mlp, small: 15, large: 0),
                   ModelDefault(.cnn, small: 10, large: 0)])
    public static let schedule = ChoiceKnob<LearningRateSchedule>(
        "schedule", name: "learning rate schedule", default: .constant,
        help: "constant, or cosine (annealed to 0 over the epochs).", models: networks,
        perModel: [ModelDefault(.mlp, small: .constant, large: .cosine), ModelDefault(.cnn, small: .constant, large: .cosine)])
    public static let augmentShift = Knob<Int>(
        "augment_shift", name: "shift", default: 0, range: 0...64, unit: "pixels",
        help: "Shift training images by up to this many pixels.", models: networks,
        perModel: [ModelDefault(.softmax, small: ModelRecipe.smallDataSoftmaxShift, large: 0), ModelDefault(.cnn, small: 2, large: 0)])
    public static let augmentFlip = SwitchKnob(
        "augment_flip", name: "flip", help: "Mirror training images left-right at random (faces, not text).", models: networks)
    public static let seed = Knob<UInt64>(
        "seed", name: "seed", default: 0, range: 0...UInt64.max,
        help: "Seed for the split, the initial weights and the shuffling.")

    /// Every training knob, in the order a form shows them.
    public static var all: [SettingInfo] {
        [SettingInfo(k), SettingInfo(metric), SettingInfo(hiddenUnits), SettingInfo(epochs), SettingInfo(batchSize),
         SettingInfo(learningRate), SettingInfo(optimizer), SettingInfo(momentum), SettingInfo(weightDecay),
         SettingInfo(patience), SettingInfo(schedule), SettingInfo(augmentShift), SettingInfo(augmentFlip), SettingInfo(seed)]
    }
}
