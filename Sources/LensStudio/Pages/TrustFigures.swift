import Foundation
import LensExplain
import LensModels
import LensTensor

/// The trust checks run once on one network for the pages: model randomisation (with every map of
/// the first sampled image at each cascade step) and faithfulness, plus the exact answers for
/// softmax regression. `badges` is what the maps page writes under each map.
public struct TrustFigures: Sendable {
    public var sample: TrustSample
    public var randomisation: ModelRandomisationReport
    public var faithfulness: FaithfulnessReport
    public var exactAnswers: [ExactAnswerCheck]?
    /// Per method, in registry order: the first sampled image's map at each step ("original",
    /// "cascade fc2", ...), [...input shape].
    public var cascade: [(method: AttributionMethod, steps: [(label: String, map: Tensor)])]
    public var seconds: Double
    /// Data randomisation, where the page's maker retrained the model (the demo); nil otherwise.
    public var dataRandomisation: DataRandomisationReport? = nil

    public var badges: [MethodTrust] { MethodTrust.summarise(randomisation: randomisation, faithfulness: faithfulness) }
}

extension ExplanationPages {
    /// Every available method on `budget.trust.samples` test images: the cascade and faithfulness.
    public static func trustFigures(_ network: Network, data: PageData, budget: PageBudget,
                                    progress: (String, Double) -> Void = { _, _ in }) throws -> TrustFigures {
        let started = Date()
        let methods = AttributionMethod.available(for: network.architecture)
        let sample = try TrustSample(choosingFrom: data.testImages, network: network, settings: budget.trust)
        let context = data.context
        var steps: [AttributionMethod: [(label: String, map: Tensor)]] = [:]
        let inputShape = network.architecture.inputShape
        let randomisation = try ModelRandomisation.run(
            network, sample: sample, settings: budget.trust, attribution: budget.attribution, context: context, methods: methods,
            stepMaps: { method, label, maps in
                guard label == "original" || label.hasPrefix("cascade") else { return }
                steps[method, default: []].append((label, maps.slice(0..<1).reshaped(inputShape)))
            },
            progress: { progress("model randomisation", $0) })
        let faithfulness = try Faithfulness.run(network, sample: sample, settings: budget.trust, attribution: budget.attribution,
                                                context: context, methods: methods, progress: { progress("faithfulness", $0) })
        let exact = ExactAnswers.linearLayer(of: network) == nil ? nil
            : try ExactAnswers.check(network, sample: sample, attribution: budget.attribution)
        return TrustFigures(sample: sample, randomisation: randomisation, faithfulness: faithfulness, exactAnswers: exact,
                            cascade: methods.map { ($0, steps[$0] ?? []) }, seconds: Date().timeIntervalSince(started))
    }

    /// Data randomisation of `network` retrained from `recipe` on `data`'s training split, its maps
    /// compared on `figures`' sample, within `budget.dataRandomisationRounds` rounds of shuffled training.
    static func dataRandomisation(_ network: Network, recipe: ModelRecipe, data: PageData, sample: TrustSample, budget: PageBudget,
                                  progress: (String) -> Void) throws -> DataRandomisationReport {
        var settings = budget.trust
        settings.maxTrainingRounds = budget.dataRandomisationRounds
        let validation = data.validationImages.flatMap { images in data.validationLabels.map { (images, $0) } }
        return try DataRandomisation.run(network, recipe: recipe, train: (data.trainImages, data.trainLabels), validation: validation,
                                         sample: sample, settings: settings, attribution: budget.attribution, context: data.context,
                                         methods: AttributionMethod.available(for: network.architecture), progress: progress)
    }
}
