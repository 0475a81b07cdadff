import Foundation
import LensExplain
import LensModels
import LensRender
import LensTensor

extension ExplanationPages {
    /// What one face-likeness number means, said once under every model that has one (report and web app).
    public static let faceLikenessMeaning = """
    the mean, over the classes, of the Pearson correlation between each class's template \
    (for a hidden layer: the template of the unit that votes for the class most) and that class's mean training \
    image minus the mean of all training images. On faces it says how face-like the templates are; on other data \
    (clothes, digits) it measures the same likeness to each class's average image. Random templates score about 0.
    """

    /// The report's templates of `network` (softmax regression's class templates, a hidden layer's
    /// templates and votes, or a CNN's first-layer filters): the web app's figure within the report's limits.
    public static func templatesSection(_ network: Network, name: String, accuracy: Double, data: PageData) throws -> String {
        let figure = try TemplatesFigure(network, classNames: data.classNames, limits: .report, onFaces: data.onFaces,
                                         loadingTraining: { (data.trainImages, data.trainLabels) })
        return templatesSection(figure, heading: "\(name) (test accuracy \(String(format: "%.3f", accuracy)))")
    }

    /// The one HTML writer of a templates figure (report, `lens explain --method templates`): the
    /// lecture for its kind, the likeness headline, each class's strongest voters with W2, the grid
    /// with each class's r, and the one colour bar.
    public static func templatesSection(_ figure: TemplatesFigure, heading: String?) -> String {
        var html = heading.map { "<h2>\(HTML.escape($0))</h2>" } ?? ""
        if let likeness = figure.likeness {
            html += "<p class=headline>\(HTML.escape(likeness.label)) <b>\(String(format: "%.2f", likeness.mean))</b> "
                + "<small>(\(HTML.escape(likeness.meaning)))</small></p>"
        } else if let problem = figure.likenessProblem {
            html += "<p class=note>No likeness figure: \(HTML.escape(problem))</p>"
        }
        html += "<p class=lecture>" + HTML.escape(figure.lecture)
            + " Layer <code>\(HTML.escape(figure.layer))</code>: \(figure.count) templates.</p>"
        let perClass = figure.likeness?.perClass ?? []
        func r(_ value: Float) -> String { "r = " + String(format: "%.2f", value) }
        // Voters come in class order from the first class, so a position is a class index.
        for (position, voters) in figure.votes.enumerated() {
            let figures = voters.votes.map { templateFigure(figure, $0.unit, details: ["W2 = " + String(format: "%.2f", $0.weight)]) }
            let top = position < perClass.count ? " · its top voter's " + r(perClass[position]) : ""
            html += PictureGrid.html(figures, heading: voters.class + top)
        }
        let classTemplates = figure.kind == TemplateKind.classWeights.rawValue
        html += templatesGrid(figure) { classTemplates && $0 < perClass.count ? [r(perClass[$0])] : [] }
        return html + figure.colorBar
    }

    /// The figure's main grid, each template with `details(index)` under it.
    static func templatesGrid(_ figure: TemplatesFigure, details: (Int) -> [String] = { _ in [] }) -> String {
        PictureGrid.html(figure.grid.map { templateFigure(figure, $0, details: details($0)) },
                         heading: figure.grid.count < figure.count ? "The first \(figure.grid.count) of \(figure.count) templates" : nil)
    }

    /// Template `index` of `figure` (drawn one pixel per weight) enlarged as the report enlarges maps,
    /// small filters to 48 px at least; its placeholder where it could not be drawn.
    static func templateFigure(_ figure: TemplatesFigure, _ index: Int, details: [String]) -> Figure {
        let picture = figure.pictures.first { $0.index == index }
        let caption = picture?.caption ?? "template \(index)"
        let height = figure.shape.count == 3 ? figure.shape[1] : 1, width = figure.shape.count == 3 ? figure.shape[2] : 1
        let side = max(height, width, 1)
        let factor = max(MapPicture.magnification(forSide: side), 48 / side)
        let drawn: Picture
        if let image = picture?.drawn.image {
            drawn = Picture(html: "<img class=px src=\"\(image)\" width=\(width * factor) height=\(height * factor) "
                            + "alt=\"template \(HTML.escape(caption))\">")
        } else {
            drawn = Picture.placeholder(picture?.drawn.problem ?? "not drawn", width: width * factor, height: height * factor)
        }
        return Figure(picture: drawn, caption: caption, details: details)
    }
}
