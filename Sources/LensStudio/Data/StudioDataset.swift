import Foundation
import LensData
import LensModels
import LensTensor

/// A dataset loaded and split the way a model records it, so that its test split is the one the
/// model never saw. What a person should know about the loading (a folder that hides a built-in
/// dataset, a split that came out empty) is in `warnings`; the files it could not use in `skipped`.
public struct StudioDataset: Sendable {
    public var source: DatasetSource
    public var preprocessing: Preprocessing
    public var data: LabeledImages
    public var plan: SplitPlan
    public var split: DatasetSplit
    public var warnings: [String] = []

    /// The image sides a dataset can be resized to (`StudioKnobs.size`).
    public static var sizeRange: ClosedRange<Int> { StudioKnobs.size.range }

    /// Loads `source` with `preprocessing` and splits it by `plan` (when nil, the source's default
    /// plan with `seed`). `strict` makes any unreadable file an error; images over `maxPixels`
    /// are refused unread.
    public init(source: DatasetSource, preprocessing: Preprocessing, plan: SplitPlan? = nil, seed: UInt64 = 0,
                strict: Bool = false, maxPixels: Int = ImageDecoder.defaultMaxPixels) throws {
        self.source = source
        self.preprocessing = preprocessing
        data = try DatasetLoader.load(source, preprocessing: preprocessing, strict: strict, maxPixels: maxPixels)
        var chosen = plan ?? DatasetLoader.defaultSplitPlan(for: source)
        if plan == nil { chosen.seed = seed }
        self.plan = chosen
        split = data.predefinedSplit ?? chosen.split(labels: data.labels)
        let empty = [("validation", split.validation), ("test", split.test)].filter { $0.1.isEmpty }.map(\.0)
        if !empty.isEmpty {
            warnings.append("warning: the \(empty.joined(separator: " and ")) split of \(source.name) is empty: \(data.labels.count) images "
                            + "in \(data.classNames.count) classes are too few to hold any out (give each class several images, e.g. 7 or more)")
        }
    }

    /// The dataset a person named (`orl`, `fashion-mnist` or a path), saying so when a folder of a
    /// built-in dataset's name wins over the built-in one.
    public init(named name: String, preprocessing: Preprocessing, plan: SplitPlan? = nil, seed: UInt64 = 0,
                strict: Bool = false, maxPixels: Int = ImageDecoder.defaultMaxPixels) throws {
        let source = DatasetSource(argument: name)
        try self.init(source: source, preprocessing: preprocessing, plan: plan, seed: seed, strict: strict, maxPixels: maxPixels)
        if DatasetSource.shadowsBuiltIn(name) {
            warnings.insert("\(name): using the folder \(source.name), not the built-in dataset of that name (a path that exists wins)", at: 0)
        }
    }

    /// The dataset a model was trained on (or `source` instead), checked against the model's classes.
    public init(for model: ModelFile, source: DatasetSource? = nil, strict: Bool = false,
                maxPixels: Int = ImageDecoder.defaultMaxPixels) throws {
        let provenance = model.provenance
        let chosen = source ?? DatasetSource(recorded: provenance.dataset)
        try self.init(source: chosen, preprocessing: provenance.preprocessing, plan: provenance.split, strict: strict, maxPixels: maxPixels)
        try checkClasses(of: model)
    }

    /// The dataset a person named for `model` (nil: the one it records), prepared and split as
    /// the model records, checked against the model's classes.
    public init(for model: ModelFile, named name: String?, strict: Bool = false,
                maxPixels: Int = ImageDecoder.defaultMaxPixels) throws {
        guard let name else {
            try self.init(for: model, strict: strict, maxPixels: maxPixels)
            return
        }
        let provenance = model.provenance
        try self.init(named: name, preprocessing: provenance.preprocessing, plan: provenance.split, strict: strict, maxPixels: maxPixels)
        try checkClasses(of: model)
    }

    /// The default preprocessing of `source`, resized to `size` and kept in colour when asked.
    public static func preprocessing(for source: DatasetSource, size: Int? = nil, rgb: Bool = false) throws -> Preprocessing {
        var preprocessing = DatasetLoader.defaultPreprocessing(for: source)
        if let size {
            try checkSize(size)
            preprocessing.size = size
        }
        if rgb { preprocessing.channels = 3 }
        return preprocessing
    }

    /// Throws when `size` is not an image side a dataset can be resized to; `name` is what the
    /// person called the value.
    public static func checkSize(_ size: Int, name: String = StudioKnobs.size.name) throws {
        do { try StudioKnobs.size.check(size) } catch let error as SettingError {
            throw StudioError(.invalidInput, "\(name) \(size) is out of range: give an image side \(error.allowed) pixels")
        }
    }

    /// Throws unless the dataset has exactly the classes `model` knows.
    public func checkClasses(of model: ModelFile) throws {
        let known = model.provenance.classNames
        guard data.classNames == known else {
            throw StudioError(.invalidInput, "dataset \(source.name) has classes \(data.classNames.prefix(5).joined(separator: ", "))… "
                              + "but the model knows \(known.prefix(5).joined(separator: ", "))…; use data with the same class folders")
        }
    }

    /// Files the loading could not use, each with the reason.
    public var skipped: [SkippedFile] { data.skipped }
    /// Which files under which class (see `LabeledImages.fingerprint`).
    public var fingerprint: String { data.fingerprint(root: source.name) }

    public func indices(_ choice: SplitChoice) -> [Int] { split.indices(choice, count: data.labels.count) }
    public func images(_ indices: [Int]) -> Tensor { data.images.gather(indices) }
    public func labels(_ indices: [Int]) -> [Int] { indices.map { data.labels[$0] } }

    /// Item `index` of the whole dataset as [C, H, W].
    public func image(at index: Int) -> Tensor {
        data.images.slice(index..<(index + 1)).reshaped(Array(data.images.shape.dropFirst()))
    }

    public var trainingSet: (images: Tensor, labels: [Int]) { (images(split.train), labels(split.train)) }
    public var validationSet: (images: Tensor, labels: [Int]) { (images(split.validation), labels(split.validation)) }
    public var testSet: (images: Tensor, labels: [Int]) { (images(split.test), labels(split.test)) }

    /// Warnings for scoring `model` on `choice` of this dataset: data other than the training
    /// data, or the training data changed since, so that the split is not the one the model never saw.
    public func comparedWithTraining(_ model: ModelFile, choice: SplitChoice) -> [String] {
        let provenance = model.provenance
        let recorded = DatasetSource(recorded: provenance.dataset)
        let sameData = source.name == recorded.name  // names are absolute paths; URLs compare as typed
        var notes: [String] = []
        if !sameData && choice != .all {
            notes.append("note: \(source.name) is not the training dataset (\(recorded.name)); its \(choice.rawValue) split is made with the model's split seed")
        }
        let count = data.labels.count
        if let trained = provenance.datasetFingerprint, choice != .all, fingerprint != trained {
            let what = sameData ? "\(source.name) has changed since training" : "\(source.name) does not hold the files the model was trained on"
            notes.append("warning: \(what) (\(count) images now, \(provenance.datasetCount) then; file list \(fingerprint), trained on \(trained)): "
                         + "the \(choice.rawValue) split is not the one the model never saw")
        } else if provenance.datasetFingerprint == nil, sameData, count != provenance.datasetCount {
            notes.append("warning: \(source.name) now has \(count) images, \(provenance.datasetCount) at training time; the held-out split is not the one the model never saw")
        }
        return notes
    }
}
