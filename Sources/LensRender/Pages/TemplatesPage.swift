import Foundation
import LensTensor

/// Lecture steps 3 and 4: the weights of a linear layer drawn as images ("templates").
public enum TemplatesPage {
    /// The templates of networks of several widths K side by side (the first 20 of each).
    public static func sweepSection(_ runs: [(units: Int, firstWeights: Tensor, accuracy: Double)], imageShape: [Int]) throws -> String {
        var html = """
        <h2>What the templates look like for a few K</h2>
        <p class=lecture>With few hidden units, each template must serve many classes and looks like a blend of faces;
        with more, templates specialise.</p>
        """
        for run in runs {
            let shown = min(run.firstWeights.shape[0], 20)
            let maps = (0..<shown).map { run.firstWeights.slice($0..<($0 + 1)).reshaped(imageShape) }
            let figures = try signedFigures(maps, captions: (0..<shown).map { "unit \($0)" }, alt: "K = \(run.units) template")
            html += "<h3>K = \(run.units) (test accuracy \(String(format: "%.3f", run.accuracy)))</h3>"
            html += figures.grid + ColorBar.html(figures.scale, label: "weight, one scale for these \(shown) templates")
        }
        return html
    }

    /// Weight maps [C, H, W] on one symmetric diverging scale (red positive, blue negative, white
    /// zero), channels summed: templates of one model are compared with each other, so they share it.
    public static func signedFigures(_ maps: [Tensor], captions: [String], details: [[String]] = [], alt: String,
                                     magnification: Int? = nil) throws -> (grid: String, scale: MapScale) {
        let reduced = try maps.map { try ChannelReduction.sum.reduce($0) }
        let scale = MapScale.fitting(reduced, kind: .signed)
        let figures = try maps.enumerated().map { index, map in
            Figure(picture: try Picture.map(map, reduction: .sum, scale: scale, alt: "\(alt) \(captions[index])", magnification: magnification),
                   caption: captions[index], details: index < details.count ? details[index] : [])
        }
        return ("<div class=figs>" + figures.map(\.html).joined() + "</div>", scale)
    }
}
