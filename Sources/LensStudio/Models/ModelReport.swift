import Foundation
import LensData
import LensModels
import LensRender
import LensTensor

/// The pages of `lens report` for one model on one split of a dataset: the overview (accuracy,
/// confusion matrix, mistakes, curves), then what the model learned.
public struct ModelReport {
    public var modelFile: ModelFile
    public var modelName: String
    public var datasetName: String
    /// The dataset's images [N, C, H, W] and labels.
    public var images: Tensor
    public var labels: [Int]
    public var split: (name: String, indices: [Int])
    /// At most this many mistakes are drawn.
    public var mistakesShown = 120

    public init(modelFile: ModelFile, modelName: String, datasetName: String, images: Tensor, labels: [Int],
                split: (name: String, indices: [Int])) {
        self.modelFile = modelFile
        self.modelName = modelName
        self.datasetName = datasetName
        self.images = images
        self.labels = labels
        self.split = split
    }

    /// The overview page, scored on the split.
    public func overview() throws -> (page: ReportPage, report: ClassificationReport) {
        let classes = modelFile.provenance.classNames
        let batch = images.gather(split.indices)
        let actual = split.indices.map { labels[$0] }
        let probabilities = batch.shape[0] > 0 ? try modelFile.probabilities(batch) : Tensor(shape: [0, classes.count])
        let predicted = batch.shape[0] > 0 ? try modelFile.predictedLabels(batch) : []
        let report = ClassificationReport(predicted: predicted, actual: actual, classNames: classes)
        let itemShape = Array(images.shape.dropFirst())
        var mistakes: [ModelOverviewPage.Content.Mistake] = []
        for (row, index) in split.indices.enumerated() where predicted[row] != actual[row] && mistakes.count < mistakesShown {
            mistakes.append(ModelOverviewPage.Content.Mistake(
                image: batch.slice(row..<(row + 1)).reshaped(itemShape), datasetIndex: index, actual: actual[row],
                predicted: predicted[row], probability: probabilities.scalars[row * classes.count + predicted[row]]))
        }
        let overview = ModelOverviewPage.Content(title: "\(modelName): \(modelFile.provenance.kind.title)", description: describe(),
                                     datasetName: datasetName, splitName: split.name, report: report,
                                     history: modelFile.history, mistakes: mistakes)
        return (try ModelOverviewPage.page(overview), report)
    }

    private func describe() -> String {
        let provenance = modelFile.provenance
        var text = "\(provenance.kind.title) on \(provenance.dataset), \(provenance.classNames.count) classes"
        switch modelFile.model {
        case .nearestNeighbor(let classifier):
            text += "; k = \(classifier.k), \(classifier.metric.rawValue) distance, \(classifier.labels.count) training images"
        case .network(let network):
            text += "; layers " + network.architecture.layers.map(\.name).joined(separator: " → ")
                + " (\(network.parameterCount) parameters)"
        }
        if let seconds = provenance.trainingSeconds { text += String(format: "; trained in %.1f s", seconds) }
        return text + "."
    }
}

extension ModelKind {
    /// What the kind is called in prose.
    public var title: String {
        switch self {
        case .knn: "k-nearest-neighbour"
        case .softmax: "softmax regression"
        case .mlp: "multilayer perceptron"
        case .cnn: "convolutional network"
        }
    }
}
