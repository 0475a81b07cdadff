import LensData
import LensExplain
import LensModels
import LensTensor
import Testing

/// Data randomisation on ORL with softmax regression (fast enough for a debug build).
@Suite struct TrustDataRandomisationTests {
    @Test func shuffledLabelsAreMemorisedAndSaliencyFollowsTheControl() throws {
        var settings = TrustFixture.settings(samples: 10)
        settings.memorisationAccuracy = 0.95
        let network = TrustFixture.softmax
        let sample = try TrustSample(choosingFrom: TrustFixture.faces.test, network: network, settings: settings)
        var messages: [String] = []
        let report = try DataRandomisation.run(network, recipe: TrustFixture.softmaxRecipe, train: TrustFixture.faces.train,
                                               validation: TrustFixture.faces.validation, sample: sample, settings: settings,
                                               methods: [.saliency]) { messages.append($0) }
        #expect(report.shuffled.memorised == true)
        #expect(report.shuffled.trainingAccuracy >= 0.95)
        #expect(report.shuffled.epochsRaised == (report.shuffled.epochs > TrustFixture.softmaxRecipe.options.epochs))
        #expect(report.control.trainingAccuracy > 0.9)
        #expect(report.shuffled.seed != report.control.seed)
        #expect(messages.first?.contains("shuffled labels") == true)
        let saliency = try #require(report.method(.saliency))
        let control = try #require(saliency.realVsControl?.spearman?.mean)
        let shuffled = try #require(saliency.realVsShuffled?.spearman?.mean)
        // Softmax saliency is the target's weight row: a face template from either true-label
        // model, a template of some other person's photos from the shuffled one.
        #expect(control > shuffled + settings.dataRandomisationMargin)
        #expect(saliency.verdict?.outcome == .passed)
        #expect(abs((saliency.verdict?.difference ?? 0) - (control - shuffled)) < 1e-12)
    }

    @Test func comparingAModelWithItselfAgreesPerfectly() throws {
        let network = TrustFixture.cnn
        let sample = try TrustSample(choosingFrom: TrustFixture.faces.test, network: network, settings: TrustFixture.settings(samples: 4))
        let other = Network(architecture: network.architecture, seed: 99)
        let results = try DataRandomisation.compare(network, shuffled: other, control: network, sample: sample,
                                                    methods: [.saliency, .deconvnet])
        for result in results {
            #expect(result.realVsControl?.spearman?.mean == 1)
            #expect(result.realVsControl?.ssim.map { abs($0.mean - 1) < 1e-9 } == true)
            #expect(try #require(result.realVsShuffled?.spearman?.mean) < 0.99)
        }
    }

    @Test func aRecipeComesFromTheModelFile() throws {
        let provenance = ModelProvenance(kind: .softmax, classNames: TrustFixture.faces.classNames,
                                         preprocessing: Preprocessing(size: 16), dataset: "orl", split: .orl, datasetCount: 400)
        let file = ModelFile(provenance: provenance, model: .network(TrustFixture.softmax), options: TrustFixture.softmaxRecipe.options)
        let recipe = try DataRandomisation.recipe(for: file)
        #expect(recipe.options == TrustFixture.softmaxRecipe.options && recipe.kind == .softmax)
        let bare = ModelFile(provenance: provenance, model: .network(TrustFixture.softmax))
        #expect(throws: ExplainError.self) { try DataRandomisation.recipe(for: bare) }
    }
}
