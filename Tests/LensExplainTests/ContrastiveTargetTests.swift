import LensModels
import LensTensor
import Testing
@testable import LensExplain

/// The contrastive target: a map of logit[t] − logit[a] from one gradient pass. Every map here is
/// linear in the score it explains, so it must equal map(t) − map(a); for softmax regression the
/// saliency of the difference is the difference of the two weight rows.
@Suite struct ContrastiveTargetTests {
    static func close(_ a: Tensor, _ b: Tensor, tolerance: Float = 1e-4) -> Bool {
        let scale = max(a.scalars.map(abs).max() ?? 0, b.scalars.map(abs).max() ?? 0, 1e-6)
        return a.shape == b.shape && zip(a.scalars, b.scalars).allSatisfy { abs($0 - $1) <= tolerance * scale }
    }

    @Test func softmaxSaliencyOfADifferenceIsTheDifferenceOfWeightRows() throws {
        var network = try ExplainTestModels.softmaxRegression()
        let inputs = ExplainTestModels.random([2, 1, 4, 4], seed: 11)
        let result = try AttributionMethod.saliency.attribute(&network, inputs: inputs, targets: [0, 2], against: [1, 0])
        let expected = zip(ExplainTestModels.weightRow(network, 0), ExplainTestModels.weightRow(network, 1)).map(-)
            + zip(ExplainTestModels.weightRow(network, 2), ExplainTestModels.weightRow(network, 0)).map(-)
        #expect(Self.close(result.maps, Tensor(shape: [2, 1, 4, 4], scalars: expected), tolerance: 1e-6))
    }

    @Test(arguments: [AttributionMethod.saliency, .integratedGradients, .occlusion, .smoothgrad])
    func differenceMapEqualsTheDifferenceOfMaps(method: AttributionMethod) throws {
        var network = try ExplainTestModels.cnn()
        let inputs = ExplainTestModels.images(3)
        var settings = AttributionSettings()
        settings.occlusionWindow = 3
        settings.occlusionStride = 3
        settings.integrationSteps = 16
        settings.smoothGradSamples = 4
        let targets = [0, 1, 2], against = [2, 0, 1]
        let difference = try method.attribute(&network, inputs: inputs, targets: targets, against: against, settings: settings)
        let first = try method.attribute(&network, inputs: inputs, targets: targets, settings: settings)
        let second = try method.attribute(&network, inputs: inputs, targets: against, settings: settings)
        let subtracted = Tensor(shape: first.maps.shape, scalars: zip(first.maps.scalars, second.maps.scalars).map(-))
        #expect(Self.close(difference.maps, subtracted), "\(method.rawValue)")
        #expect(difference.maps.scalars.contains { $0 != 0 })
        if method == .integratedGradients, let deltas = difference.convergenceDelta, let one = first.convergenceDelta, let two = second.convergenceDelta {
            // Completeness of the difference: its delta is the difference of the two deltas.
            for item in 0..<3 { #expect(abs(deltas[item] - (one[item] - two[item])) < 1e-3) }
        }
    }

    @Test func aContrastOfWrongLengthOrClassIsAnError() throws {
        var network = try ExplainTestModels.softmaxRegression()
        let inputs = ExplainTestModels.random([2, 1, 4, 4], seed: 11)
        #expect(throws: ExplainError.self) { _ = try AttributionMethod.saliency.attribute(&network, inputs: inputs, targets: [0, 1], against: [1]) }
        #expect(throws: (any Error).self) { _ = try AttributionMethod.saliency.attribute(&network, inputs: inputs, targets: [0, 1], against: [1, 7]) }
    }
}
