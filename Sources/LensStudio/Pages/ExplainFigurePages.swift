import Foundation
import LensExplain
import LensRender

/// The pages `lens explain` writes: each only draws its figure, with the report's HTML writers.
extension ExplanationPages {
    /// One row per image: the input, its map laid over it, and the colour bar of its scale.
    public static func attributionPage(_ figure: AttributionFigure) -> ReportPage {
        let body = "<p>\(HTML.escape(figure.summary))</p>" + AttributionRow.legendHTML
            + "<p class=note>\(HTML.escape(figure.reduction)); \(HTML.escape(MapPanel.settingsLine(figure.settings))). "
            + "Colours: \(HTML.escape(figure.scaleRule)).</p>" + attributionRows([figure])
        return ReportPage(fileName: "index.html", title: "\(figure.title): \(figure.model)", body: body)
    }

    /// The one HTML writer of attribution figures (`lens explain`'s page, the report's maps page): per image, the
    /// original, then each figure's map laid over it with what it explains, its settings and its trust record, and one
    /// colour bar per scale group. The figures are of the same images (`AttributionFigure.family`).
    static func attributionRows(_ figures: [AttributionFigure]) -> String {
        guard let first = figures.first else { return "" }
        let shape = first.imageShape
        let (height, width) = shape.count == 3 ? (shape[1], shape[2]) : (64, 64)
        let factor = MapPicture.magnification(forSide: max(height, width))
        let (w, h) = (width * factor, height * factor)
        var html = methodRecords(figures)
        for (row, item) in first.items.enumerated() {
            var details = ["says \(item.predicted)"]
            if let truth = item.trueClass { details.insert("is \(truth)", at: 0) }
            let wrong = item.trueClass.map { $0 != item.predicted } ?? false
            html += "<div class=\"attrrow\(wrong ? " wrong" : "")\">"
                + Figure(picture: .dataURI(item.input, width: w, height: h, alt: item.image), caption: item.image,
                         details: details, mark: wrong ? .wrong : .plain).html
            var groups: [String] = [], bars: [String] = []
            for figure in figures where figure.items.indices.contains(row) {
                let map = figure.items[row]
                var lines = [String(format: "explains %@ (p = %.2f)", map.target, map.targetProbability), figure.reduction,
                             MapPanel.settingsLine(figure.settings)]
                if let delta = map.convergenceDelta { lines.append("convergence δ = " + MapNumber.format(delta)) }
                // The figures behind the verdict are said once, above the rows (`methodRecords`).
                if let trust = figure.trust { lines.append("trust: \(trust.standing)") }
                html += Figure(picture: map.map.picture(width: w, height: h, alt: "\(figure.title) map of \(item.image), over it"),
                               caption: figure.title, details: lines.filter { !$0.isEmpty }).html
                // A group whose maps are all placeholders has no scale worth printing.
                if map.map.image != nil, !groups.contains(map.scaleGroup) {
                    groups.append(map.scaleGroup)
                    bars.append(map.colorBar)
                }
            }
            html += "<div class=legend>" + bars.joined() + "</div></div>"
        }
        return html
    }

    /// Each method's trust record on the model, said once above the rows of maps (each map keeps its verdict's word).
    static func methodRecords(_ figures: [AttributionFigure]) -> String {
        let records = figures.compactMap { figure in figure.trust.map { (figure.title, $0) } }
        guard !records.isEmpty else { return "" }
        return "<ul class=\"verdicts records\">" + records.map { title, trust in
            "<li><span class=badge data-state=\(trust.standing)>\(HTML.escape(trust.standing))</span> <b>\(HTML.escape(title))</b> "
                + "\(HTML.escape(trust.words)) <small class=muted>(\(HTML.escape(trust.line)))</small></li>"
        }.joined() + "</ul>"
    }

    /// Each input beside its nearest training images, flagged when unusual.
    public static func nearestPage(_ figure: NearestFigure) -> ReportPage {
        let body = "<p>Distances: \(HTML.escape(figure.space)), \(HTML.escape(figure.metric)). An input is unusual when its nearest "
            + "distance lies above \(MapNumber.format(figure.unusualAbove)), "
            + "\(NearestEvidence.rule(percentile: figure.unusualPercentile, margin: figure.unusualMargin)) of the \(HTML.escape(figure.calibration)) images' nearest distances"
            + "\(HTML.escape(NearestEvidence.profileRule(above: figure.profileAbove))); it "
            + "\(HTML.escape(figure.flagRates.summary)).</p>"
        return ReportPage(fileName: "index.html", title: "Nearest training images", body: body + nearestRows(figure))
    }

    /// The one HTML writer of a nearest figure (`lens explain`'s page, the report's nearest section): per input,
    /// its class and the answer it got, its nearest distance and percentile (flagged when unusual), then its
    /// nearest training images, each with its distance, framed in red when of another class than the input.
    static func nearestRows(_ figure: NearestFigure) -> String {
        let shape = figure.imageShape
        let (height, width) = shape.count == 3 ? (shape[1], shape[2]) : (64, 64)
        let factor = MapPicture.magnification(forSide: max(height, width))
        let (w, h) = (width * factor, height * factor)
        return figure.items.map { item in
            let nearest = item.nearest
            var details = ["nearest d = " + (nearest.neighbours.first.map { MapNumber.format($0.distance) } ?? "none"),
                           String(format: "percentile %.0f", nearest.percentile)]
            if let predicted = item.predicted {
                details.insert("says \(predicted)" + (item.probability.map { String(format: " (p = %.2f)", $0) } ?? ""), at: 0)
            }
            if let truth = item.trueClass { details.insert("is \(truth)", at: 0) }
            let mark: Figure.Mark = nearest.unusual ? .flagged("unusual: nearest distance above \(MapNumber.format(nearest.unusualAbove))") : .plain
            var figures = [Figure(picture: .dataURI(item.input, width: w, height: h, alt: item.image), caption: item.image,
                                  details: details, mark: mark)]
            figures += nearest.neighbours.map { near in
                let wrong = item.trueClass.map { $0 != near.class } ?? false
                return Figure(picture: .dataURI(near.image, width: w, height: h, alt: "training image \(near.index)"), caption: near.class,
                              details: ["d = " + MapNumber.format(near.distance)], mark: wrong ? .wrong : .plain)
            }
            return PictureGrid.html(figures, heading: item.image)
        }.joined()
    }

    /// A units figure on a page of its own.
    public static func unitsPage(_ figure: UnitsFigure, projections: Bool) -> ReportPage {
        let lead = "<p>The training images (or, for a convolutional layer, the image patches of the unit's receptive field) that "
            + "excite each unit of \(HTML.escape(figure.layer.name)) most"
            + (projections ? ", and beside each patch its Zeiler–Fergus deconvnet projection to pixels.</p>" : ".</p>")
        return ReportPage(fileName: "index.html", title: "Units of \(figure.layer.name)",
                          body: lead + unitsSection(figure, projections: projections))
    }
}
