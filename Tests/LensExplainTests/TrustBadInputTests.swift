import LensExplain
import LensModels
import LensTensor
import Testing

/// Trust checks asked the impossible say what is wrong, in one line, and never trap.
@Suite struct TrustBadInputTests {
    @Test func noLearnableLayerBetweenTheInputAndTheMapsLayer() throws {
        var attribution = AttributionSettings()
        attribution.layer = "flatten"
        let network = TrustFixture.softmax
        let sample = try TrustSample(choosingFrom: TrustFixture.faces.test, network: network, settings: TrustFixture.settings(samples: 2))
        do {
            _ = try ModelRandomisation.run(network, sample: sample, settings: TrustFixture.settings(samples: 2), attribution: attribution)
            Issue.record("expected an error")
        } catch let error as ExplainError {
            #expect("\(error)".contains("learnable layer between the input and the map's layer \"flatten\""))
            #expect("\(error)".contains("fc"))
        }
        attribution.layer = "nope"
        #expect(throws: NetworkError.self) {
            _ = try ModelRandomisation.run(network, sample: sample, settings: TrustFixture.settings(samples: 2), attribution: attribution)
        }
    }

    @Test func nearestNeighbourModelsAreToldToUseTheNeighbourEvidence() throws {
        let faces = TrustFixture.faces
        let classifier = try NearestNeighborClassifier(k: 1, metric: .euclidean, references: faces.train.images.reshaped([240, 256]),
                                                       labels: faces.train.labels, classCount: 40)
        for check in ["sanity", "faithfulness"] {
            do {
                if check == "sanity" {
                    _ = try TrustCheck.sanity(.nearestNeighbor(classifier), testImages: faces.test)
                } else {
                    _ = try TrustCheck.faithfulness(.nearestNeighbor(classifier), testImages: faces.test)
                }
                Issue.record("expected an error for \(check)")
            } catch let error as ExplainError {
                guard case .notApplicable(let method, let model, _) = error else { Issue.record("\(error)"); continue }
                #expect(method == check && model == "k-NN")
                #expect("\(error)".contains("nearest-neighbour evidence"))
            }
        }
    }

    @Test func tooFewTestImages() throws {
        let one = TrustFixture.faces.test.slice(0..<1)
        #expect(throws: ExplainError.invalidInput("too few test images: 1 given, the trust checks need at least 2 to average over")) {
            _ = try TrustCheck.sanity(.network(TrustFixture.softmax), testImages: one)
        }
        var settings = TrustSettings()
        settings.samples = 1
        #expect(throws: ExplainError.settingOutOfRange(setting: "test images", value: "1", allowed: "between 2 and 4096")) {
            _ = try TrustCheck.faithfulness(.network(TrustFixture.softmax), testImages: TrustFixture.faces.test, settings: settings)
        }
    }

    @Test func stepFractionOutOfRange() {
        for fraction in [0, -0.1, 0.75, 1.0 / 2048, .nan] {
            var settings = TrustSettings()
            settings.stepFraction = fraction
            #expect(throws: ExplainError.self) { try settings.validate() }
            do { try settings.validate() } catch { #expect("\(error)".hasPrefix("step fraction")) }
        }
        var fine = TrustSettings()
        fine.stepFraction = 0.5
        #expect(throws: Never.self) { try fine.validate() }
    }

    @Test func baselineOutOfRange() throws {
        #expect(throws: ExplainError.settingOutOfRange(setting: "baseline", value: "grey", allowed: "one of zeros, mean, blurred")) {
            _ = try TrustSettings.baseline(named: "grey")
        }
        #expect(try TrustSettings.baseline(named: "blurred") == .blurred)
        var settings = TrustFixture.settings(samples: 2)
        settings.blurSigma = 0
        #expect(throws: ExplainError.self) { try settings.validate() }
        settings.blurSigma = 5
        settings.baselines = []
        #expect(throws: ExplainError.self) { try settings.validate() }
        // The mean baseline needs the mean image, of the model's input size.
        settings.baselines = [.mean]
        let network = TrustFixture.softmax
        let sample = try TrustSample(choosingFrom: TrustFixture.faces.test, network: network, settings: settings)
        do {
            _ = try Faithfulness.run(network, sample: sample, settings: settings, methods: [.saliency])
            Issue.record("expected an error")
        } catch { #expect("\(error)".contains("the mean baseline needs the mean training image")) }
        let wrongSize = AttributionContext(meanImage: Tensor(shape: [1, 8, 8]))
        do {
            _ = try Faithfulness.run(network, sample: sample, settings: settings, context: wrongSize, methods: [.saliency])
            Issue.record("expected an error")
        } catch { #expect("\(error)".contains("the mean image has 64 values")) }
    }
}
