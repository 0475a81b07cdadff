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
        if let smoothness = figure.smoothness {
            html += "<p class=headline>\(HTML.escape(smoothness.label)) <b>\(String(format: "%.2f", smoothness.mean))</b> "
                + "<small>(\(HTML.escape(smoothness.meaning)))</small></p>"
        }
        html += "<p class=lecture>" + HTML.escape(figure.lecture)
            + " Layer <code>\(HTML.escape(figure.layer))</code>: \(figure.count) templates.</p>"
        let perClass = figure.likeness?.perClass ?? []
        func r(_ value: Float) -> String { "r = " + String(format: "%.2f", value) }
        // Voters come in natural class order; each carries its class's label for the per-class figures.
        for voters in figure.votes {
            let photo = classPhoto(figure, voters.classIndex).map { [Figure(picture: $0, caption: voters.class, details: ["a training photo"])] } ?? []
            let figures = photo + voters.votes.map { templateFigure(figure, $0.unit, details: ["W2 = " + String(format: "%.2f", $0.weight)]) }
            let top = voters.classIndex < perClass.count ? " · its top voter's " + r(perClass[voters.classIndex]) : ""
            html += PictureGrid.html(figures, heading: voters.class + top)
        }
        let classTemplates = figure.kind == TemplateKind.classWeights.rawValue
        html += templatesGrid(figure, withPhotos: classTemplates) { classTemplates && $0 < perClass.count ? [r(perClass[$0])] : [] }
        return html + figure.colorBar
    }

    /// The figure's main grid, each template with `details(index)` under it and, for class
    /// templates (`withPhotos`), a training photo of its class beside it.
    static func templatesGrid(_ figure: TemplatesFigure, withPhotos: Bool = false, details: (Int) -> [String] = { _ in [] }) -> String {
        PictureGrid.html(figure.grid.map { index in
            var cell = templateFigure(figure, index, details: details(index))
            if withPhotos, let photo = classPhoto(figure, index) {
                cell.picture = Picture(html: "<div class=pair-row>" + cell.picture.html + photo.html + "</div>")
            }
            return cell
        }, heading: figure.grid.count < figure.count ? "The first \(figure.grid.count) of \(figure.count) templates" : nil)
    }

    /// Class `label`'s training photo, drawn as large as a template; nil without one.
    static func classPhoto(_ figure: TemplatesFigure, _ label: Int) -> Picture? {
        guard label < figure.classPhotos.count, !figure.classPhotos[label].isEmpty, figure.shape.count == 3 else { return nil }
        let factor = MapPicture.magnification(forSide: max(figure.shape[1], figure.shape[2], 1))
        return Picture(html: "<img class=\"px photo\" src=\"\(figure.classPhotos[label])\" width=\(figure.shape[2] * factor) "
                       + "height=\(figure.shape[1] * factor) alt=\"a training photo of class \(label)\">")
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
