import Foundation
import LensModels
import LensRender

extension ExplanationPages {
    /// Lecture step 4: the first templates of networks of several hidden widths K, each network
    /// laid out and drawn as every templates figure is (`TemplatesFigure`, its own symmetric scale).
    public static func templateSweepSection(_ runs: [(units: Int, network: Network, accuracy: Double)],
                                            classNames: [String]) throws -> String {
        var html = """
        <h2>What the templates look like for a few K</h2>
        <p class=lecture>With few hidden units, each template must serve many classes and looks like a blend of faces;
        with more, templates specialise.</p>
        """
        for run in runs {
            let figure = try TemplatesFigure(run.network, classNames: classNames, limits: .sweep, loadingTraining: nil)
            html += "<h3>K = \(run.units) (test accuracy \(String(format: "%.3f", run.accuracy)))</h3>"
            html += templatesGrid(figure) + figure.colorBar
        }
        return html
    }
}
