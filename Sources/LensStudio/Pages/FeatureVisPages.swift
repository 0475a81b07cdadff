import Foundation
import LensExplain
import LensRender

extension ExplanationPages {
    /// One objective's synthetic images beside its top natural patches (same size), the ratio each
    /// reaches and the path check's table and badge.
    public static func featureVisPage(_ figure: FeatureVisFigure) -> ReportPage {
        let side = 128
        var body = "<p>Images made by gradient ascent to excite \(HTML.escape(figure.objective)) (Fourier-parametrised, "
            + "\(figure.settings.steps) Adam steps under random jitter, scale and rotation, seed \(figure.settings.seed)), "
            + "beside the natural patches that excite it most in \(HTML.escape(figure.searched)). People learn about as much "
            + "from either (Zimmermann et al. 2021)."
            + (figure.field.map { " The objective is one position of the channel, at the centre; each picture is the \($0.fullSize)×\($0.fullSize)-pixel "
                + "patch that position sees (its receptive field), the synthetic one cut from the optimised image." } ?? "") + "</p>"
        let synthetic = figure.images.enumerated().map { i, image in
            Figure(picture: .dataURI(image.image, width: side, height: side, alt: "synthetic \(i + 1)"), caption: "synthetic \(i + 1)",
                   details: [image.ratioWords]
                       + (image.classProbability.map { [String(format: "p(class) under jitter %.2f", $0)] } ?? []),
                   mark: image.badge == PathCheck.Verdict.naturalPath.rawValue ? .plain : .flagged(image.badge))
        }
        let natural = figure.natural.enumerated().map { i, image in
            Figure(picture: .dataURI(image.patch, width: side, height: side, alt: "natural \(i + 1)"), caption: image.class,
                   details: ["image \(image.datasetIndex)"])
        }
        body += PictureGrid.html(synthetic + natural, heading: "\(figure.objective): synthetic, then natural")
        body += "<p>Path check (Geirhos et al. 2023): <b>\(HTML.escape(figure.badge))</b>. Per layer up to the unit's, the synthetic "
            + "image's activations rank-correlated (Spearman, channel means for a convolutional layer) with those of the top "
            + "natural images, and with those of as many random natural images.</p>"
        if !figure.images.isEmpty {
            // each image's own numbers: with diversity the images can take different paths
            body += "<table><tr><th>layer</th>" + figure.images.indices.map { "<th>synthetic \($0 + 1): vs top natural / vs random</th>" }.joined()
                + "</tr>"
            for (row, layer) in (figure.images.first?.pathSimilarity ?? []).enumerated() {
                body += "<tr><td>\(HTML.escape(layer.layer))</td>" + figure.images.map { image in
                    String(format: "<td>%.3f / %.3f</td>", image.pathSimilarity[row].value, image.pathBaseline[row].value)
                }.joined() + "</tr>"
            }
            body += "<tr><td>path</td>" + figure.images.map { "<td>\(HTML.escape($0.badge))</td>" }.joined() + "</tr></table>"
        }
        let trace = LineChart(title: "Objective during the ascent", xLabel: "step", yLabel: "objective",
                              series: [.init(name: "mean objective", color: "#1f77b4",
                                             points: figure.trace.enumerated().map { (Double($0 + 1), Double($1)) })])
        body += trace.svg()
        return ReportPage(fileName: "index.html", title: "What \(figure.objective) wants to see", body: body)
    }

    /// The separability curve over the layers, then each layer's t-SNE map (points coloured by class,
    /// misclassified images ringed; a point's title names its image).
    public static func embeddingPage(_ figure: EmbeddingFigure) -> ReportPage {
        let xs = figure.layers.indices.map(Double.init)
        let curve = LineChart(title: "How well each layer separates the classes", xLabel: "layer (0 = pixels)", yLabel: "score",
                              series: [.init(name: "k-NN accuracy", color: "#1f77b4", points: zip(xs, figure.layers.map(\.knnAccuracy)).map { ($0, $1) }),
                                       .init(name: "trustworthiness", color: "#ff7f0e", points: zip(xs, figure.layers.map(\.trustworthiness)).map { ($0, $1) })],
                              yRange: 0...1)
        var body = "<p>The \(figure.labels.count) \(HTML.escape(figure.split)) images at every layer, from the pixels up, each "
            + "point an image coloured by its class, misclassified ones larger and ringed (hover a point for its image and class). "
            + "k-NN accuracy: how often an image's \(figure.settings.knnNeighbours) nearest training images in that layer vote its class; "
            + "trustworthiness (Venna & Kaski): how far t-SNE's map keeps each image's \(figure.settings.trustNeighbours) nearest neighbours. Layers: "
            + figure.layers.enumerated().map { "\($0) = \(HTML.escape($1.layer))" }.joined(separator: ", ") + ".</p>" + curve.svg()
        for layer in figure.layers {
            body += "<h3>\(HTML.escape(layer.layer))</h3><p>"
                + String(format: "k-NN accuracy %.3f, trustworthiness %.3f (t-SNE, perplexity %.0f)", layer.knnAccuracy,
                         layer.trustworthiness, figure.settings.tsne.perplexity) + "</p>"
            body += "<div class=row id=\"embedding-\(HTML.escape(layer.layer))\"><figure>" + scatter(layer.pca, figure: figure, size: 360)
                + "<figcaption>PCA</figcaption></figure><figure>" + scatter(layer.tsne, figure: figure, size: 360)
                + "<figcaption>t-SNE</figcaption></figure></div>"
        }
        return ReportPage(fileName: "index.html", title: "How each layer arranges the images", body: body,
                          navigationTitle: "Embedding")
    }

    /// An SVG scatter of 2-D points, one colour per class.
    static func scatter(_ points: [[Float]], figure: EmbeddingFigure, size: Double = 480) -> String {
        let xs = points.map { Double($0[0]) }, ys = points.map { Double($0[1]) }
        guard let minX = xs.min(), let maxX = xs.max(), let minY = ys.min(), let maxY = ys.max() else { return "" }
        let span = max(maxX - minX, maxY - minY, 1e-9), margin = 8.0
        var svg = "<svg viewBox=\"0 0 \(Int(size)) \(Int(size))\" width=\"\(Int(size))\" height=\"\(Int(size))\" role=img>"
        for (i, point) in points.enumerated() {
            let x = margin + (Double(point[0]) - minX) / span * (size - 2 * margin)
            let y = margin + (Double(point[1]) - minY) / span * (size - 2 * margin)
            let label = figure.labels[i], predicted = figure.predictions[i]
            let name = label < figure.classNames.count ? figure.classNames[label] : "\(label)"
            let wrong = label != predicted
            svg += String(format: "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%@\" fill=\"%@\"%@><title>%@</title></circle>", x, y,
                          wrong ? "3.5" : "2.5", label < figure.classColors.count ? figure.classColors[label] : "#777", wrong ? " stroke=\"#000\" stroke-width=\"1\"" : "",
                          HTML.escape("image \(figure.datasetIndices[i]): \(name)" + (wrong ? " (predicted \(predicted < figure.classNames.count ? figure.classNames[predicted] : "\(predicted)"))" : "")))
        }
        return svg + "</svg>"
    }
}
