import LensExplain
import LensModels
import LensTensor
import Testing
@testable import LensStudio

/// The one templates writer: the report's section, `lens explain`'s page and the demo's K sweep
/// draw a `TemplatesFigure` within the limits named in `TemplatesFigure.Limits`.
@Suite struct TemplatesPagesTests {
    static let classes = ["a", "b", "c", "d"]

    static func mlp(hidden: Int, seed: UInt64) throws -> Network {
        Network(architecture: try Architecture.mlp(inputShape: [1, 8, 8], hidden: [hidden], classes: classes.count), seed: seed)
    }

    static func pictures(_ html: String) -> Int { html.matches(of: #/<img class=px /#).count }

    @Test func theSweepDrawsEachWidthsFirstTemplatesOnItsOwnScale() throws {
        let runs = [(units: 3, network: try Self.mlp(hidden: 3, seed: 1), accuracy: 0.5),
                    (units: 30, network: try Self.mlp(hidden: 30, seed: 2), accuracy: 0.75)]
        let html = try ExplanationPages.templateSweepSection(runs, classNames: Self.classes)
        #expect(html.contains("<h3>K = 3 (test accuracy 0.500)</h3>") && html.contains("<h3>K = 30 (test accuracy 0.750)</h3>"))
        #expect(Self.pictures(html) == 3 + TemplatesFigure.Limits.sweep.grid, "all of K = 3, the first 20 of K = 30")
        #expect(html.contains("The first 20 of 30 templates") && !html.contains("W2 = "), "no voters in the sweep")
        for run in runs {
            let figure = try TemplatesFigure(run.network, classNames: Self.classes, limits: .sweep, loadingTraining: nil)
            #expect(figure.bound > 0 && html.contains(figure.colorBar), "K = \(run.units) has its own scale, drawn as every figure's")
        }
        let bounds = try runs.map { try TemplatesFigure($0.network, classNames: Self.classes, limits: .sweep, loadingTraining: nil).bound }
        #expect(bounds[0] != bounds[1], "one scale per model, not one for the sweep")
    }

    @Test func theReportAndTheExplainPageWriteTheSameFigure() throws {
        let network = try Self.mlp(hidden: 80, seed: 3)
        let images = Tensor(shape: [8, 1, 8, 8], scalars: (0..<(8 * 64)).map { Float(($0 * 37) % 101) / 101 })
        let labels = (0..<8).map { $0 % Self.classes.count }
        let data = PageData(classNames: Self.classes, trainImages: images, trainLabels: labels, testImages: images, testLabels: labels)
        let section = try ExplanationPages.templatesSection(network, name: "MLP", accuracy: 0.5, data: data)
        let report = TemplatesFigure.Limits.report
        #expect(section.contains("The first \(report.grid) of 80 templates"))
        #expect(section.contains(FaceLikeness.label(onFaces: false) + " <b>") && section.contains("a · its top voter&#39;s r = "))
        #expect(Self.pictures(section) == report.grid + Self.classes.count * 5, "the grid and each class's five voters")
        #expect(section.matches(of: #/<img class="px photo" src="data:image\/png;base64,/#).count == Self.classes.count,
                "a training photo beside each class's voters")
        #expect(section.contains("smoothness <b>"), "the smoothness figure beside the likeness")

        let figure = try TemplatesFigure(network, classNames: Self.classes, limits: .report, loadingTraining: { (images, labels) })
        #expect(figure.classPhotos.count == Self.classes.count && figure.classPhotos.allSatisfy { $0.hasPrefix("data:image/png") })
        #expect(figure.votes.map(\.class) == figure.votes.map { Self.classes[$0.classIndex] }, "each class's voters carry its label")
        let page = ExplanationPages.templatesPage(figure, title: "Templates")
        #expect(section.hasSuffix(page.body), "the explain page is the report's section without its heading")
    }
}
