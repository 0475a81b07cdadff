import Foundation
import LensExplain
import LensModels
import LensRender
import LensTensor

extension ExplanationPages {
    /// What the face-likeness figure is called, on faces and on any other data.
    public static let faceLikenessLabel = "Likeness to the class means (face-likeness)"

    /// What one face-likeness number means, said once under every model that has one (report and web app).
    public static let faceLikenessMeaning = """
    the mean, over the classes, of the Pearson correlation between each class's template \
    (for a hidden layer: the template of the unit that votes for the class most) and that class's mean training \
    image minus the mean of all training images. On faces it says how face-like the templates are; on other data \
    (clothes, digits) it measures the same likeness to each class's average image. Random templates score about 0.
    """

    /// The templates of `network`'s first weighted layer, by the kind of model: softmax regression's
    /// class templates, a hidden layer's templates and votes, or a CNN's first-layer filters; each
    /// model's pictures on one symmetric scale, its face-likeness beside them where it has class templates.
    public static func templatesSection(_ network: Network, name: String, accuracy: Double, data: PageData,
                                        classesShown: Int = 10, unitsShown: Int = 60) throws -> String {
        let templates = try Templates(of: network)
        let layout = try TemplateLayout(templates, classNames: data.classNames,
                                        gridLimit: templates.kind == .hiddenUnits ? unitsShown : 64, votingClasses: classesShown)
        let scale = layout.scale
        func figure(_ index: Int, _ caption: String, _ details: [String], magnification: Int? = nil) throws -> Figure {
            Figure(picture: try Picture.map(layout.item(index), reduction: .sum, scale: scale, alt: "template \(caption)",
                                            magnification: magnification),
                   caption: caption, details: details)
        }
        let likeness = try? templates.faceLikeness(trainingImages: data.trainImages, labels: data.trainLabels)
        var html = "<h2>\(HTML.escape(name)) (test accuracy \(String(format: "%.3f", accuracy)))</h2>"
        if let likeness {
            html += "<p class=headline>\(HTML.escape(faceLikenessLabel)) <b>\(String(format: "%.2f", likeness.mean))</b> "
                + "<small>(\(HTML.escape(faceLikenessMeaning)))</small></p>"
        }
        switch templates.kind {
        case .classWeights:
            html += """
            <p class=lecture>Softmax regression scores each class by the dot product of the image with that class's weights;
            the largest score wins. The weights have the shape of an image: a template per class. Red pixels raise the
            class's score, blue ones lower it, white is zero; every class is drawn on the same scale.</p>
            """
            let figures = try zip(layout.grid, layout.captions).map { c, caption in
                try figure(c, caption, likeness.map { ["r = " + String(format: "%.2f", $0.perClass[c])] } ?? [])
            }
            html += "<div class=figs>" + figures.map(\.html).joined() + "</div>"
                + ColorBar.html(scale, label: "weight (one scale for every class)")
        case .hiddenUnits:
            html += """
            <p class=lecture>Each hidden unit matches the image against its own template (a row of W<sup>(1)</sup>); the
            output layer's weights W<sup>(2)</sup>[class, unit] say how much each unit votes for each class. Below, for the
            first classes, the units with the largest vote and its weight, then the templates themselves. One scale for
            every template of this model.</p>
            """
            for votes in layout.votes {
                let c = votes.classIndex
                let figures = try zip(votes.units, votes.weights).map { unit, weight in
                    try figure(unit, "unit \(unit)", ["W2 = " + String(format: "%.2f", weight)])
                }
                let r = likeness.map { " · its top voter's r = " + String(format: "%.2f", $0.perClass[c]) } ?? ""
                html += PictureGrid.html(figures, heading: data.classNames[c] + r)
            }
            html += PictureGrid.html(try zip(layout.grid, layout.captions).map { try figure($0, $1, []) },
                                     heading: "The first \(layout.grid.count) of \(templates.count) templates")
            html += ColorBar.html(scale, label: "weight (one scale for every template of this model)")
        case .filters:
            html += """
            <p class=lecture>A convolutional network's first layer slides small filters over the image; each is drawn
            here enlarged, channels summed, all on one scale. Edge and blob detectors show as red/blue stripes and spots.</p>
            """
            let side = templates.images.shape.last ?? 3
            let figures = try zip(layout.grid, layout.captions).map { try figure($0, $1, [], magnification: max(1, 48 / max(side, 1))) }
            html += "<div class=figs>" + figures.map(\.html).joined() + "</div>"
                + ColorBar.html(scale, label: "weight (one scale for every filter)")
        }
        return html
    }
}
