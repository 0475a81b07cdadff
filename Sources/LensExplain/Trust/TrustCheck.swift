import LensModels
import LensTensor

/// The entry points the CLI's `sanity` and `faithfulness` (and the server) call.
public enum TrustCheck {
    /// The network behind a trained model; a k-NN model has no weights to randomise and no
    /// gradients, and the error says what shows its evidence instead.
    public static func network(of model: TrainedModel, check: String) throws -> Network {
        switch model {
        case .network(let network):
            return network
        case .nearestNeighbor:
            throw ExplainError.notApplicable(method: check, model: "k-NN",
                                             instead: "a k-NN model decides by its nearest training images: look at the "
                                                 + "nearest-neighbour evidence (method nearest) instead")
        }
    }

    /// Model randomisation for every registered method and, for softmax regression, the exact answers.
    public static func sanity(_ model: TrainedModel, testImages: Tensor, settings: TrustSettings = TrustSettings(),
                              attribution: AttributionSettings = AttributionSettings(),
                              context: AttributionContext = AttributionContext(),
                              methods: [AttributionMethod] = AttributionMethod.allCases,
                              stepMaps: (AttributionMethod, String, Tensor) -> Void = { _, _, _ in },
                              progress: (Double) -> Void = { _ in }) throws -> SanityReport {
        let network = try network(of: model, check: "sanity")
        let sample = try TrustSample(choosingFrom: testImages, network: network, settings: settings)
        let randomisation = try ModelRandomisation.run(network, sample: sample, settings: settings, attribution: attribution,
                                                       context: context, methods: methods, stepMaps: stepMaps, progress: progress)
        let exact = ExactAnswers.linearLayer(of: network) == nil
            ? nil : try ExactAnswers.check(network, sample: sample, attribution: attribution)
        return SanityReport(randomisation: randomisation, exactAnswers: exact)
    }

    /// Deletion and insertion curves for every registered method.
    public static func faithfulness(_ model: TrainedModel, testImages: Tensor, settings: TrustSettings = TrustSettings(),
                                    attribution: AttributionSettings = AttributionSettings(),
                                    context: AttributionContext = AttributionContext(),
                                    methods: [AttributionMethod] = AttributionMethod.allCases,
                                    progress: (Double) -> Void = { _ in }) throws -> FaithfulnessReport {
        let network = try network(of: model, check: "faithfulness")
        let sample = try TrustSample(choosingFrom: testImages, network: network, settings: settings)
        return try Faithfulness.run(network, sample: sample, settings: settings, attribution: attribution, context: context,
                                    methods: methods, progress: progress)
    }
}

/// What `sanity` measured.
public struct SanityReport: Codable, Sendable, Equatable {
    public var randomisation: ModelRandomisationReport
    /// Softmax regression only: each map against its closed-form answer.
    public var exactAnswers: [ExactAnswerCheck]?
}
