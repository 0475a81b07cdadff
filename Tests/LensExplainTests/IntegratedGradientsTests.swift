import Foundation
@testable import LensExplain
import LensModels
import LensTensor
import Testing

/// Completeness, convergence, the quadrature rules, the baselines and the streaming.
@Suite struct IntegratedGradientsTests {
    /// Attributions sum to F(x) − F(x₀) up to the reported delta, and the delta shrinks as the
    /// steps grow (a CNN, so the integrand is not constant).
    @Test(arguments: AttributionSettings.IntegrationRule.allCases)
    func completenessWithinTheDeltaWhichShrinksWithSteps(_ rule: AttributionSettings.IntegrationRule) throws {
        var network = try ExplainTestModels.cnn()
        let inputs = ExplainTestModels.images(3)
        let targets = [0, 1, 2]
        let logits = network.logits(inputs), zero = network.logits(Tensor(shape: inputs.shape))
        var deltas: [[Float]] = []
        for steps in [2, 8, 64] {
            var settings = AttributionSettings()
            settings.integrationRule = rule
            settings.integrationSteps = steps
            let result = try AttributionMethod.integratedGradients.attribute(&network, inputs: inputs, targets: targets, settings: settings)
            let delta = try #require(result.convergenceDelta)
            for item in 0..<3 {
                let total = result.maps.scalars[(item * 144)..<((item + 1) * 144)].reduce(0, +)
                let change = logits.scalars[item * 3 + targets[item]] - zero.scalars[item * 3 + targets[item]]
                #expect(abs(total - change - delta[item]) < 1e-4 * max(1, abs(change)))
            }
            deltas.append(delta.map(abs))
        }
        let worst = deltas.map { $0.max() ?? 0 }
        #expect(worst[0] > worst[1] && worst[1] > worst[2], "deltas by steps 2, 8, 64: \(worst)")
        #expect(worst[0] > 1e-4, "the test CNN must be nonlinear along the path")
    }

    /// numpy's leggauss(3): nodes −√(3/5), 0, √(3/5), weights 5/9, 8/9, 5/9; on [0, 1] halved.
    @Test func gaussLegendreNodesMatchLeggauss() {
        let (alphas, weights) = AttributionSettings.IntegrationRule.gaussLegendre.nodes(count: 3)
        let root = (3.0 / 5).squareRoot()
        for (found, expected) in zip(alphas, [0.5 * (1 - root), 0.5, 0.5 * (1 + root)]) { #expect(abs(found - expected) < 1e-15) }
        for (found, expected) in zip(weights, [5.0 / 18, 8.0 / 18, 5.0 / 18]) { #expect(abs(found - expected) < 1e-15) }
        // 50 nodes integrate polynomials up to degree 99 exactly: ∫₀¹ α⁹⁹ = 1/100.
        let fifty = AttributionSettings.IntegrationRule.gaussLegendre.nodes(count: 50)
        let integral = zip(fifty.alphas, fifty.weights).reduce(0.0) { $0 + $1.1 * pow($1.0, 99) }
        #expect(abs(integral - 0.01) < 1e-14)
        #expect(fifty.alphas == fifty.alphas.sorted())
        let midpoint = AttributionSettings.IntegrationRule.midpoint.nodes(count: 4)
        #expect(midpoint.alphas == [0.125, 0.375, 0.625, 0.875] && midpoint.weights == [0.25, 0.25, 0.25, 0.25])
    }

    /// The path is streamed in batches of `batchSize` points: one progress report per batch, and
    /// the same attributions whatever the batch size.
    @Test func pathPointsAreStreamedThroughFixedBatches() throws {
        var network = try ExplainTestModels.cnn()
        let inputs = ExplainTestModels.images(2)
        final class Counter: @unchecked Sendable { var calls = 0 }
        let counter = Counter()
        var settings = AttributionSettings()
        settings.integrationSteps = 1000
        settings.batchSize = 64
        let streamed = try AttributionMethod.integratedGradients.attribute(
            &network, inputs: inputs, targets: [1, 2], settings: settings,
            context: AttributionContext(progress: { _ in counter.calls += 1 }))
        #expect(counter.calls == (2 * 1000 + 63) / 64)
        settings.batchSize = 7
        let small = try AttributionMethod.integratedGradients.attribute(&network, inputs: inputs, targets: [1, 2], settings: settings)
        let scale = streamed.maps.scalars.reduce(0) { max($0, abs($1)) }
        #expect(maxDifference(streamed.maps.scalars, small.maps.scalars) <= 1e-4 * scale)
    }

    /// From the mean image, the attributions sum to F(x) − F(mean); a missing or misshapen mean
    /// image is an error; the blurred baseline of a constant image is that image (no attribution).
    @Test func meanAndBlurredBaselines() throws {
        var network = try ExplainTestModels.cnn()
        let inputs = ExplainTestModels.images(2)
        var settings = AttributionSettings()
        settings.baseline = .mean
        #expect(throws: ExplainError.self) {
            _ = try AttributionMethod.integratedGradients.attribute(&network, inputs: inputs, targets: [0, 1], settings: settings)
        }
        #expect(throws: ExplainError.self) {
            _ = try AttributionMethod.integratedGradients.attribute(&network, inputs: inputs, targets: [0, 1], settings: settings,
                                                                      context: AttributionContext(meanImage: Tensor(shape: [1, 5, 5])))
        }
        let mean = ExplainTestModels.images(1, seed: 31).reshaped([1, 12, 12])
        let result = try AttributionMethod.integratedGradients.attribute(&network, inputs: inputs, targets: [0, 1], settings: settings,
                                                                           context: AttributionContext(meanImage: mean))
        let logits = network.logits(inputs), baseline = network.logits(Tensor.stack([mean, mean]))
        for item in 0..<2 {
            let total = result.maps.scalars[(item * 144)..<((item + 1) * 144)].reduce(0, +)
            let change = logits.scalars[item * 3 + item] - baseline.scalars[item * 3 + item]
            #expect(abs(total - change - (try #require(result.convergenceDelta))[item]) < 1e-4)
        }

        settings.baseline = .blurred
        settings.blurSigma = 2
        let constant = Tensor(shape: [1, 1, 12, 12], repeating: 0.4)
        let blurred = try AttributionMethod.integratedGradients.attribute(&network, inputs: constant, targets: [2], settings: settings)
        #expect(blurred.maps.scalars.allSatisfy { abs($0) < 1e-6 })
        #expect(blurred.settings["baseline"] == "blurred" && blurred.settings["blur sigma"] == "2.0")
        let image = ExplainTestModels.images(1)
        let smooth = GaussianBlur.apply(image, sigma: 2)
        let (smoothTotal, imageTotal): (Float, Float) = (smooth.scalars.reduce(0, +), image.scalars.reduce(0, +))
        #expect(abs(smoothTotal - imageTotal) < 0.05 * imageTotal)
        let (smoothRange, imageRange) = (smooth.scalars.max()! - smooth.scalars.min()!, image.scalars.max()! - image.scalars.min()!)
        #expect(smoothRange < 0.5 * imageRange)
    }
}
