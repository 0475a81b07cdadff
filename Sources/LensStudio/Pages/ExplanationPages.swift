import Foundation
import LensExplain
import LensModels
import LensTensor

/// The pages that show what a model learned and how far its maps can be trusted: templates,
/// nearest-neighbour evidence, units, attribution maps, the trust checks. `lens demo` and
/// `lens report` both build theirs here, so the two show the same thing the same way.
public enum ExplanationPages {}

/// The labelled images the pages read: training images (face-likeness, units, neighbours) and the
/// images explained (a test split).
public struct PageData: Sendable {
    public var classNames: [String]
    /// [N, ...input shape]
    public var trainImages: Tensor
    public var trainLabels: [Int]
    public var testImages: Tensor
    public var testLabels: [Int]
    /// The validation split [N, ...]: what the unusual flag is calibrated on (nil: the test split).
    public var validationImages: Tensor?
    /// Its labels: the control of data randomisation stops early on them as the model did.
    public var validationLabels: [Int]?
    /// The images are faces (`DatasetSource.holdsFaces`), so figures may speak of faces.
    public var onFaces = false

    public init(classNames: [String], trainImages: Tensor, trainLabels: [Int], testImages: Tensor, testLabels: [Int]) {
        self.classNames = classNames
        self.trainImages = trainImages
        self.trainLabels = trainLabels
        self.testImages = testImages
        self.testLabels = testLabels
    }

    var itemShape: [Int] { Array(testImages.shape.dropFirst()) }

    func testImage(_ index: Int) -> Tensor { testImages.slice(index..<(index + 1)).reshaped(itemShape) }

    /// The mean training image, the `mean` baseline of integrated gradients (`AttributionContext(meanOf:)` computes it).
    var context: AttributionContext { AttributionContext(meanOf: trainImages) }
}

/// How much the pages compute: the full run of `lens demo` and `lens report`, and `--quick`'s.
public struct PageBudget: Sendable {
    public var trust: TrustSettings
    public var attribution: AttributionSettings
    /// Conv channels shown per layer on the units page (the first ones).
    public var unitsPerLayer: Int
    /// Test images on the maps page: every misclassified one up to `wrongImages`, then correct ones.
    public var wrongImages: Int
    public var correctImages: Int
    /// Test images whose nearest training images are shown (beside the strangers).
    public var evidenceImages: Int
    /// Occlusion's window as a share of the image's shorter side (its stride half the window),
    /// so that the map has the same number of cells on 28x28 clothes as on 64x64 faces; nil: the
    /// attribution settings' window and stride, kept inside the image.
    public var occlusionShare: Double?
    /// Data randomisation's rounds of training on shuffled labels where a page runs it (the demo):
    /// fewer than `lens explain --retrain` allows, so the demo's trust page has its table in its time.
    public var dataRandomisationRounds = 2
    /// Feature visualisation of each unit drawn on the units page: fewer Adam steps than
    /// `lens explain --method feature-vis` (256), so that every unit of the page fits the demo's time.
    public var featureVis = PageBudget.featureVisSettings(steps: 64)
    /// Test images the embedding page places at every layer (the first ones of the split).
    public var embeddingImages = 1000
    /// t-SNE's iterations on the embedding page.
    public var tsneIterations = TSNESettings.Knobs.iterations.defaultValue

    static func featureVisSettings(steps: Int) -> FeatureVisSettings {
        var settings = FeatureVisSettings()
        settings.steps = steps
        return settings
    }

    /// Trust figures over 16 test images (the CLI's `sanity` default is 32): every method on the
    /// demo CNN must fit in the demo's time.
    public static let full = PageBudget(trust: { var s = TrustSettings(); s.samples = 16; return s }(),
                                        attribution: AttributionSettings(), unitsPerLayer: StudioKnobs.maxUnits.defaultValue, wrongImages: 8,
                                        correctImages: 4, evidenceImages: 4, occlusionShare: nil)

    /// A look, not a measurement, that still shows what each method does: two images for the
    /// trust figures (too few for a verdict, and the verdicts say so), coarse curves, few noisy
    /// samples; but integrals long enough for a small convergence delta and occlusion windows a
    /// quarter of the image, sliding by half a window (`fitted(to:)`).
    public static let quick = PageBudget(
        trust: { var s = TrustSettings(); s.samples = 2; s.stepFraction = 1.0 / 4; return s }(),
        attribution: { var a = AttributionSettings(); a.smoothGradSamples = 2; a.integrationSteps = 32; return a }(),
        unitsPerLayer: 3, wrongImages: 2, correctImages: 1, evidenceImages: 2, occlusionShare: 0.25, dataRandomisationRounds: 1,
        featureVis: featureVisSettings(steps: 16), embeddingImages: 200, tsneIterations: 500)

    /// This budget for `network`'s input: occlusion's window from `occlusionShare` of the image's
    /// shorter side (at least 2 pixels, stride half of it), and never larger than the image.
    public func fitted(to network: Network) -> PageBudget {
        let shape = network.architecture.inputShape
        guard shape.count == 3 else { return self }
        var budget = self
        let side = min(shape[1], shape[2])
        if let occlusionShare {
            let window = max(2, Int((Double(side) * occlusionShare).rounded()))
            budget.attribution.occlusionWindow = window
            budget.attribution.occlusionStride = max(1, window / 2)
        }
        budget.attribution.occlusionWindow = min(budget.attribution.occlusionWindow, side)
        budget.attribution.occlusionStride = min(budget.attribution.occlusionStride, side)
        return budget
    }
}
