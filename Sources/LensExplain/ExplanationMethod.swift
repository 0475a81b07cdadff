/// Every method `lens explain --method` takes, and the server's `/api/explain?method=`: the
/// lecture's pictures of what a model learned, then the attribution maps of the registry.
public enum ExplanationMethod: Hashable, Sendable, CaseIterable {
    /// Weights drawn as images: softmax's class templates, an MLP's hidden units and their votes, a CNN's first filters.
    case templates
    /// The training images closest to an input, and how unusual the input is.
    case nearest
    /// The dataset images and patches that excite a layer's units most.
    case units
    /// A map of one input's pixels for one class (saliency, integrated gradients, ...).
    case attribution(AttributionMethod)
    /// Model randomisation (Adebayo et al. 2018) of every method, and exact answers for softmax regression.
    case sanity
    /// Deletion and insertion curves of every method against random, reversed and brightness orders.
    case faithfulness
    /// Images optimised to excite a unit or a class (Olah et al. 2017), beside the natural ones, with the path check.
    case featureVis
    /// Each layer's activations of a split in 2-D (PCA, t-SNE) with its k-NN accuracy and trustworthiness.
    case embedding

    public static var allCases: [ExplanationMethod] {
        [.templates, .nearest, .units] + AttributionMethod.allCases.map { .attribution($0) }
            + [.sanity, .faithfulness, .featureVis, .embedding]
    }

    /// The CLI and API name.
    public var name: String {
        switch self {
        case .templates: "templates"
        case .nearest: "nearest"
        case .units: "units"
        case .attribution(let method): method.rawValue
        case .sanity: "sanity"
        case .faithfulness: "faithfulness"
        case .featureVis: "feature-vis"
        case .embedding: "embedding"
        }
    }

    public static var names: [String] { allCases.map(\.name) }

    /// The method called `name`; the error lists them all.
    public static func named(_ name: String) throws -> ExplanationMethod {
        guard let method = allCases.first(where: { $0.name == name }) else {
            throw ExplainError.unknownMethod(name: name, methods: names)
        }
        return method
    }
}
