import Foundation
import LensExplain
import LensModels
import LensRender
import LensTensor

extension ExplanationPages {
    /// Test images to explain: every misclassified one up to `wrong`, then up to `correct` right ones.
    public static func chooseImages(_ network: Network, data: PageData, wrong: Int, correct: Int) -> [Int] {
        let predicted = network.predictions(data.testImages)
        let mistakes = predicted.indices.filter { predicted[$0] != data.testLabels[$0] }.prefix(wrong)
        let right = predicted.indices.filter { predicted[$0] == data.testLabels[$0] }.prefix(correct)
        return Array(mistakes) + Array(right)
    }

    /// Every method `AttributionMethod.available(for:)` allows, side by side for each of the test
    /// images `indices`, explaining the predicted class; scale groups keep the gradients' maps from
    /// being washed out by the score changes; each map carries its method's trust record when `trust` has it.
    public static func mapsPage(_ network: Network, name: String, data: PageData, indices: [Int], trust: [MethodTrust],
                                budget: PageBudget, fileName: String = "maps.html", title: String = "Attribution maps",
                                intro: String? = nil, dataRandomisation: DataRandomisationReport? = nil) throws -> ReportPage {
        let methods = AttributionMethod.available(for: network.architecture)
        var body = "<p class=lecture>" + HTML.escape(intro ?? """
            Each row is one test image, then what every method says made the \(name) give its answer (the predicted class; \
            misclassified images framed in red), each map laid over the image it explains. Maps of one group share one \
            colour scale per row, shown at its end.
            """) + "</p>" + AttributionRow.legendHTML
        body += "<ul class=note>" + methods.map { "<li><b>\(HTML.escape($0.title))</b>: \(HTML.escape($0.summary))</li>" }.joined() + "</ul>"
        let skipped = AttributionMethod.allCases.compactMap { $0.unavailability(for: network.architecture) }
        if !skipped.isEmpty { body += "<p class=note>Not shown: " + HTML.escape(skipped.joined(separator: "; ")) + ".</p>" }
        if !trust.isEmpty {
            body += "<p class=note>Each method's record on this model, said once below (see “Can we trust these maps?”): its "
                + "verdict, the model-randomisation figure and the insertion area (into a blurred copy) against a random pixel "
                + "order; under each map, its method's verdict.</p>"
        } else {
            body += "<p class=note>No trust figures for this model: the maps carry no randomisation or faithfulness record.</p>"
        }
        guard !indices.isEmpty else { return ReportPage(fileName: fileName, title: title, body: body + "<p>No images to explain.</p>") }
        let figures = try mapsFigures(network, name: name, data: data, indices: indices, methods: methods, trust: trust, budget: budget,
                                      dataRandomisation: dataRandomisation)
        body += attributionRows(figures)
        return ReportPage(fileName: fileName, title: title, body: body)
    }

    /// The maps page's figures: one per method, of the test images `indices`, each explaining the predicted class
    /// with the page's settings, the maps of one family sharing each image's scale (`AttributionFigure.family`).
    public static func mapsFigures(_ network: Network, name: String, data: PageData, indices: [Int], methods: [AttributionMethod],
                                   trust: [MethodTrust], budget: PageBudget,
                                   dataRandomisation: DataRandomisationReport? = nil) throws -> [AttributionFigure] {
        let inputs = data.testImages.gather(indices)
        let targets = network.predictions(inputs)
        var model = network
        let context = data.context
        let results = try methods.map { try $0.attribute(&model, inputs: inputs, targets: targets, settings: budget.attribution, context: context) }
        return try AttributionFigure.family(results, model: name, classes: data.classNames,
                                            inputs: indices.map { ("test image \($0)", data.testImage($0), data.testLabels[$0]) },
                                            trust: trust, dataRandomisation: dataRandomisation)
    }
}
