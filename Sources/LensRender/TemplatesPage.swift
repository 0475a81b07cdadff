import Foundation
import LensTensor

/// Lecture steps 3 and 4: the weights of a linear layer drawn as images ("templates").
public enum TemplatesPage {
    /// Rows of `weights` [units, C·H·W] as images of `imageShape` [C, H, W], each on a symmetric
    /// scale around zero (gray = 0, bright = positive weight, dark = negative), so that the sign
    /// of each weight is visible and no template looks stronger than it is only because of scaling.
    public static func templateImages(_ weights: Tensor, imageShape: [Int]) -> [Tensor] {
        let size = imageShape.reduce(1, *)
        return (0..<weights.shape[0]).map { row in
            var values = Array(weights.scalars[(row * size)..<((row + 1) * size)])
            let bound = max(values.map(abs).max() ?? 1, 1e-12)
            for i in values.indices { values[i] = 0.5 + 0.5 * values[i] / bound }
            return Tensor(shape: imageShape, scalars: values)
        }
    }

    /// Softmax regression: one template per class.
    public static func softmaxSection(weights: Tensor, imageShape: [Int], classNames: [String], accuracy: Double) throws -> String {
        var html = """
        <h2>0 hidden layers: one template per class (test accuracy \(String(format: "%.3f", accuracy)))</h2>
        <p class=lecture>Softmax regression computes, for every class, the dot product of the image with that class's
        weights, and the largest score wins. The weights have the shape of an image: they are a template,
        and the network answers "which template does this image match best?". Bright pixels push the score up,
        dark ones down; gray is zero.</p><div class=grid>
        """
        for (index, image) in templateImages(weights, imageShape: imageShape).enumerated().prefix(64) {
            html += "<figure>\(try ReportImage.tag(image, alt: "template for \(classNames[index])"))<figcaption>\(HTML.escape(classNames[index]))</figcaption></figure>"
        }
        return html + "</div>"
    }

    /// One hidden layer: the K templates, and for each class the templates that vote for it most.
    public static func hiddenLayerSection(firstWeights: Tensor, secondWeights: Tensor, imageShape: [Int], classNames: [String],
                                          accuracy: Double, classesShown: Int = 8, votersShown: Int = 5) throws -> String {
        let templates = templateImages(firstWeights, imageShape: imageShape)
        let units = firstWeights.shape[0]
        var html = """
        <h2>1 hidden layer: \(units) templates (test accuracy \(String(format: "%.3f", accuracy)))</h2>
        <p class=lecture>Each hidden unit matches the image against its own template (a row of W<sup>(1)</sup>);
        the second layer's weights W<sup>(2)</sup>[class, k] say how much template k votes for each class.
        Below, for the first classes, the templates with the largest vote for it, with the weight of the vote.</p>
        """
        for c in 0..<min(classesShown, classNames.count) {
            let votes = (0..<units).map { k in (k, secondWeights.scalars[c * units + k]) }.sorted { $0.1 > $1.1 }
            html += "<h3>\(HTML.escape(classNames[c]))</h3><div class=grid>"
            for (k, weight) in votes.prefix(votersShown) {
                html += "<figure>\(try ReportImage.tag(templates[k], alt: "template \(k)"))<figcaption>unit \(k), W2 = \(String(format: "%.2f", weight))</figcaption></figure>"
            }
            html += "</div>"
        }
        html += "<h3>All templates (first 100)</h3><div class=grid>"
        for (k, image) in templates.enumerated().prefix(100) {
            html += "<figure>\(try ReportImage.tag(image, alt: "template \(k)"))<figcaption>\(k)</figcaption></figure>"
        }
        return html + "</div>"
    }

    /// The templates of networks of several widths K side by side (the first 20 of each).
    public static func sweepSection(_ runs: [(units: Int, firstWeights: Tensor, accuracy: Double)], imageShape: [Int]) throws -> String {
        var html = """
        <h2>What the templates look like for a few K</h2>
        <p class=lecture>With few hidden units, each template must serve many classes and looks like a blend of faces;
        with more, templates specialise.</p>
        """
        for run in runs {
            html += "<h3>K = \(run.units) (test accuracy \(String(format: "%.3f", run.accuracy)))</h3><div class=grid>"
            for (k, image) in templateImages(run.firstWeights, imageShape: imageShape).enumerated().prefix(20) {
                html += "<figure>\(try ReportImage.tag(image, alt: "K = \(run.units), template \(k)"))<figcaption>unit \(k)</figcaption></figure>"
            }
            html += "</div>"
        }
        return html
    }
}
