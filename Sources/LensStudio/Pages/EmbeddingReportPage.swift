import Foundation
import LensExplain
import LensModels
import LensRender

extension ExplanationPages {
    /// The report's and the demo's embedding page: the first `budget.embeddingImages` test images at
    /// every layer from the pixels up, with the separability curve (`EmbeddingFigure`, drawn by `embeddingPage`).
    public static func embeddingReportPage(_ network: Network, name: String, data: PageData, budget: PageBudget) throws -> ReportPage {
        let figure = try embeddingFigure(network, name: name, data: data, budget: budget)
        var page = embeddingPage(figure)
        page.fileName = "embedding.html"
        return page
    }

    /// The figure of that page; its perplexity is lowered to a third of the points when the split is
    /// too small for the default (t-SNE needs more points than neighbours).
    public static func embeddingFigure(_ network: Network, name: String, data: PageData, budget: PageBudget) throws -> EmbeddingFigure {
        let count = min(budget.embeddingImages, data.testLabels.count)
        let rows = Array(0..<count)
        var settings = EmbeddingSettings()
        settings.tsne.iterations = budget.tsneIterations
        if Double(count - 1) <= settings.tsne.perplexity {
            settings.tsne.perplexity = max(TSNESettings.Knobs.perplexity.range.lowerBound, Double(count - 1) / 3)
        }
        let images = data.testImages.gather(rows), labels = Array(data.testLabels.prefix(count))
        let embeddings = try EmbeddingView.run(network: network, layers: EmbeddingFigure.layers(of: network.architecture),
                                               split: (images, labels), train: (data.trainImages, data.trainLabels), settings: settings)
        return EmbeddingFigure(model: name, split: "test", network: network, embeddings: embeddings, images: images, labels: labels,
                               classNames: data.classNames, datasetIndices: rows, settings: settings)
    }
}
