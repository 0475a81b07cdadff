import Foundation
import LensData
import LensExplain
import LensModels
import LensTensor
import Testing
@testable import LensStudio

/// The demo's trust page stands on its own: given the recipe its model was trained with, the page
/// runs data randomisation on the page's reduced budget and prints its table, and without one it
/// says how to run it (never pointing at a file a report reader does not have).
@Suite struct DemoTrustPageTests {
    @Test func theTrustPageCarriesDataRandomisationWhenItCanRetrain() throws {
        let data = try DatasetLoader.load(.orl, preprocessing: Preprocessing(size: 16, channels: 1))
        let split = SplitPlan.orl.split(labels: data.labels)
        var recipe = ModelRecipe.defaults(for: .softmax, trainingCount: split.train.count)
        recipe.options.epochs = 10
        recipe.options.learningRate = 1e-2
        let architecture = try recipe.architecture(inputShape: [1, 16, 16], classes: data.classNames.count)
        let train = (data.images.gather(split.train), split.train.map { data.labels[$0] })
        let network = try recipe.trainNetwork(architecture, train: train, validation: nil).network
        var pageData = PageData(classNames: data.classNames, trainImages: train.0, trainLabels: train.1,
                                testImages: data.images.gather(split.test), testLabels: split.test.map { data.labels[$0] })
        pageData.validationImages = data.images.gather(split.validation)
        pageData.validationLabels = split.validation.map { data.labels[$0] }

        let pages = try ExplanationPages.explanationPages(network, name: "softmax", data: pageData, budget: .quick, indices: [0],
                                                          retraining: recipe)
        let trust = try #require(pages.first { $0.fileName == "trust.html" })
        #expect(trust.body.contains("<h2 id=\"data-randomisation\">Data randomisation</h2>"))
        #expect(trust.body.contains("with the shuffled model") && !trust.body.contains("BENCHMARKS"))
        // each verdict's figures name the data-randomisation check it was reconciled with
        #expect(trust.body.contains("<ul class=verdicts>") && trust.body.contains(" · data randomisation "))
        // the maps page says each method's verdict and figures once, as the trust page does; each map keeps the verdict's word
        let maps = try #require(pages.first { $0.fileName == "maps.html" })
        let verdicts = try Regex(#"data-state=(\w+)>\w+</span> <b>[^<]+</b>[^<]*</summary><p class=note>(.*?) · <a href"#)
        let found = trust.body.matches(of: verdicts)
        #expect(!found.isEmpty)
        let lines = found.compactMap { $0.output[2].substring.map(String.init) }
        for match in found {
            let standing = try #require(match.output[1].substring), line = try #require(match.output[2].substring)
            // once per method (methods with the same figures, "too few images" on this budget, share a line)
            #expect(maps.body.components(separatedBy: "(\(line))").count - 1 == lines.filter { $0 == line }.count, "said once: \(line)")
            #expect(maps.body.contains("<br><small>trust: \(standing)</small>") && !maps.body.contains("trust: \(standing) · "), "\(standing)")
        }
        // a figure of the randomisation table (mean ± sd) never wraps inside itself
        #expect(trust.body.contains("\u{00A0}±\u{00A0}") && trust.body.range(of: #"\d ± \d"#, options: .regularExpression) == nil)

        let without = try ExplanationPages.explanationPages(network, name: "softmax", data: pageData, budget: .quick, indices: [0])
        let alone = try #require(without.first { $0.fileName == "trust.html" })
        #expect(alone.body.contains("--retrain") && !alone.body.contains("BENCHMARKS") && !alone.body.contains("with the shuffled model"))
    }
}
