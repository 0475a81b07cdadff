import Foundation
import LensData
import LensModels
import LensTensor

/// A dataset loaded and split the way a model records it, so that its test split is the one the
/// model never saw.
public struct StudioDataset: Sendable {
    public var source: DatasetSource
    public var preprocessing: Preprocessing
    public var data: LabeledImages
    public var plan: SplitPlan
    public var split: DatasetSplit

    /// Loads `source` with `preprocessing` and splits it by `plan` (the source's default plan when nil).
    public init(source: DatasetSource, preprocessing: Preprocessing, plan: SplitPlan? = nil) throws {
        self.source = source
        self.preprocessing = preprocessing
        data = try DatasetLoader.load(source, preprocessing: preprocessing)
        self.plan = plan ?? DatasetLoader.defaultSplitPlan(for: source)
        split = data.predefinedSplit ?? self.plan.split(labels: data.labels)
    }

    /// The dataset a model was trained on (or `source` instead), checked against the model's classes.
    public init(for model: ModelFile, source: DatasetSource? = nil) throws {
        let provenance = model.provenance
        let chosen = source ?? DatasetSource(argument: provenance.dataset)
        try self.init(source: chosen, preprocessing: provenance.preprocessing, plan: provenance.split)
        guard data.classNames == provenance.classNames else {
            throw StudioError(.invalidInput, "dataset \(chosen.name) has classes \(data.classNames.prefix(5).joined(separator: ", "))… "
                              + "but the model knows \(provenance.classNames.prefix(5).joined(separator: ", "))…; use data with the same class folders")
        }
    }

    public func images(_ indices: [Int]) -> Tensor { data.images.gather(indices) }
    public func labels(_ indices: [Int]) -> [Int] { indices.map { data.labels[$0] } }

    /// Item `index` of the whole dataset as [C, H, W].
    public func image(at index: Int) -> Tensor {
        data.images.slice(index..<(index + 1)).reshaped(Array(data.images.shape.dropFirst()))
    }

    public var trainingSet: (images: Tensor, labels: [Int]) { (images(split.train), labels(split.train)) }
    public var validationSet: (images: Tensor, labels: [Int]) { (images(split.validation), labels(split.validation)) }
}
