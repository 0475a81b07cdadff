import LensExplain
import LensModels
import LensTensor
import Testing

/// Deletion and insertion curves on real ORL faces.
@Suite struct TrustFaithfulnessTests {
    static func run(baselines: [AttributionSettings.Baseline], fraction: Double = 1.0 / 16) throws -> (FaithfulnessReport, TrustSample) {
        var settings = TrustFixture.settings(samples: 8)
        settings.baselines = baselines
        settings.stepFraction = fraction
        settings.blurSigma = 2
        let network = TrustFixture.softmax
        let sample = try TrustSample(choosingFrom: TrustFixture.faces.test, network: network, settings: settings)
        let mean = Tensor(shape: [1, 16, 16], scalars: (0..<256).map { pixel in
            (0..<240).reduce(Float(0)) { $0 + TrustFixture.faces.train.images.scalars[$1 * 256 + pixel] } / 240
        })
        let report = try Faithfulness.run(network, sample: sample, settings: settings, context: AttributionContext(meanImage: mean),
                                          methods: [.saliency, .guidedBackprop])
        return (report, sample)
    }

    @Test func curvesStartAtTheImageAndEndAtTheBaseline() throws {
        let (report, sample) = try Self.run(baselines: [.zeros])
        #expect(report.fractions.count == 17)
        #expect(report.fractions.first == 0 && report.fractions.last == 1)
        #expect(zip(report.fractions, report.fractions.dropFirst()).allSatisfy { abs($1 - $0 - 1.0 / 16) < 1e-12 })
        let network = TrustFixture.softmax
        let probabilities = network.probabilities(sample.images)
        let onImage = sample.targets.enumerated().map { Double(probabilities.scalars[$0 * 40 + $1]) }
        let onZeros = network.probabilities(Tensor(shape: [1, 1, 16, 16]))
        let meanOnImage = onImage.reduce(0, +) / Double(onImage.count)
        let meanOnZeros = sample.targets.map { Double(onZeros.scalars[$0]) }.reduce(0, +) / Double(sample.count)
        let saliency = try #require(report.method(.saliency)?.baselines.first)
        #expect(saliency.baseline == .zeros)
        for curve in [saliency.deletion.map, saliency.deletion.reversed, saliency.deletion.random, saliency.deletion.brightness] {
            #expect(abs(curve.meanCurve.first! - meanOnImage) < 1e-5)
            #expect(abs(curve.meanCurve.last! - meanOnZeros) < 1e-5)
            #expect(curve.auc?.count == 8)
        }
        for curve in [saliency.insertion.map, saliency.insertion.random] {
            #expect(abs(curve.meanCurve.first! - meanOnZeros) < 1e-5)
            #expect(abs(curve.meanCurve.last! - meanOnImage) < 1e-5)
        }
        // The controls do not depend on the method.
        let guided = try #require(report.method(.guidedBackprop)?.baselines.first)
        #expect(guided.deletion.random == saliency.deletion.random)
        #expect(guided.insertion.brightness == saliency.insertion.brightness)
    }

    /// On softmax regression the saliency order beats its reverse and a random order against the
    /// mean and blurred baselines; against zeros, removing the brightest pixels first destroys a
    /// face fastest whatever the model, which is why the headline is insertion into a blurred copy.
    @Test func theMapsOrderBeatsItsReverseAndBrightnessOnlyWinsAgainstZeros() throws {
        let (report, _) = try Self.run(baselines: [.zeros, .mean, .blurred])
        let saliency = try #require(report.method(.saliency))
        #expect(saliency.baselines.map(\.baseline) == [.zeros, .mean, .blurred])
        #expect(saliency.headline == saliency.baselines[2].insertion)
        func mean(_ curve: Curve) throws -> Double { try #require(curve.auc?.mean) }
        for baseline in saliency.baselines.dropFirst() {
            let deletion = baseline.deletion, insertion = baseline.insertion
            #expect(try mean(deletion.map) < mean(deletion.reversed))
            #expect(try mean(deletion.map) < mean(deletion.random))
            #expect(try mean(insertion.map) > mean(insertion.reversed))
            #expect(try mean(insertion.map) > mean(insertion.random))
            #expect(deletion.images == 8 && deletion.constantMaps == 0)
            #expect((0...1).contains(try #require(insertion.shareBeatingRandom)))
        }
        let blurred = saliency.baselines[2].insertion
        #expect(try mean(blurred.map) > mean(blurred.brightness))
        let zeros = saliency.baselines[0].deletion
        #expect(try mean(zeros.brightness) < mean(zeros.map))
    }

    @Test func stepsCoverEveryPixelWhateverTheFraction() throws {
        let (report, _) = try Self.run(baselines: [.zeros], fraction: 0.3)
        // ceil(1 / 0.3) = 4 steps of 77 pixels (256 · 0.3 rounded), the last one clamped to all 256.
        #expect(report.fractions.map { Int(($0 * 256).rounded()) } == [0, 77, 154, 230, 256])
    }

    /// The reversed order's curves are read off the map order's passes; here they are checked
    /// against deletion done by hand in the reversed order, at uneven steps (fraction 0.3).
    @Test func theReversedCurveIsTheDeletionInReversedOrder() throws {
        var settings = TrustFixture.settings(samples: 2)
        settings.baselines = [.zeros]
        settings.stepFraction = 0.3
        var network = TrustFixture.cnn
        let sample = try TrustSample(choosingFrom: TrustFixture.faces.test, network: network, settings: settings)
        let report = try Faithfulness.run(network, sample: sample, settings: settings, methods: [.saliency])
        let reported = try #require(report.method(.saliency)?.baselines.first?.deletion.reversed.meanCurve)
        let maps = try AttributionMethod.saliency.attribute(&network, inputs: sample.images, targets: sample.targets).maps
        let magnitudes = PixelMagnitudes.of(maps, inputShape: [1, 16, 16])
        var sums = [Double](repeating: 0, count: 5)
        for item in 0..<2 {
            let map = magnitudes[item]
            let reversed = Array(map.indices.sorted { map[$0] > map[$1] || (map[$0] == map[$1] && $0 < $1) }.reversed())
            for (step, count) in [0, 77, 154, 230, 256].enumerated() {
                var image = Array(sample.images.scalars[(item * 256)..<((item + 1) * 256)])
                for pixel in reversed.prefix(count) { image[pixel] = 0 }
                let probabilities = network.probabilities(Tensor(shape: [1, 1, 16, 16], scalars: image))
                sums[step] += Double(probabilities.scalars[sample.targets[item]]) / 2
            }
        }
        #expect(zip(reported, sums).allSatisfy { abs($0 - $1) < 1e-6 }, "\(reported) vs \(sums)")
    }
}
