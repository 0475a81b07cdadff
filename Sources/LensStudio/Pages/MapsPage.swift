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
                                intro: String? = nil) throws -> ReportPage {
        let methods = AttributionMethod.available(for: network.architecture)
        var body = "<p class=lecture>" + HTML.escape(intro ?? """
            Each row is one test image and what every method says made the \(name) give its answer (the predicted class; \
            misclassified images framed in red). Maps of one group share one colour scale per row, shown at its end.
            """) + "</p>" + AttributionRow.legendHTML
        body += "<ul class=note>" + methods.map { "<li><b>\(HTML.escape($0.title))</b>: \(HTML.escape($0.summary))</li>" }.joined() + "</ul>"
        let skipped = AttributionMethod.allCases.compactMap { $0.unavailability(for: network.architecture) }
        if !skipped.isEmpty { body += "<p class=note>Not shown: " + HTML.escape(skipped.joined(separator: "; ")) + ".</p>" }
        if !trust.isEmpty {
            body += "<p class=note>Under each map, its method's record on this model (see “Can we trust these maps?”): the "
                + "model-randomisation verdict and the insertion area (into a blurred copy) against a random pixel order.</p>"
        } else {
            body += "<p class=note>No trust figures for this model: the maps carry no randomisation or faithfulness record.</p>"
        }
        guard !indices.isEmpty else { return ReportPage(fileName: fileName, title: title, body: body + "<p>No images to explain.</p>") }
        let inputs = data.testImages.gather(indices)
        let targets = network.predictions(inputs)
        let probabilities = network.probabilities(inputs)
        var model = network
        let context = data.context
        let results = try methods.map { try $0.attribute(&model, inputs: inputs, targets: targets, settings: budget.attribution, context: context) }
        let classes = data.classNames.count
        for (item, index) in indices.enumerated() {
            let actual = data.testLabels[index], predicted = targets[item]
            let panels = try results.map { result in
                var panel = try MapPanel(result: result, item: item, reduction: result.method.pictureReduction,
                                         scaleGroup: result.method.scaleGroup)
                let badge = TrustBadge(result: result, item: item, trust: trust)
                panel.note = ([panel.note] + [badgeLine(badge.trust)]).compactMap { $0 }.joined(separator: " · ")
                return panel
            }
            let row = AttributionRow(image: data.testImage(index), caption: "test image \(index)",
                                     details: ["is \(data.classNames[actual])", "says \(data.classNames[predicted]) "
                                               + "(p = \(String(format: "%.2f", probabilities.scalars[item * classes + predicted])))"],
                                     mark: actual == predicted ? .plain : .wrong, panels: panels)
            body += try row.html()
        }
        return ReportPage(fileName: fileName, title: title, body: body)
    }

    /// "randomisation: passed (ρ 0.36 < 0.5) · insertion 0.87 vs random 0.80", or nil without a record.
    static func badgeLine(_ trust: MethodTrust?) -> String? {
        guard let trust else { return nil }
        var parts: [String] = []
        if let verdict = trust.randomisation {
            parts.append("randomisation \(verdict.words)"
                         + (verdict.topStepSpearman.map { " (ρ \(String(format: "%.2f", $0)), passes < \(verdict.threshold))" } ?? ""))
        }
        if let insertion = trust.insertion {
            parts.append("insertion \(String(format: "%.2f", insertion.map)) vs random \(String(format: "%.2f", insertion.random))"
                         + (insertion.shareBeatingRandom.map { ", beats it on \(Int(($0 * 100).rounded()))%" } ?? ""))
        }
        return parts.isEmpty ? nil : parts.joined(separator: " · ")
    }
}
