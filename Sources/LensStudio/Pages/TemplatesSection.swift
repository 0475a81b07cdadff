import Foundation
import LensExplain
import LensModels
import LensRender
import LensTensor

extension ExplanationPages {
    /// What one face-likeness number means, said once under every model that has one.
    static let faceLikenessMeaning = """
    Face-likeness is the mean, over the classes, of the Pearson correlation between each class's template \
    (for a hidden layer: the template of the unit that votes for the class most) and that class's mean training \
    image minus the mean of all training images; random templates score about 0.
    """

    /// The templates of `network`'s first weighted layer, by the kind of model: softmax regression's
    /// class templates, a hidden layer's templates and votes, or a CNN's first-layer filters; each
    /// model's pictures on one symmetric scale, its face-likeness beside them where it has class templates.
    public static func templatesSection(_ network: Network, name: String, accuracy: Double, data: PageData,
                                        classesShown: Int = 10, unitsShown: Int = 60) throws -> String {
        let templates = try Templates(of: network)
        func item(_ index: Int) -> Tensor {
            templates.images.slice(index..<(index + 1)).reshaped(Array(templates.images.shape.dropFirst()))
        }
        let likeness = try? templates.faceLikeness(trainingImages: data.trainImages, labels: data.trainLabels)
        var html = "<h2>\(HTML.escape(name)) (test accuracy \(String(format: "%.3f", accuracy)))</h2>"
        if let likeness {
            html += "<p class=headline>Face-likeness <b>\(String(format: "%.2f", likeness.mean))</b> "
                + "<small>(\(HTML.escape(faceLikenessMeaning)))</small></p>"
        }
        switch templates.kind {
        case .classWeights:
            html += """
            <p class=lecture>Softmax regression scores each class by the dot product of the image with that class's weights;
            the largest score wins. The weights have the shape of an image: a template per class. Red pixels raise the
            class's score, blue ones lower it, white is zero; every class is drawn on the same scale.</p>
            """
            let shown = min(templates.count, 64, data.classNames.count)
            let figures = try TemplatesPage.signedFigures(
                (0..<shown).map(item), captions: (0..<shown).map { data.classNames[$0] },
                details: (0..<shown).map { c in likeness.map { ["r = " + String(format: "%.2f", $0.perClass[c])] } ?? [] },
                alt: "template of class")
            html += figures.grid + ColorBar.html(figures.scale, label: "weight (one scale for every class)")
        case .hiddenUnits:
            html += """
            <p class=lecture>Each hidden unit matches the image against its own template (a row of W<sup>(1)</sup>); the
            output layer's weights W<sup>(2)</sup>[class, unit] say how much each unit votes for each class. Below, for the
            first classes, the units with the largest vote and its weight, then the templates themselves. One scale for
            every template of this model.</p>
            """
            let voted = templates.votes.prefix(classesShown)
            let voters = Array(Set(voted.flatMap(\.units))).sorted()
            let shownUnits = Array(0..<min(templates.count, unitsShown))
            let scale = MapScale.fitting(try (voters + shownUnits).map { try ChannelReduction.sum.reduce(item($0)) }, kind: .signed)
            func figure(_ unit: Int, _ caption: String, _ details: [String]) throws -> Figure {
                Figure(picture: try Picture.map(item(unit), reduction: .sum, scale: scale, alt: "template of unit \(unit)"),
                       caption: caption, details: details)
            }
            for votes in voted {
                let c = votes.classIndex
                let figures = try zip(votes.units, votes.weights).map { unit, weight in
                    try figure(unit, "unit \(unit)", ["W2 = " + String(format: "%.2f", weight)])
                }
                let r = likeness.map { " · its top voter's r = " + String(format: "%.2f", $0.perClass[c]) } ?? ""
                html += PictureGrid.html(figures, heading: data.classNames[c] + r)
            }
            html += PictureGrid.html(try shownUnits.map { try figure($0, "unit \($0)", []) },
                                     heading: "The first \(shownUnits.count) of \(templates.count) templates")
            html += ColorBar.html(scale, label: "weight (one scale for every template of this model)")
        case .filters:
            html += """
            <p class=lecture>A convolutional network's first layer slides small filters over the image; each is drawn
            here enlarged, channels summed, all on one scale. Edge and blob detectors show as red/blue stripes and spots.</p>
            """
            let shown = min(templates.count, 64)
            let side = templates.images.shape.last ?? 3
            let figures = try TemplatesPage.signedFigures((0..<shown).map(item), captions: (0..<shown).map { "filter \($0)" },
                                                          alt: "first-layer", magnification: max(1, 48 / max(side, 1)))
            html += figures.grid + ColorBar.html(figures.scale, label: "weight (one scale for every filter)")
        }
        return html
    }
}
