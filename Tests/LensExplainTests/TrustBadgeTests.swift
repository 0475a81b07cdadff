import LensExplain
import LensModels
import LensTensor
import Testing

/// The badge carries the method's record on the model and flags maps that cannot be drawn.
@Suite struct TrustBadgeTests {
    @Test func badgesCombineTheReportsAndCheckEachMap() throws {
        let network = TrustFixture.cnn
        var settings = TrustFixture.settings(samples: 4)
        settings.baselines = [.zeros, .blurred]
        settings.blurSigma = 2
        let sample = try TrustSample(choosingFrom: TrustFixture.faces.test, network: network, settings: settings)
        let randomisation = try ModelRandomisation.run(network, sample: sample, settings: settings, methods: [.saliency])
        let faithfulness = try Faithfulness.run(network, sample: sample, settings: settings, methods: [.saliency, .deconvnet])
        let trust = MethodTrust.summarise(randomisation: randomisation, faithfulness: faithfulness)
        #expect(trust.map(\.method) == [.saliency, .deconvnet])
        let saliency = try #require(trust.first)
        #expect(saliency.randomisation == randomisation.method(.saliency)?.verdict)
        #expect(saliency.baseline == .blurred, "the headline baseline")
        let headline = try #require(faithfulness.method(.saliency)?.headline)
        #expect(saliency.insertion?.map == headline.map.auc?.mean)
        #expect(saliency.insertion?.random == headline.random.auc?.mean)
        #expect(trust[1].randomisation == nil, "deconvnet was not randomised here")

        var copy = network
        var result = try AttributionMethod.saliency.attribute(&copy, inputs: sample.images, targets: sample.targets)
        result.convergenceDelta = [0.5, 0.25, 0, 0]
        for index in 0..<256 { result.maps.scalars[256 + index] = 0 }
        result.maps.scalars[2 * 256 + 3] = .nan
        let badges = (0..<4).map { TrustBadge(result: result, item: $0, trust: trust) }
        #expect(badges.map(\.isDrawable) == [true, false, false, true])
        #expect(badges[1].check.problems == [.constant] && badges[2].check.problems == [.nan])
        #expect(badges.map(\.convergenceDelta) == [0.5, 0.25, 0, 0])
        #expect(badges[0].trust == saliency)
        #expect(TrustBadge(result: result, item: 9, trust: trust).isDrawable == false, "an item that is not there is not drawn")
    }
}
