import Foundation
import LensData
import LensModels
import LensTensor

/// What a model is and how well it does on the test split of its data (`test`, the type
/// `lens evaluate --json` prints). The test figures are also encoded at the top level
/// (`testAccuracy`, `confusion`, `perClass`, `classes`, `dataset`), where the pages read them.
public struct ModelOverview: Codable, Sendable {
    public var kind: String
    /// Layer names, input first (empty for k-NN).
    public var architecture: [String]
    public var parameterCount: Int
    public var input: String
    public var split: SplitCounts
    public var test: Evaluation
    public var validationAccuracy: Double?
    public var trainingSeconds: Double?
    /// One entry per epoch (empty for k-NN and models without a recorded history).
    public var history: [EpochRecord]
    public var bestEpoch: Int?

    public struct SplitCounts: Codable, Sendable {
        public var train: Int
        public var validation: Int
        public var test: Int
    }

    public var classes: [String] { test.classes }
    public var dataset: String { test.dataset }
    public var testAccuracy: Double { test.accuracy }
    /// confusion[true][predicted] on the test split.
    public var confusion: [[Int]] { test.confusion }
    public var perClass: [ClassificationReport.ClassFigures] { test.perClass }

    init(kind: String, architecture: [String], parameterCount: Int, input: String, split: SplitCounts, test: Evaluation,
         validationAccuracy: Double?, trainingSeconds: Double?, history: [EpochRecord], bestEpoch: Int?) {
        self.kind = kind
        self.architecture = architecture
        self.parameterCount = parameterCount
        self.input = input
        self.split = split
        self.test = test
        self.validationAccuracy = validationAccuracy
        self.trainingSeconds = trainingSeconds
        self.history = history
        self.bestEpoch = bestEpoch
    }

    private enum CodingKeys: String, CodingKey {
        case kind, architecture, parameterCount, input, split, test, validationAccuracy, trainingSeconds, history, bestEpoch
        case classes, dataset, testAccuracy, confusion, perClass
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        kind = try container.decode(String.self, forKey: .kind)
        architecture = try container.decode([String].self, forKey: .architecture)
        parameterCount = try container.decode(Int.self, forKey: .parameterCount)
        input = try container.decode(String.self, forKey: .input)
        split = try container.decode(SplitCounts.self, forKey: .split)
        test = try container.decode(Evaluation.self, forKey: .test)
        validationAccuracy = try container.decodeIfPresent(Double.self, forKey: .validationAccuracy)
        trainingSeconds = try container.decodeIfPresent(Double.self, forKey: .trainingSeconds)
        history = try container.decode([EpochRecord].self, forKey: .history)
        bestEpoch = try container.decodeIfPresent(Int.self, forKey: .bestEpoch)
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(kind, forKey: .kind)
        try container.encode(architecture, forKey: .architecture)
        try container.encode(parameterCount, forKey: .parameterCount)
        try container.encode(input, forKey: .input)
        try container.encode(split, forKey: .split)
        try container.encode(test, forKey: .test)
        try container.encodeIfPresent(validationAccuracy, forKey: .validationAccuracy)
        try container.encodeIfPresent(trainingSeconds, forKey: .trainingSeconds)
        try container.encode(history, forKey: .history)
        try container.encodeIfPresent(bestEpoch, forKey: .bestEpoch)
        try container.encode(classes, forKey: .classes)
        try container.encode(dataset, forKey: .dataset)
        try container.encode(testAccuracy, forKey: .testAccuracy)
        try container.encode(confusion, forKey: .confusion)
        try container.encode(perClass, forKey: .perClass)
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

    /// Scores `model` on the test split of `dataset`; `name` is what the evaluation calls the model.
    public init(model: ModelFile, dataset: StudioDataset, name: String? = nil) throws {
        let provenance = model.provenance
        let (test, indices, predicted) = try Evaluation.scoring(model, named: name ?? provenance.kind.rawValue, on: dataset, split: .test)
        var layers: [String] = [], parameters = 0
        if case .network(let network) = model.model {
            layers = network.architecture.layers.map(\.name)
            parameters = network.parameterCount
        }
        overview = ModelOverview(
            kind: provenance.kind.rawValue, architecture: layers, parameterCount: parameters, input: provenance.preprocessing.description,
            split: .init(train: dataset.split.train.count, validation: dataset.split.validation.count, test: indices.count),
            test: test, validationAccuracy: provenance.validationAccuracy, trainingSeconds: provenance.trainingSeconds,
            history: model.history?.epochs ?? [], bestEpoch: model.history?.bestEpoch)
        testItems = zip(indices, zip(dataset.labels(indices), predicted)).map { ($0, $1.0, $1.1) }
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
