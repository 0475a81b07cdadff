import Foundation
import LensExplain
import LensModels
import LensRender
import LensTensor

extension ExplanationPages {
    /// For a few test images and the strangers: the network's answer, the k nearest training
    /// images in its penultimate space with their distances, and how unusual the input is. Drawn
    /// from the `NearestFigure` that `lens explain --method nearest` writes.
    public static func nearestEvidenceSection(_ network: Network, name: String, data: PageData, budget: PageBudget) throws -> String {
        let figure = try nearestFigure(network, name: name, data: data, budget: budget)
        return """
        <h2>The \(figure.neighbours) nearest training images under the \(HTML.escape(name))</h2>
        <p class=lecture>Distances are Euclidean between \(HTML.escape(figure.space)) (the layer feeding the output), so
        "near" means "alike to this network". How unusual an input is: its nearest distance placed among the \(figure.calibration)
        images' nearest distances; above \(NearestEvidence.rule(percentile: figure.unusualPercentile, margin: figure.unusualMargin)) of
        them, a distance of \(MapNumber.format(figure.unusualAbove)), it is flagged\(HTML.escape(NearestEvidence.profileRule(above: figure.profileAbove))):
        nothing in training is that close, so the label it gets
        deserves no trust however confident. The last inputs are strangers made for this page. This threshold
        \(HTML.escape(figure.flagRates.summary)).</p>
        """ + nearestRows(figure)
    }

    /// The section's figure: `budget.evidenceImages` test images spread over the split, then the strangers
    /// made from test image 0 (those the flag's rates are measured on).
    public static func nearestFigure(_ network: Network, name: String, data: PageData, budget: PageBudget) throws -> NearestFigure {
        let index = try NearestIndex(network: network, data: data)
        let count = data.testImages.shape.first ?? 0
        let step = max(1, count / max(budget.evidenceImages, 1))
        var inputs: [(name: String, image: Tensor, label: Int?)] = stride(from: 0, to: count, by: step).prefix(budget.evidenceImages)
            .map { ("test image \($0)", data.testImage($0), data.testLabels[$0]) }
        if count > 0 {
            inputs += Strangers.make(like: data.testImage(0)).map { ("test image 0 " + $0.caption, $0.image, nil) }
        }
        return try NearestFigure(index: index, model: name, inputs: inputs, network: network)
    }
}
