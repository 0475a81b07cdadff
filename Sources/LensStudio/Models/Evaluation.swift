import Foundation
import LensData
import LensModels

/// How a model scores on one part of a dataset: what `lens evaluate --json` prints and what the
/// web app's overview holds for the test split (`ModelOverview.test`).
public struct Evaluation: Codable, Sendable {
    /// The model as the person named it (a file, a model id).
    public var model: String
    public var dataset: String
    public var split: SplitChoice
    public var accuracy: Double
    public var n: Int
    public var correct: Int
    public var macroF1: Double
    public var perClass: [ClassificationReport.ClassFigures]
    /// confusion[true][predicted].
    public var confusion: [[Int]]
    public var classes: [String]
    /// The indices of `classes` in the order to show them (`NaturalOrder`: s1, s2 … s10); the
    /// indices of `perClass` and `confusion` stay the model's labels.
    public var classOrder: [Int]

    public init(model: String, dataset: String, split: SplitChoice, report: ClassificationReport, classes: [String]) {
        self.model = model
        self.dataset = dataset
        self.split = split
        accuracy = report.accuracy
        n = report.n
        correct = report.correct
        macroF1 = report.macroF1
        perClass = report.perClass
        confusion = report.confusion
        self.classes = classes
        classOrder = NaturalOrder.displayOrder(classes)
    }

    /// Scores `modelFile` (called `name`) on `choice` of `dataset`; `predicted` holds each item's
    /// predicted label, in the order of `dataset.indices(choice)`.
    public static func scoring(_ modelFile: ModelFile, named name: String, on dataset: StudioDataset,
                               split choice: SplitChoice) throws -> (evaluation: Evaluation, indices: [Int], predicted: [Int]) {
        let indices = dataset.indices(choice)
        guard !indices.isEmpty else { throw StudioError(.invalidInput, "the \(choice.rawValue) split of \(dataset.source.name) is empty") }
        let predicted = try modelFile.predictedLabels(dataset.images(indices))
        let classes = modelFile.provenance.classNames
        let report = ClassificationReport(predicted: predicted, actual: dataset.labels(indices), classNames: classes)
        return (Evaluation(model: name, dataset: dataset.source.name, split: choice, report: report, classes: classes), indices, predicted)
    }

    /// `modelFile` (called `name`) scored on `choice` of `dataset`.
    public init(_ modelFile: ModelFile, named name: String, on dataset: StudioDataset, split choice: SplitChoice) throws {
        self = try Self.scoring(modelFile, named: name, on: dataset, split: choice).evaluation
    }
}
