import Foundation
import LensExplain
import LensModels
import LensRender
import LensTensor

extension ExplanationPages {
    /// Inputs unlike any training image, made from test image 0, to show the "unusual" flag at work.
    static func strangers(_ data: PageData) -> [(image: Tensor, caption: String)] {
        guard (data.testImages.shape.first ?? 0) > 0 else { return [] }
        return Strangers.make(like: data.testImage(0)).map { ($0.image, "test image 0 " + $0.caption) }
    }

    /// For a few test images and the strangers: the network's answer, the k nearest training
    /// images in its penultimate space with their distances, and how unusual the input is.
    public static func nearestEvidenceSection(_ network: Network, name: String, data: PageData, budget: PageBudget) throws -> String {
        let settings = InspectionSettings()
        let evidence = try NearestEvidence(network: network, trainingImages: data.trainImages, labels: data.trainLabels,
                                           calibrationImages: data.validationImages ?? data.testImages, settings: settings)
        let calibration = data.validationImages == nil ? "test" : "validation"
        let rates = try UnusualFlagRates(evidence, testImages: data.testImages, strangers: strangers(data))
        let count = data.testImages.shape.first ?? 0
        let step = max(1, count / max(budget.evidenceImages, 1))
        var inputs: [(image: Tensor, caption: String, label: Int?)] = stride(from: 0, to: count, by: step).prefix(budget.evidenceImages)
            .map { (data.testImage($0), "test image \($0)", data.testLabels[$0]) }
        inputs += strangers(data).map { ($0.image, $0.caption, nil) }
        let batch = Tensor(shape: [inputs.count] + data.itemShape, scalars: inputs.flatMap(\.image.scalars))
        let found = try evidence.evidence(for: batch)
        let probabilities = network.probabilities(batch)
        let classes = data.classNames.count
        let trainShape = Array(data.trainImages.shape.dropFirst())

        var html = """
        <h2>The \(settings.neighbors) nearest training images under the \(HTML.escape(name))</h2>
        <p class=lecture>Distances are Euclidean between \(HTML.escape(evidence.space)) (the layer feeding the output), so
        "near" means "alike to this network". How unusual an input is: its nearest distance placed among the \(calibration)
        images' nearest distances; above their \(Int(settings.unusualPercentile))th percentile, a distance of
        \(MapNumber.format(evidence.unusualAbove)), it is flagged: nothing in training is that close, so the label it gets
        deserves no trust however confident. The last inputs are strangers made for this page. This threshold
        \(HTML.escape(rates.summary)).</p>
        """
        for (row, input) in inputs.enumerated() {
            let result = found[row]
            let probs = Array(probabilities.scalars[(row * classes)..<((row + 1) * classes)])
            let predicted = probs.indices.max { probs[$0] < probs[$1] } ?? 0
            var details = ["says \(data.classNames[predicted]) (p = \(String(format: "%.2f", probs[predicted])))",
                           "nearest d = \(MapNumber.format(result.nearestDistance))",
                           "percentile \(String(format: "%.0f", result.percentile))"]
            if let label = input.label { details.insert("is \(data.classNames[label])", at: 0) }
            let mark: Figure.Mark = result.unusual ? .flagged("unusual: nearest distance above \(MapNumber.format(evidence.unusualAbove))") : .plain
            var figures = [Figure(picture: try Picture.image(input.image, alt: input.caption), caption: input.caption,
                                  details: details, mark: mark)]
            for neighbour in result.neighbors {
                let image = data.trainImages.slice(neighbour.trainingIndex..<(neighbour.trainingIndex + 1)).reshaped(trainShape)
                let wrong = input.label.map { $0 != neighbour.label } ?? false
                figures.append(Figure(picture: try Picture.image(image, alt: "training image \(neighbour.trainingIndex)"),
                                      caption: data.classNames[neighbour.label],
                                      details: ["d = " + MapNumber.format(neighbour.distance)], mark: wrong ? .wrong : .plain))
            }
            html += PictureGrid.html(figures)
        }
        return html
    }
}
