import Foundation
import LensData
import LensModels
import LensTensor

/// What a model is and how well it does on the test split of its data.
public struct ModelOverview: Codable, Sendable {
    public var kind: String
    /// Layer names, input first (empty for k-NN).
    public var architecture: [String]
    public var parameterCount: Int
    public var classes: [String]
    public var dataset: String
    public var input: String
    public var split: SplitCounts
    public var testAccuracy: Double
    public var validationAccuracy: Double?
    public var trainingSeconds: Double?
    /// confusion[true][predicted] on the test split.
    public var confusion: [[Int]]
    public var perClass: [ClassificationReport.ClassFigures]
    /// One entry per epoch (empty for k-NN and models without a recorded history).
    public var history: [EpochRecord]
    public var bestEpoch: Int?

    public struct SplitCounts: Codable, Sendable {
        public var train: Int
        public var validation: Int
        public var test: Int
    }
}

/// A test image with what the model said of it, for the confusion matrix's cells.
public struct TestImage: Codable, Sendable {
    /// Index in the whole dataset.
    public var index: Int
    public var actual: String
    public var predicted: String
    public var image: String
}

/// A model evaluated once on its test split, kept to answer the overview and its cells.
public struct EvaluatedModel: Sendable {
    public var overview: ModelOverview
    /// Dataset index, true label and predicted label of every test item.
    public var testItems: [(index: Int, actual: Int, predicted: Int)]
    public var dataset: StudioDataset

    public init(model: ModelFile, dataset: StudioDataset) throws {
        let test = dataset.split.test
        guard !test.isEmpty else { throw StudioError(.invalidInput, "the test split of \(dataset.source.name) is empty") }
        let predicted = try model.predictedLabels(dataset.images(test))
        let actual = dataset.labels(test)
        let report = ClassificationReport(predicted: predicted, actual: actual, classNames: model.provenance.classNames)
        let provenance = model.provenance
        var layers: [String] = [], parameters = 0
        if case .network(let network) = model.model {
            layers = network.architecture.layers.map(\.name)
            parameters = network.parameterCount
        }
        overview = ModelOverview(
            kind: provenance.kind.rawValue, architecture: layers, parameterCount: parameters, classes: provenance.classNames,
            dataset: dataset.source.name, input: provenance.preprocessing.description,
            split: .init(train: dataset.split.train.count, validation: dataset.split.validation.count, test: test.count),
            testAccuracy: report.accuracy, validationAccuracy: provenance.validationAccuracy,
            trainingSeconds: provenance.trainingSeconds, confusion: report.confusion, perClass: report.perClass,
            history: model.history?.epochs ?? [], bestEpoch: model.history?.bestEpoch)
        testItems = zip(test, zip(actual, predicted)).map { ($0, $1.0, $1.1) }
        self.dataset = dataset
    }

    /// Test images of class `actual` that the model called `predicted` (class indices), at most `limit`.
    public func testImages(actual: Int, predicted: Int, limit: Int = 60) throws -> [TestImage] {
        let names = overview.classes
        guard names.indices.contains(actual), names.indices.contains(predicted) else {
            throw StudioError(.notFound, "class indices must be between 0 and \(names.count - 1)")
        }
        return try testItems.filter { $0.actual == actual && $0.predicted == predicted }.prefix(limit).map {
            TestImage(index: $0.index, actual: names[$0.actual], predicted: names[$0.predicted],
                      image: try ImageInput.dataURI(dataset.image(at: $0.index)))
        }
    }

    /// A few test images per class, for the Explain page's picker.
    public func samples(perClass: Int = 1, limit: Int = 40) throws -> [TestImage] {
        var taken: [Int: Int] = [:]
        var chosen: [(index: Int, actual: Int, predicted: Int)] = []
        for item in testItems where taken[item.actual, default: 0] < perClass && chosen.count < limit {
            taken[item.actual, default: 0] += 1
            chosen.append(item)
        }
        return try chosen.map {
            TestImage(index: $0.index, actual: overview.classes[$0.actual], predicted: overview.classes[$0.predicted],
                      image: try ImageInput.dataURI(dataset.image(at: $0.index)))
        }
    }
}
