import LensExplain
import LensModels
import LensTensor
import Testing

/// Model randomisation on a small CNN trained on real ORL faces.
@Suite struct TrustRandomisationTests {
    @Test func randomisedLayersComeFromAFreshNetworkAndTheRestIsKept() throws {
        let trained = TrustFixture.cnn
        let seed = ModelRandomisation.randomisationSeed(7)
        let fresh = Network(architecture: trained.architecture, seed: seed)
        #expect(trained.learnableLayerNames == ["conv1", "conv2", "fc1", "fc2"])
        let sample = try TrustSample(choosingFrom: TrustFixture.faces.test, network: trained, settings: TrustFixture.settings(samples: 4))
        var kept: [String: Tensor] = [:]
        var settings = TrustFixture.settings(samples: 4)
        settings.seed = 7
        // The step maps of the cascade's first step are those of the network with fc2 from `fresh`.
        var firstStep: Tensor?
        _ = try ModelRandomisation.run(trained, sample: sample, settings: settings, methods: [.saliency]) { _, label, maps in
            kept[label] = maps
            if label == "cascade fc2" { firstStep = maps }
        }
        var expected = trained
        let fc2 = Dictionary(uniqueKeysWithValues: fresh.parameters.filter { $0.name.hasPrefix("fc2.") }.map { ($0.name, $0.tensor) })
        var all = Dictionary(uniqueKeysWithValues: trained.parameters.map { ($0.name, $0.tensor) })
        all.merge(fc2) { $1 }
        try expected.load(parameters: all)
        let direct = try AttributionMethod.saliency.attribute(&expected, inputs: sample.images, targets: sample.targets).maps
        #expect(firstStep == direct)
        #expect(Set(kept.keys) == ["original", "cascade fc2", "cascade fc1", "cascade conv2", "cascade conv1",
                                   "alone fc1", "alone conv2", "alone conv1"])
    }

    @Test func everyRegisteredMethodGetsCascadingAndIndependentSteps() throws {
        let network = TrustFixture.cnn
        let settings = TrustFixture.settings(samples: 12)
        let sample = try TrustSample(choosingFrom: TrustFixture.faces.test, network: network, settings: settings)
        #expect(sample.count == 12)
        let report = try ModelRandomisation.run(network, sample: sample, settings: settings)
        #expect(report.methods.map(\.method) == AttributionMethod.allCases)
        for method in report.methods where method.notApplicable == nil {
            #expect(method.cascading.map(\.layer) == ["fc2", "fc1", "conv2", "conv1"])
            #expect(method.cascading.last?.randomisedLayers == ["fc2", "fc1", "conv2", "conv1"])
            #expect(method.independent.map(\.randomisedLayers) == [["fc2"], ["fc1"], ["conv2"], ["conv1"]])
            #expect(method.independent.first == method.cascading.first)
            for step in method.cascading + method.independent {
                #expect(step.agreement.compared + step.agreement.constantMaps + step.agreement.unhealthyMaps == 12)
                if let spearman = step.agreement.spearman {
                    #expect(spearman.mean.isFinite && spearman.min <= spearman.mean && spearman.mean <= spearman.max)
                    #expect((-1...1).contains(spearman.mean))
                }
            }
            let verdict = try #require(method.verdict)
            #expect(verdict.threshold == 0.5 && verdict.rule.contains("fc2"))
            if let rho = verdict.topStepSpearman { #expect(verdict.outcome == (rho < 0.5 ? .passed : .failed)) }
        }
        // Saliency on a randomised model is another function of the image: by the full cascade
        // its maps no longer rank the pixels as the trained model's did.
        let saliency = try #require(report.method(.saliency))
        let full = try #require(saliency.cascading.last?.agreement.spearman?.mean)
        #expect(full < 0.5)
        // The same seed gives the same report; another seed other weights.
        #expect(try ModelRandomisation.run(network, sample: sample, settings: settings, methods: [.saliency]).methods
                == [saliency])
    }

    @Test func sanityOnATrainedModelChoosesImagesAndRunsExactAnswersOnlyForSoftmax() throws {
        let report = try TrustCheck.sanity(.network(TrustFixture.cnn), testImages: TrustFixture.faces.test,
                                           settings: TrustFixture.settings(samples: 6), methods: [.saliency])
        #expect(report.randomisation.imageIndices.count == 6)
        #expect(Set(report.randomisation.imageIndices).count == 6)
        #expect(report.exactAnswers == nil)
    }
}
