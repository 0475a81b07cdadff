import Foundation
import LensData
import LensTensor

/// Everything needed to train one model of a kind the user names, with defaults that work on
/// the lecture's data; the CLI, the demo and the web app all train through this.
public struct ModelRecipe: Sendable, Equatable {
    public var kind: ModelKind
    /// k-NN
    public var k: Int = TrainingKnobs.k.defaultValue
    public var metric: DistanceMetric = TrainingKnobs.metric.defaultValue
    /// mlp: hidden layer widths ("templates"); nil: one layer of `TrainingKnobs.hiddenUnits`' default
    public var hidden: [Int]?
    /// cnn (or any network): a compact architecture such as "conv3x3x16,pool,conv3x3x32,pool,fc128"
    public var compactArchitecture: String?
    public var options: TrainingOptions
    /// Seed of the initial weights.
    public var seed: UInt64
    /// Dense networks: train on centred inputs and fold the centring into the first layer
    /// (see `InputCentering`). Ignored where the first weighted layer is a convolution.
    public var centerInputs = true

    public init(kind: ModelKind, options: TrainingOptions, seed: UInt64 = 0) {
        self.kind = kind
        self.options = options
        self.seed = seed
    }

    /// The defaults `TrainingKnobs` declares for `kind` on this much training data.
    public static func defaults(for kind: ModelKind, trainingCount: Int, seed: UInt64 = 0) -> ModelRecipe {
        guard kind != .knn else { return ModelRecipe(kind: kind, options: TrainingOptions(seed: seed), seed: seed) }
        let scale = DataScale(trainingCount: trainingCount)
        func value<Value>(_ knob: Knob<Value>) -> Value { knob.defaultValue(for: kind, scale) }
        let patience = value(TrainingKnobs.patience), shift = value(TrainingKnobs.augmentShift)
        let optimizer = TrainingKnobs.optimizer.defaultValue(for: kind, scale)
            .kind(momentum: nil, weightDecay: value(TrainingKnobs.weightDecay))
        let options = TrainingOptions(epochs: value(TrainingKnobs.epochs), batchSize: value(TrainingKnobs.batchSize),
                                      learningRate: value(TrainingKnobs.learningRate), optimizer: optimizer, seed: seed,
                                      patience: patience == 0 ? nil : patience,
                                      augmentation: shift == 0 ? .none : Augmentation(maxShift: shift, horizontalFlip: false),
                                      learningRateSchedule: TrainingKnobs.schedule.defaultValue(for: kind, scale))
        return ModelRecipe(kind: kind, options: options, seed: seed)
    }

    /// An MLP's L2 weight decay on small data. Without it, each hidden unit keeps most of its
    /// random initial weights and its template looks like noise; with it, the weights that the
    /// data does not ask for decay away and a class's strongest unit looks like that class's
    /// faces, with no loss of accuracy. Chosen on ORL's validation split (README, "MLP templates").
    public static let smallDataMLPWeightDecay: Float = 0.1

    /// Softmax regression's L2 weight decay on small data: the pixels no class needs decay to 0,
    /// so each class template becomes that person's face and a smooth picture, with validation
    /// accuracy as good as without. Chosen on ORL's validation split over three seeds, with accuracy
    /// and legibility both as criteria, together with the optimizer, step size, epochs and patience
    /// below (docs/templates-defaults.md lists every figure tried).
    public static let smallDataSoftmaxWeightDecay: Float = 0.3

    /// Softmax regression trains with SGD (momentum 0.9) on small data: its steps are sums of
    /// training images, so a template stays in their span (a face); Adam's per-pixel step sizes
    /// give the pixels no class needs as large a step as the rest, and the templates speckle.
    public static let smallDataSoftmaxLearningRate: Float = 0.005
    /// Epochs and patience long enough for the decay to smooth the templates before the best
    /// validation epoch is kept, on every seed tried.
    public static let smallDataSoftmaxEpochs = 80
    public static let smallDataSoftmaxPatience = 30

    /// Softmax regression's random shift of its training images on small data, in pixels: a
    /// template must then score a face one pixel off as well as in place, so it comes out
    /// smoother (docs/templates-defaults.md).
    public static let smallDataSoftmaxShift = 1

