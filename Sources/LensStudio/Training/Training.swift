import Foundation
import LensData
import LensModels

/// What a finished training run wrote: `lens train --json` prints it, a training job ends with it.
public struct TrainingSummary: Codable, Sendable, Equatable {
    /// The model as the person named it (a file, a model id).
    public var model: String
    public var kind: String
    public var dataset: String
    public var classes: Int
    public var train: Int
    public var validation: Int
    public var test: Int
    public var validationAccuracy: Double?
    public var seconds: Double
    /// Epochs trained (nil for k-NN).
    public var epochs: Int?
}

extension StudioDataset {
    /// Trains `recipe` on the training split, validating on the validation split, and returns the
    /// model (not yet written anywhere) with its summary under `name`. `observer`, `checkpoint`
    /// and `resuming` are as for `ModelRecipe.train`.
    public func train(_ recipe: ModelRecipe, name: String, observer: TrainingObserver = TrainingObserver(),
                      checkpoint: ((ModelFile) throws -> Void)? = nil, checkpointEvery: Int = 1,
                      resuming: ModelFile? = nil) throws -> (model: ModelFile, summary: TrainingSummary) {
        let model = try recipe.train(
            train: trainingSet, validation: validationSet, classNames: data.classNames, preprocessing: preprocessing,
            dataset: source.name, split: plan, datasetCount: data.labels.count, datasetFingerprint: fingerprint,
            observer: observer, checkpoint: checkpoint, checkpointEvery: checkpointEvery, resuming: resuming)
        let summary = TrainingSummary(model: name, kind: model.provenance.kind.rawValue, dataset: source.name, classes: data.classNames.count,
                                      train: split.train.count, validation: split.validation.count, test: split.test.count,
                                      validationAccuracy: model.provenance.validationAccuracy,
                                      seconds: model.provenance.trainingSeconds ?? 0, epochs: model.history?.epochs.count)
        return (model, summary)
    }
}
