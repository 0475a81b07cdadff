import Foundation
import LensData
import LensModels
import LensTensor

/// The lecture's networks, trained with the recipes' defaults: `lens demo` trains them all (and a
/// sweep of MLP widths), `lens serve` trains the three it serves on the ORL faces once and keeps
/// them in a folder so that the next start reuses them.
public enum DemoModels {
    /// One network of the lecture.
    public struct Spec: Sendable, Equatable {
        /// File stem and model id ("mlp"): the web app's ids, kept across versions.
        public var name: String
        /// Short name for progress lines ("MLP 300").
        public var label: String
        /// What the results table calls it, and what it is.
        public var title: String
        public var detail: String
        public var kind: ModelKind
        public var hidden: [Int]?
        /// At most this many epochs (the recipe's default otherwise).
        public var epochLimit: Int?
    }

    public static let softmax = Spec(name: "softmax", label: "softmax", title: "softmax regression", detail: "0 hidden layers: one template per class", kind: .softmax)
    public static let mlp = Spec(name: "mlp", label: "MLP 300", title: "MLP 300", detail: "1 hidden layer of 300 templates", kind: .mlp, hidden: [300])
    public static let deepMLP = Spec(name: "mlp-512-256", label: "MLP 512-256", title: "MLP 512-256", detail: "2 hidden layers", kind: .mlp, hidden: [512, 256])
    public static let cnn = Spec(name: "cnn", label: "CNN", title: "CNN", detail: "convolutional network", kind: .cnn)

    /// The lecture's experiment: an MLP of `units` hidden units, at most 30 epochs.
    public static func sweep(units: Int) -> Spec {
        Spec(name: "mlp-\(units)", label: "MLP \(units)", title: "MLP \(units)", detail: "1 hidden layer of \(units) templates", kind: .mlp, hidden: [units], epochLimit: 30)
    }

    /// The recipe for `spec` on `trainingCount` images; `quick` trains a quarter of the epochs.
    public static func recipe(_ spec: Spec, trainingCount: Int, seed: UInt64 = 0, quick: Bool = false) -> ModelRecipe {
        var recipe = ModelRecipe.defaults(for: spec.kind, trainingCount: trainingCount, seed: seed)
        recipe.hidden = spec.hidden
        if let limit = spec.epochLimit { recipe.options.epochs = min(recipe.options.epochs, limit) }
        if quick { recipe.options.epochs = max(1, recipe.options.epochs / 4) }
        return recipe
    }

    /// Trains `spec` on `dataset` and returns the model with its summary; `observer` watches the run.
    public static func train(_ spec: Spec, on dataset: StudioDataset, seed: UInt64 = 0, quick: Bool = false,
                             observer: TrainingObserver = TrainingObserver()) throws -> (model: ModelFile, summary: TrainingSummary) {
        try dataset.train(recipe(spec, trainingCount: dataset.split.train.count, seed: seed, quick: quick), name: spec.name, observer: observer)
    }

    /// The networks the web app serves, in the order its pages list them.
    public static let served = [softmax, mlp, cnn]

    public static func file(_ name: String, in directory: URL) -> URL {
        directory.appendingPathComponent("orl-\(name).safetensors")
    }

    /// Loads each served model from `directory`, training (and writing) those missing or unreadable,
    /// and adds them to `library` one by one, so the first is served while the others train.
    public static func prepare(in directory: URL, library: ModelLibrary, seed: UInt64 = 0) throws {
        let source = DatasetSource.orl
        library.setPreparing("loading the ORL faces")
        let dataset = try StudioDataset(source: source, preprocessing: DatasetLoader.defaultPreprocessing(for: source))
        library.setTrainingData(dataset)
        try OutputCheck.check([OutputTarget("the models folder", directory.path, .modelsFolder)], inputs: [])
        do { try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true) } catch {
            throw StudioError(.failed, "cannot make the models folder \(OneLine.escape(directory.path)): \(FileProblem.words(error))")
        }
        for spec in served {
            let url = file(spec.name, in: directory)
            if let kept = try? ModelFile(contentsOf: url), kept.provenance.kind == spec.kind {
                library.add(kept, id: "orl-\(spec.name)", file: url)
                continue
            }
            // Only a model (an unreadable or older one) is replaced, never another file of that name.
            try OutputCheck.check([OutputTarget("the models folder's \(url.lastPathComponent)", url.path, .model)], inputs: [])
            library.setPreparing("training the demo's \(spec.label) model on the ORL faces (first start only)")
            let (model, _) = try train(spec, on: dataset, seed: seed)
            try model.write(to: url)
            library.add(model, id: "orl-\(spec.name)", file: url)
        }
        library.setPreparing(nil)
    }
}
