import LensExplain
import LensModels
import LensTensor
import Testing

/// Softmax regression F_c(x) = w_c · x + b_c has exact answers: the gradient is w_c everywhere, so
/// saliency and SmoothGrad are the weight row, integrated gradients from a zero baseline is
/// w_c ⊙ x, and occlusion with a 1x1 window is w_c ⊙ (x − value).
@Suite struct LinearModelExactAnswerTests {
    let inputs = ExplainTestModels.random([2, 1, 4, 4], seed: 11)
    let targets = [2, 0]

    @Test func saliencyIsTheWeightRow() throws {
        var network = try ExplainTestModels.softmaxRegression()
        let maps = try AttributionMethod.saliency.attribute(&network, inputs: inputs, targets: targets).maps
        #expect(maps.shape == [2, 1, 4, 4])
        for (item, target) in targets.enumerated() {
            #expect(Array(maps.scalars[(item * 16)..<((item + 1) * 16)]) == ExplainTestModels.weightRow(network, target))
        }
    }

    @Test(arguments: AttributionSettings.IntegrationRule.allCases)
    func integratedGradientsFromZeroIsWeightTimesInput(_ rule: AttributionSettings.IntegrationRule) throws {
        var network = try ExplainTestModels.softmaxRegression()
        var settings = AttributionSettings()
        settings.integrationRule = rule
        settings.integrationSteps = 32
        let result = try AttributionMethod.integratedGradients.attribute(&network, inputs: inputs, targets: targets, settings: settings)
        for (item, target) in targets.enumerated() {
            let x = Array(inputs.scalars[(item * 16)..<((item + 1) * 16)])
            let expected = zip(ExplainTestModels.weightRow(network, target), x).map { $0 * $1 }
            #expect(maxDifference(Array(result.maps.scalars[(item * 16)..<((item + 1) * 16)]), expected) < 1e-5)
            // Exact integral: the delta is float rounding only.
            #expect(abs(try #require(result.convergenceDelta)[item]) < 1e-4)
        }
        #expect(result.settings["rule"] == rule.rawValue && result.settings["steps"] == "32" && result.settings["baseline"] == "zeros")
    }

    @Test func smoothGradOfALinearModelIsTheWeightRowAndSquaredItsSquare() throws {
        var network = try ExplainTestModels.softmaxRegression()
        var settings = AttributionSettings()
        settings.smoothGradSamples = 7
        settings.batchSize = 3
        let plain = try AttributionMethod.smoothgrad.attribute(&network, inputs: inputs, targets: targets, settings: settings).maps
        settings.smoothGradSquared = true
        let squared = try AttributionMethod.smoothgrad.attribute(&network, inputs: inputs, targets: targets, settings: settings).maps
        for (item, target) in targets.enumerated() {
            let row = ExplainTestModels.weightRow(network, target)
            #expect(maxDifference(Array(plain.scalars[(item * 16)..<((item + 1) * 16)]), row) < 1e-5)
            #expect(maxDifference(Array(squared.scalars[(item * 16)..<((item + 1) * 16)]), row.map { $0 * $0 }) < 1e-5)
        }
    }

    @Test func oneByOneOcclusionIsWeightTimesTheChange() throws {
        var network = try ExplainTestModels.softmaxRegression()
        var settings = AttributionSettings()
        settings.occlusionWindow = 1
        settings.occlusionStride = 1
        settings.occlusionValue = 0.5
        let result = try AttributionMethod.occlusion.attribute(&network, inputs: inputs, targets: targets, settings: settings)
        let probability = try #require(result.auxiliary["occlusion_probability"])
        let topLabel = try #require(result.auxiliary["occlusion_top_label"])
        #expect(probability.shape == [2, 4, 4] && topLabel.shape == [2, 4, 4])
        for (item, target) in targets.enumerated() {
            let x = Array(inputs.scalars[(item * 16)..<((item + 1) * 16)])
            let expected = zip(ExplainTestModels.weightRow(network, target), x).map { $0 * ($1 - 0.5) }
            #expect(maxDifference(Array(result.maps.scalars[(item * 16)..<((item + 1) * 16)]), expected) < 1e-5)
        }
        // Position 5 of item 1 by hand: pixel 5 set to 0.5, then softmax and argmax of the logits.
        var occluded = inputs.slice(1..<2)
        occluded.scalars[5] = 0.5
        let logits = network.logits(occluded)
        #expect(abs(probability.scalars[16 + 5] - SoftmaxCrossEntropy.probabilities(logits).scalars[0]) < 1e-6)
        #expect(topLabel.scalars[16 + 5] == Float(logits.argmaxRows()[0]))
    }
}
