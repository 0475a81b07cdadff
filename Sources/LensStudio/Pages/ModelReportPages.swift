import Foundation
import LensData
import LensExplain
import LensModels
import LensRender
import LensTensor

extension ModelReport {
    /// The pages after the overview: templates (softmax, MLP) or units (CNN), the misclassified images
    /// of the split with their maps, and the trust checks. A k-NN model has none of these: its
    /// evidence is its neighbours, which the overview's mistakes already show.
    public func explanationPages(trainIndices: [Int], validationIndices: [Int] = [], budget: PageBudget = .full,
                                 progress: (String) -> Void = { _ in }) throws -> [ReportPage] {
        guard case .network(let network) = modelFile.model else { return [] }
        let classes = modelFile.provenance.classNames
        var data = PageData(classNames: classes, trainImages: images.gather(trainIndices), trainLabels: trainIndices.map { labels[$0] },
                            testImages: images.gather(split.indices), testLabels: split.indices.map { labels[$0] })
        if !validationIndices.isEmpty { data.validationImages = images.gather(validationIndices) }
        data.onFaces = DatasetSource.builtIn(recorded: modelFile.provenance.dataset)?.holdsFaces ?? false
        let accuracy = ClassificationReport(predicted: network.predictions(data.testImages), actual: data.testLabels,
                                            classNames: classes).accuracy
        var pages: [ReportPage] = []
        if modelFile.provenance.kind != .cnn {
            progress("templates")
            pages.append(try ExplanationPages.templatesPage([(modelFile.provenance.kind.title.capitalizedFirst, network, accuracy)], data: data))
        }
        let indices = ExplanationPages.chooseImages(network, data: data, wrong: budget.wrongImages, correct: 0)
        pages += try ExplanationPages.explanationPages(
            network, name: modelFile.provenance.kind.title, data: data, budget: budget, indices: indices, mapsTitle: "Mistakes and their maps",
            mapsIntro: "The first \(indices.count) misclassified images of the \(split.name) split (all of them when fewer), and what "
                + "every method says made the model give its wrong answer. Maps of one group share one colour scale per row.",
            progress: progress)
        // Each mistake against its true class, on the mistakes page.
        if let mistakes = pages.firstIndex(where: { $0.title == "Mistakes and their maps" }) {
            progress("mistakes against the truth")
            let contrasts = try MistakeContrast.mistakes(network, data: data, limit: budget.wrongImages, settings: budget.attribution)
            pages[mistakes].body += ExplanationPages.mistakesContrastSection(contrasts)
        }
        return pages
    }
}

extension String {
    var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}