    public func architecture(inputShape: [Int], classes: Int) throws -> Architecture {
        if let compactArchitecture {
            return try Architecture.parse(compactArchitecture, inputShape: inputShape, classes: classes)
        }
        switch kind {
        case .knn: throw ModelRecipeError("k-NN has no network architecture")
        case .softmax: return try Architecture.softmaxRegression(inputShape: inputShape, classes: classes)
        case .mlp: return try Architecture.mlp(inputShape: inputShape, hidden: hidden ?? [TrainingKnobs.hiddenUnits.defaultValue], classes: classes)
        case .cnn: return try Architecture.cnn(inputShape: inputShape, classes: classes)
        }
    }

    /// Trains on `train` (validating on `validation` if given) and returns the model file to keep.
    /// `observer` watches and steers the network kinds' training (k-NN has none); `checkpoint`
    /// receives the model as it would be saved now after every `checkpointEvery`-th epoch, once
    /// `observer.epochEnded` has seen it; `resuming` continues a network model's training from its
    /// weights and history, so it is the one source of `observer.resumedHistory`.
    public func train(
        train: (images: Tensor, labels: [Int]),
        validation: (images: Tensor, labels: [Int])?,
        classNames: [String], preprocessing: Preprocessing, dataset: String, split: SplitPlan, datasetCount: Int,
        datasetFingerprint: String? = nil,
        observer: TrainingObserver = TrainingObserver(),
        checkpoint: ((ModelFile) throws -> Void)? = nil, checkpointEvery: Int = 1,
        resuming: ModelFile? = nil
    ) throws -> ModelFile {
        let started = Date()
        let inputShape = Array(train.images.shape.dropFirst())
        switch kind {
        case .knn:
            let classifier = try NearestNeighborClassifier(k: k, metric: metric, references: train.images,
                                                           labels: train.labels, classCount: classNames.count)
            var validationAccuracy: Double?
            if let validation, !validation.labels.isEmpty {
                let predicted = try classifier.predict(validation.images).map(\.label)
                validationAccuracy = ClassificationReport(predicted: predicted, actual: validation.labels, classNames: classNames).accuracy
            }
            let provenance = ModelProvenance(kind: kind, classNames: classNames, preprocessing: preprocessing, dataset: dataset,
                                             split: split, datasetCount: datasetCount, datasetFingerprint: datasetFingerprint,
                                             trainingSeconds: Date().timeIntervalSince(started), validationAccuracy: validationAccuracy)
            return ModelFile(provenance: provenance, model: .nearestNeighbor(classifier))
        case .softmax, .mlp, .cnn:
            let options = try self.options.validated(imageSide: inputShape.last)
            var network: Network
            if let resuming {
                guard case .network(let saved) = resuming.model else { throw ModelRecipeError("a k-NN model has no training to resume") }
                network = saved
            } else {
                let architecture = try architecture(inputShape: inputShape, classes: classNames.count)
                try MemoryEstimate(architecture, batchSize: options.batchSize, threads: Parallel.coreCount).check()
                network = Network(architecture: architecture, seed: seed)
            }
            let (trainImages, usableValidation, centering) = centered(network.architecture, train: train, validation: validation)
            // Saved training state continues the run exactly (its weights are in training space);
            // without it, the saved model takes raw pixels and the same training split gives the
            // same centring back.
            let state = resuming.flatMap { Self.resumableState($0, options: options, trainingCount: train.labels.count) }
            if resuming != nil, state == nil { try centering?.unfold(from: &network) }
            let priorSeconds = resuming?.provenance.trainingSeconds ?? 0
            func modelFile(_ trained: Network, _ history: TrainingHistory, _ state: TrainingState? = nil) throws -> ModelFile {
                var trained = trained
                try centering?.fold(into: &trained)
                let best = history.epochs.first { $0.epoch == history.bestEpoch } ?? history.epochs.last
                let provenance = ModelProvenance(kind: kind, classNames: classNames, preprocessing: preprocessing, dataset: dataset,
                                                 split: split, datasetCount: datasetCount, datasetFingerprint: datasetFingerprint,
                                                 trainingSeconds: priorSeconds + Date().timeIntervalSince(started),
                                                 validationAccuracy: best?.validationAccuracy)
                var file = ModelFile(provenance: provenance, model: .network(trained), history: history, options: options)
                file.trainingState = state
                return file
            }
            try Self.checkFresh(observer)
            let template = network
            var runObserver = observer
            runObserver.resumedHistory = resuming?.history
            runObserver.resumedState = state
            // A run with checkpoints, or one continuing a run that kept its state, keeps its state in
            // its checkpoints and its final file, to be resumed exactly.
            runObserver.keepsTrainingState = checkpoint != nil || state != nil
            var lastState: TrainingState?
            runObserver.epochEnded = { end in
                lastState = end.trainingState
                try observer.epochEnded(end)
                guard let checkpoint, end.record.epoch % max(checkpointEvery, 1) == 0 else { return }
                var snapshot = template
                try snapshot.load(parameters: end.bestWeights)
                try checkpoint(try modelFile(snapshot, end.history, end.trainingState))
            }
            let history = try Trainer.train(&network, images: trainImages, labels: train.labels, validation: usableValidation,
                                            options: options, observer: runObserver)
            return try modelFile(network, history, lastState)
        }
    }
}

