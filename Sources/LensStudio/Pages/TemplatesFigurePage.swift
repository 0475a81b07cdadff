import Foundation
import LensExplain
import LensRender

extension ExplanationPages {
    /// `figure` (the web app's Templates figure, laid out by `TemplateLayout`) as one page, its
    /// pictures as drawn there: each class's strongest voters (a hidden layer), the grid, the
    /// likeness figure and the one colour bar. `lens explain --method templates` writes it.
    public static func templatesPage(_ figure: TemplatesFigure, title: String) -> ReportPage {
        let pictures = Dictionary(figure.pictures.map { ($0.index, $0) }, uniquingKeysWith: { first, _ in first })
        // Drawn one pixel per weight: enlarged here, its aspect kept (filters and images alike).
        func drawn(_ index: Int, caption: String, details: [String]) -> Figure {
            let side = 96
            let picture: Picture
            if let image = pictures[index]?.drawn.image {
                picture = Picture(html: "<img class=px src=\"\(image)\" alt=\"template \(HTML.escape(caption))\" style=\"width:\(side)px;height:auto\">")
            } else {
                picture = Picture.placeholder(pictures[index]?.drawn.problem ?? "not drawn", width: side, height: side)
            }
            return Figure(picture: picture, caption: caption, details: details)
        }
        func r(_ value: Float) -> String { "r = " + String(format: "%.2f", value) }
        let perClass = figure.likeness?.perClass ?? []
        var body = "<p>The weights of \(HTML.escape(figure.layer)) (\(figure.count) templates, \(HTML.escape(figure.kind))) drawn as images on one "
            + "symmetric scale: red pushes the score up, blue down, white is zero.</p>"
        if let likeness = figure.likeness {
            body += "<p class=headline>\(HTML.escape(likeness.label)) <b>\(String(format: "%.2f", likeness.mean))</b> "
                + "<small>(\(HTML.escape(likeness.meaning)))</small></p>"
        } else if let problem = figure.likenessProblem {
            body += "<p class=note>No likeness figure: \(HTML.escape(problem))</p>"
        }
        for (position, voters) in figure.votes.enumerated() {
            let figures = voters.votes.map { drawn($0.unit, caption: "unit \($0.unit)", details: ["W2 = " + String(format: "%.2f", $0.weight)]) }
            let top = position < perClass.count ? " · its top voter's " + r(perClass[position]) : ""
            body += PictureGrid.html(figures, heading: voters.class + top)
        }
        let classTemplates = figure.kind == TemplateKind.classWeights.rawValue
        body += PictureGrid.html(figure.grid.map { index in
            drawn(index, caption: pictures[index]?.caption ?? "template \(index)",
                  details: classTemplates && index < perClass.count ? [r(perClass[index])] : [])
        }, heading: figure.grid.count < figure.count ? "The first \(figure.grid.count) of \(figure.count) templates" : nil)
        body += figure.colorBar
        return ReportPage(fileName: "index.html", title: title, body: body)
    }
}
