import Foundation
import LensRender

/// The pages `lens explain` writes: each only draws its figure, with the report's HTML writers.
extension ExplanationPages {
    /// One row per image: the input, its map laid over it, and the colour bar of its scale.
    public static func attributionPage(_ figure: AttributionFigure) -> ReportPage {
        var body = "<p>\(HTML.escape(figure.summary))</p>" + AttributionRow.legendHTML
            + "<p class=note>\(HTML.escape(figure.reduction)); \(HTML.escape(MapPanel.settingsLine(figure.settings))). "
            + "Colours: \(HTML.escape(figure.scaleRule)).</p>"
        for item in figure.items {
            let side = 192
            var details = [String(format: "p = %.3f, predicted %@", item.targetProbability, item.predicted)]
            if let truth = item.trueClass { details.insert("is \(truth)", at: 0) }
            if let delta = item.convergenceDelta { details.append("convergence delta " + MapNumber.format(delta)) }
            let wrong = item.trueClass.map { $0 != item.predicted } ?? false
            body += "<div class=\"attrrow\(wrong ? " wrong" : "")\">"
                + Figure(picture: .dataURI(item.input, width: side, height: side, alt: item.image), caption: item.image,
                         details: details, mark: wrong ? .wrong : .plain).html
                + Figure(picture: item.map.picture(width: side, height: side, alt: "\(figure.title) map of \(item.image)"),
                         caption: "explains \(item.target)").html
                + "<div class=legend>\(item.colorBar)</div></div>"
        }
        return ReportPage(fileName: "index.html", title: "\(figure.title): \(figure.model)", body: body)
    }

    /// Each input beside its nearest training images, flagged when unusual.
    public static func nearestPage(_ figure: NearestFigure) -> ReportPage {
        var body = "<p>Distances: \(HTML.escape(figure.space)), \(HTML.escape(figure.metric)). An input is unusual when its nearest "
            + "distance lies above \(MapNumber.format(figure.unusualAbove)), the \(String(format: "%.0f", figure.unusualPercentile))th "
            + "percentile of the \(HTML.escape(figure.calibration)) images' nearest distances; it "
            + "\(HTML.escape(figure.flagRates.summary)).</p>"
        for item in figure.items {
            var figures = [Figure(picture: .dataURI(item.input, width: 96, height: 96, alt: item.image), caption: item.image,
                                  details: [String(format: "percentile %.0f", item.nearest.percentile)],
                                  mark: item.nearest.unusual ? .flagged("unusual") : .plain)]
            figures += item.nearest.neighbours.map { near in
                Figure(picture: .dataURI(near.image, width: 96, height: 96, alt: near.class), caption: near.class,
                       details: ["d = " + MapNumber.format(near.distance)])
            }
            body += PictureGrid.html(figures, heading: item.image)
        }
        return ReportPage(fileName: "index.html", title: "Nearest training images", body: body)
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