extension ModelRecipe {
    /// A network of `architecture` trained by this recipe's options from this recipe's seed, with
    /// the centring folded in: what `train` does for the network kinds, for callers that already
    /// hold an architecture (retraining a saved model on other labels or from another seed).
    public func trainNetwork(
        _ architecture: Architecture,
        train: (images: Tensor, labels: [Int]),
        validation: (images: Tensor, labels: [Int])?,
        observer: TrainingObserver = TrainingObserver()
    ) throws -> (network: Network, history: TrainingHistory) {
        let options = try self.options.validated()
        try Self.checkFresh(observer)
        var network = Network(architecture: architecture, seed: seed)
        let (trainImages, usableValidation, centering) = centered(architecture, train: train, validation: validation)
        let history = try Trainer.train(&network, images: trainImages, labels: train.labels, validation: usableValidation,
                                        options: options, observer: observer)
        try centering?.fold(into: &network)
        return (network, history)
    }

    /// The training state `model` holds if a run with `options` on `trainingCount` items can
    /// continue it exactly: the state of its last epoch, for the same optimizer and items.
    public static func resumableState(_ model: ModelFile, options: TrainingOptions, trainingCount: Int) -> TrainingState? {
        guard let state = model.trainingState, state.epochs == model.history?.epochs.count,
              state.optimizerName == options.optimizer.name, state.order.count == trainingCount else { return nil }
        return state
    }

    /// A recipe starts a network from its seed (or from `resuming`'s weights, with its history):
    /// a history alone would claim epochs the weights never had.
    private static func checkFresh(_ observer: TrainingObserver) throws {
        guard observer.resumedHistory == nil else {
            throw ModelRecipeError("a run to resume is given as the model file it saved (`resuming`), not as a history alone")
        }
    }

    /// The training images (and validation data, dropped when empty) a network of `architecture`
    /// trains on: centred when this recipe centres and the first weighted layer is dense, with the
    /// centring to fold back in afterwards.
    private func centered(_ architecture: Architecture, train: (images: Tensor, labels: [Int]),
                          validation: (images: Tensor, labels: [Int])?)
        -> (images: Tensor, validation: (images: Tensor, labels: [Int])?, centering: InputCentering?) {
        let usable = validation.flatMap { $0.labels.isEmpty ? nil : $0 }
        guard centerInputs, InputCentering.firstLinearLayer(of: architecture) != nil else { return (train.images, usable, nil) }
        let fitted = InputCentering(fitting: train.images)
        return (fitted.apply(train.images), usable.map { (fitted.apply($0.images), $0.labels) }, fitted)
    }
}

public struct ModelRecipeError: Error, CustomStringConvertible, Equatable {
    public var description: String
    public init(_ description: String) { self.description = description }

}
