import LensData
import LensExplain
import LensModels
import LensTensor
import Testing
@testable import LensStudio

/// `--quick` is a cheaper look that still shows what each method does: occlusion's cells scale
/// with the image, integrated gradients keep a small convergence delta, and trust verdicts over
/// its few images say there were too few.
@Suite struct QuickBudgetTests {
    static func network(side: Int) throws -> Network {
        Network(architecture: try .softmaxRegression(inputShape: [1, side, side], classes: 3), seed: 0)
    }

    @Test func occlusionScalesWithTheImage() throws {
        for side in [28, 64, 112] {
            let attribution = PageBudget.quick.fitted(to: try Self.network(side: side)).attribution
            let window = attribution.occlusionWindow, stride = attribution.occlusionStride
            let cells = (side - window) / stride + 1
            #expect(window == Int((Double(side) / 4).rounded()) && stride == window / 2, "\(side): window \(window), stride \(stride)")
            #expect(cells >= 7, "\(side)x\(side): \(cells) windows per side, not one square")
        }
        let tiny = PageBudget.quick.fitted(to: try Self.network(side: 3)).attribution
        #expect(tiny.occlusionWindow <= 3 && tiny.occlusionStride >= 1)
        // The full budget keeps the attribution settings' window, inside the image.
        let full = PageBudget.full.fitted(to: try Self.network(side: 6)).attribution
        #expect(full.occlusionWindow == 6 && full.occlusionStride == AttributionSettings().occlusionStride)
    }

    @Test func quickVerdictsSayThereWereTooFewImages() {
        #expect(PageBudget.quick.trust.samples < TrustSettings.minimumVerdictImages)
        #expect(TrustSettings.tooFewImages(PageBudget.quick.trust.samples) != nil)
        #expect(PageBudget.full.trust.samples >= TrustSettings.minimumVerdictImages)
        #expect(TrustSettings.tooFewImages(PageBudget.full.trust.samples) == nil)
    }

    /// On a trained ReLU network, the quick budget's integral misses F(x) − F(x₀) by a few percent at most.
    @Test func quickIntegratedGradientsConverge() throws {
        let data = try DatasetLoader.load(.orl, preprocessing: Preprocessing(size: 32))
        let split = SplitPlan.orl.split(labels: data.labels)
        var recipe = ModelRecipe.defaults(for: .mlp, trainingCount: split.train.count)
        recipe.hidden = [64]
        recipe.options.epochs = 10
        let model = try recipe.train(train: (data.images.gather(split.train), split.train.map { data.labels[$0] }), validation: nil,
                                     classNames: data.classNames, preprocessing: Preprocessing(size: 32), dataset: "orl",
                                     split: .orl, datasetCount: data.count)
        guard case .network(var network) = model.model else { throw StudioError(.failed, "the recipe trained no network") }
        let inputs = data.images.gather(Array(split.test.prefix(4)))
        let targets = network.predictions(inputs)
        let settings = PageBudget.quick.fitted(to: network).attribution
        let result = try AttributionMethod.integratedGradients.attribute(&network, inputs: inputs, targets: targets, settings: settings)
        let size = inputs.count / 4
        for (item, delta) in (result.convergenceDelta ?? []).enumerated() {
            let total = result.maps.scalars[(item * size)..<((item + 1) * size)].reduce(0, +)
            let change = total - delta
            #expect(abs(delta) <= 0.05 * abs(change), "image \(item): δ \(delta) against F(x) − F(x₀) = \(change)")
        }
        #expect(result.convergenceDelta?.count == 4)
    }
}
