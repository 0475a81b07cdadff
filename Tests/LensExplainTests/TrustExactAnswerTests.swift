import LensExplain
import LensModels
import LensTensor
import Testing

/// Softmax regression's maps are known in closed form; `sanity` checks them live.
@Suite struct TrustExactAnswerTests {
    @Test func softmaxSaliencyIsTheWeightRowAndIntegratedGradientsWeightTimesInput() throws {
        let network = TrustFixture.softmax
        #expect(TrustFixture.accuracy(network) > 0.5, "a trained model, not noise")
        let report = try TrustCheck.sanity(.network(network), testImages: TrustFixture.faces.test,
                                           settings: TrustFixture.settings(samples: 8), methods: [.saliency])
        let checks = try #require(report.exactAnswers)
        #expect(checks.map(\.method) == ["saliency", "integrated-gradients"])
        let saliency = checks[0]
        let scale = try #require(saliency.largestExpected)
        #expect(scale > 0)
        #expect(try #require(saliency.largestDifference) <= 1e-6 * scale)
        let integrated = checks[1]
        if AttributionMethod(rawValue: "integrated-gradients") == nil {
            #expect(integrated.notAvailable?.contains("not registered") == true)
            #expect(integrated.largestDifference == nil)
        } else {
            // Exact for a linear model with any quadrature rule, up to float rounding.
            #expect(try #require(integrated.largestDifference) <= 1e-4 * (integrated.largestExpected ?? 0) + 1e-6)
        }
    }

    @Test func theExactAnswerCheckCanFail() throws {
        // A saliency map of another class is not this class's weight row: the figure shows it.
        var network = TrustFixture.softmax
        let sample = try TrustSample(choosingFrom: TrustFixture.faces.test, network: network, settings: TrustFixture.settings(samples: 4))
        var shifted = sample
        shifted.targets = sample.targets.map { ($0 + 1) % 40 }
        let wrong = try AttributionMethod.saliency.attribute(&network, inputs: sample.images, targets: shifted.targets).maps
        let right = try AttributionMethod.saliency.attribute(&network, inputs: sample.images, targets: sample.targets).maps
        #expect(wrong != right)
        let checks = try ExactAnswers.check(network, sample: shifted)
        #expect(try #require(checks[0].largestDifference) <= 1e-6 * (checks[0].largestExpected ?? 0),
                "checked against the rows of the targets it was given")
    }

    @Test func exactAnswersNeedSoftmaxRegression() throws {
        let sample = try TrustSample(choosingFrom: TrustFixture.faces.test, network: TrustFixture.cnn,
                                     settings: TrustFixture.settings(samples: 2))
        #expect(ExactAnswers.linearLayer(of: TrustFixture.cnn) == nil)
        #expect(ExactAnswers.linearLayer(of: TrustFixture.softmax) == "fc")
        #expect(throws: ExplainError.self) { try ExactAnswers.check(TrustFixture.cnn, sample: sample) }
    }
}
