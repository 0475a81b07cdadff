import Foundation
import LensExplain
import LensModels

/// Each method's trust record on one model, for the badges under its maps: the same figures and
/// wording as the report's maps page (`ExplanationPages.trustFigures`, `TrustVerdict.line`), measured on a
/// few test images (`PageBudget.full.trust`), so that it fits a laptop in the background.
public struct ModelTrust: Codable, Sendable {
    /// Each method's verdict, as the report's trust page and `lens explain` give it.
    public typealias Method = TrustVerdict

    public var status = "ready"
    /// Test images the figures are averaged over, and the seed that chose them.
    public var images: Int
    public var seed: UInt64
    /// What the figures were measured on, in one sentence for the page.
    public var measuredOn: String
    public var seconds: Double
    public var methods: [Method]
    /// How each method's standing is decided (`TrustVerdict.rule`), for the page to say as the library does
    /// (nil only in a figure cached before it was carried).
    public var rule: String? = TrustVerdict.rule

    /// Runs the trust checks of the report's trust page on `dataset`'s test split, telling `done`
    /// the fraction finished (model randomisation taken as the first `randomisationShare`).
    public init(network: Network, dataset: StudioDataset, budget: PageBudget = .full, done: (Double) -> Void = { _ in }) throws {
        let split = dataset.split
        let training = dataset.trainingSet
        let data = PageData(classNames: dataset.data.classNames, trainImages: training.images, trainLabels: training.labels,
                            testImages: dataset.images(split.test), testLabels: dataset.labels(split.test))
        let fitted = budget.fitted(to: network)
        let figures: TrustFigures
        do {
            figures = try ExplanationPages.trustFigures(network, data: data, budget: fitted) { phase, fraction in
                guard fraction >= 0 else { return }
                let share = Self.randomisationShare
                done(phase == "model randomisation" ? share * fraction : share + (1 - share) * fraction)
            }
        } catch let error as ExplainError {
            throw StudioError(.notApplicable, "the trust checks cannot run on this model's data: \(error)")
        }
        images = figures.sample.count
        seed = fitted.trust.seed
        seconds = figures.seconds
        measuredOn = "\(images) test images of \(dataset.source.name) (chosen with seed \(seed)), each map explaining the "
            + "predicted class: model randomisation from the top layer down (passes when Spearman ρ < "
            + "\(fitted.trust.randomisationThreshold)), and insertion into a blurred copy against a random pixel order"
        methods = TrustVerdict.all(randomisation: figures.randomisation, faithfulness: figures.faithfulness)
    }

    /// The part of the checks' time that model randomisation takes (a cascade of maps per layer;
    /// insertion curves the rest): only what the progress bar's estimate assumes.
    static let randomisationShare = 0.6

    /// Everything besides the model file that changes the figures, for the figure cache's key:
    /// the checks' settings as fitted to this network, the methods, and which test images.
    static func settings(network: Network, dataset: StudioDataset, budget: PageBudget = .full) -> String {
        let fitted = budget.fitted(to: network)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let trust = (try? encoder.encode(fitted.trust)).map { String(decoding: $0, as: UTF8.self) } ?? "\(fitted.trust)"
        let attribution = (try? encoder.encode(fitted.attribution)).map { String(decoding: $0, as: UTF8.self) } ?? "\(fitted.attribution)"
        return ["trust \(trust)", "attribution \(attribution)", "methods \(AttributionMethod.names.joined(separator: ","))",
                "data \(dataset.source.name) \(dataset.fingerprint) test \(dataset.split.test.count) seed \(dataset.plan.seed)"]
            .joined(separator: "\n")
    }
}
