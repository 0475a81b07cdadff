import LensModels
import LensTensor

/// Data randomisation (Adebayo et al. 2018, §5): the same architecture trained with the same
/// settings on shuffled labels until it has memorised them, and, as the control, on the true
/// labels from another seed. A map that explains what the model learned agrees with the control
/// clearly more than with the shuffled model, which learned nothing about faces.
public enum DataRandomisation {
    /// The recipe that trained `file`'s network (its recorded training options); the k-NN error
    /// says what applies instead.
    public static func recipe(for file: ModelFile) throws -> ModelRecipe {
        _ = try TrustCheck.network(of: file.model, check: "data randomisation")
        guard let options = file.options else {
            throw ExplainError.invalidInput("the model file records no training options, so it cannot be retrained alike; "
                                            + "train it again with this version of lens")
        }
        return ModelRecipe(kind: file.provenance.kind, options: options, seed: options.seed)
    }

    /// Trains the shuffled-label model and the control, then compares their maps with `network`'s.
    /// `validation` serves the control as it served the real model (early stopping); the
    /// shuffled model trains without it (its validation accuracy is chance, so early stopping
    /// would stop it before it memorises) and in rounds of the recipe's epochs, each round from
    /// scratch with twice the epochs of the last, and without weight decay, until `settings.memorisationAccuracy`.
    public static func run(_ network: Network, recipe: ModelRecipe, train: (images: Tensor, labels: [Int]),
                           validation: (images: Tensor, labels: [Int])?, sample: TrustSample,
                           settings: TrustSettings = TrustSettings(),
                           attribution: AttributionSettings = AttributionSettings(),
                           context: AttributionContext = AttributionContext(),
                           methods: [AttributionMethod] = AttributionMethod.allCases,
                           progress: (String) -> Void = { _ in }) throws -> DataRandomisationReport {
        try settings.validate()
        let architecture = network.architecture
        var shuffledLabels = train.labels
        var generator = SeededGenerator(seed: settings.seed ^ 0x5_4FF1_ED)
        generator.shuffle(&shuffledLabels)

        var shuffledRecipe = recipe
        shuffledRecipe.seed = recipe.seed &+ 1
        shuffledRecipe.options.seed = recipe.options.seed &+ 1
        shuffledRecipe.options.patience = nil
        // Weight decay holds a model back from memorising (that is its purpose): the shuffled model trains without it.
        shuffledRecipe.options.optimizer = recipe.options.optimizer.withWeightDecay(0)
        var shuffled: (network: Network, accuracy: Double)?
        var epochs = recipe.options.epochs, rounds = 0
        while rounds < settings.maxTrainingRounds {
            rounds += 1
            shuffledRecipe.options.epochs = epochs
            progress("training on shuffled labels: \(epochs) epochs")
            let trained = try shuffledRecipe.trainNetwork(architecture, train: (train.images, shuffledLabels), validation: nil).network
            let accuracy = Trainer.evaluate(trained, images: train.images, labels: shuffledLabels).accuracy
            shuffled = (trained, accuracy)
            if accuracy >= settings.memorisationAccuracy { break }
            epochs *= 2
        }
        guard let shuffled else { throw ExplainError.invalidInput("no training round ran") }

        var controlRecipe = recipe
        controlRecipe.seed = recipe.seed &+ 2
        controlRecipe.options.seed = recipe.options.seed &+ 2
        progress("training the control on the true labels")
        let control = try controlRecipe.trainNetwork(architecture, train: train, validation: validation).network

        let shuffledModel = RetrainedModel(role: "shuffled labels", seed: shuffledRecipe.seed, epochs: epochs, rounds: rounds,
                                           epochsRaised: epochs != recipe.options.epochs,
                                           trainingAccuracy: shuffled.accuracy,
                                           memorised: shuffled.accuracy >= settings.memorisationAccuracy)
        let controlModel = RetrainedModel(role: "control, true labels", seed: controlRecipe.seed, epochs: recipe.options.epochs,
                                          rounds: 1, epochsRaised: false,
                                          trainingAccuracy: Trainer.evaluate(control, images: train.images, labels: train.labels).accuracy,
                                          memorised: nil)
        progress("comparing maps")
        let comparisons = try compare(network, shuffled: shuffled.network, control: control, sample: sample, settings: settings,
                                      attribution: attribution, context: context, methods: methods)
        return DataRandomisationReport(settings: settings, imageIndices: sample.indices, targets: sample.targets,
                                       realTrainingAccuracy: Trainer.evaluate(network, images: train.images, labels: train.labels).accuracy,
                                       shuffled: shuffledModel, control: controlModel, methods: comparisons)
    }

    /// Each method's maps of `real` against those of `shuffled` and of `control` on `sample`.
    public static func compare(_ real: Network, shuffled: Network, control: Network, sample: TrustSample,
                               settings: TrustSettings = TrustSettings(),
                               attribution: AttributionSettings = AttributionSettings(),
                               context: AttributionContext = AttributionContext(),
                               methods: [AttributionMethod] = AttributionMethod.allCases) throws -> [MethodDataRandomisation] {
        let geometry = MapGeometry(real)
        var models = [real, shuffled, control]
        return try methods.map { method in
            var magnitudes: [[[Float]]] = []
            for index in models.indices {
                switch try MethodMaps.run(method, &models[index], sample: sample, settings: attribution, context: context) {
                case .notApplicable(let reason):
                    return MethodDataRandomisation(method: method, notApplicable: reason, realVsShuffled: nil, realVsControl: nil,
                                                   verdict: nil)
                case .maps(let maps):
                    magnitudes.append(PixelMagnitudes.of(maps, inputShape: geometry.inputShape))
                }
            }
            let againstShuffled = MapAgreement(magnitudes[0], magnitudes[1], height: geometry.height, width: geometry.width)
            let againstControl = MapAgreement(magnitudes[0], magnitudes[2], height: geometry.height, width: geometry.width)
            return MethodDataRandomisation(method: method, notApplicable: nil, realVsShuffled: againstShuffled,
                                           realVsControl: againstControl,
                                           verdict: DataRandomisationVerdict(shuffled: againstShuffled, control: againstControl,
                                                                             margin: settings.dataRandomisationMargin,
                                                                             images: sample.indices.count))
        }
    }
}
