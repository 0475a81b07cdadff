import Foundation
import LensData
import LensModels

/// The demo's networks on the bundled ORL faces, trained once with the recipes' defaults and kept
/// in a folder so that the next start reuses them.
public enum DemoModels {
    /// Name (also the file's stem) and kind, in the order the pages list them.
    public static let models: [(name: String, kind: ModelKind)] = [("softmax", .softmax), ("mlp", .mlp), ("cnn", .cnn)]

    public static func file(_ name: String, in directory: URL) -> URL {
        directory.appendingPathComponent("orl-\(name).safetensors")
    }

    /// Loads each demo model from `directory`, training (and writing) those missing or unreadable,
    /// and adds them to `library` one by one, so the first is served while the others train.
    public static func prepare(in directory: URL, library: ModelLibrary, seed: UInt64 = 0) throws {
        let source = DatasetSource.orl
        library.setPreparing("loading the ORL faces")
        let dataset = try StudioDataset(source: source, preprocessing: DatasetLoader.defaultPreprocessing(for: source))
        library.setTrainingData(dataset)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for (name, kind) in models {
            let url = file(name, in: directory)
            if let kept = try? ModelFile(contentsOf: url), kept.provenance.kind == kind {
                library.add(kept, id: "orl-\(name)", file: url)
                continue
            }
            library.setPreparing("training the demo's \(name) model on the ORL faces (first start only)")
            let recipe = ModelRecipe.defaults(for: kind, trainingCount: dataset.split.train.count, seed: seed)
            let model = try recipe.train(train: dataset.trainingSet, validation: dataset.validationSet,
                                         classNames: dataset.data.classNames, preprocessing: dataset.preprocessing,
                                         dataset: source.name, split: dataset.plan, datasetCount: dataset.data.labels.count)
            try model.write(to: url)
            library.add(model, id: "orl-\(name)", file: url)
        }
        library.setPreparing(nil)
    }
}
