/// The attribution methods: one registry that the CLI's `--method`, the report, the conformance
/// tests and the server's routes all read. Adding a method is one file in `Methods/` plus a case
/// here and its line in `attributor`.
public enum AttributionMethod: String, CaseIterable, Codable, Sendable {
    case saliency
    case guidedBackprop = "guided-backprop"
    case deconvnet

    /// The method's implementation.
    public var attributor: any Attributor {
        switch self {
        case .saliency: GradientAttribution(reluMode: .gradient)
        case .guidedBackprop: GradientAttribution(reluMode: .guided)
        case .deconvnet: GradientAttribution(reluMode: .deconvnet)
        }
    }

    /// The name users read (page headings, legends).
    public var title: String {
        switch self {
        case .saliency: "Saliency"
        case .guidedBackprop: "Guided backprop"
        case .deconvnet: "Deconvnet"
        }
    }

    /// What the map is, in one sentence.
    public var summary: String {
        switch self {
        case .saliency: "∂ logit[target] / ∂ pixel: how much each pixel's change moves the target score (Simonyan et al. 2014)."
        case .guidedBackprop: "the gradient with ReLUs passing only positive signal where the unit was on (Springenberg et al. 2015)."
        case .deconvnet: "Zeiler & Fergus (2014): ReLUs pass max(R, 0) backwards whatever the forward value; max-pool routes by its switches."
        }
    }

    /// The name of this method's maps in the conformance fixtures (`attr.<name>`).
    public var fixtureName: String {
        switch self {
        case .saliency: "saliency"
        case .guidedBackprop: "guided_backprop"
        case .deconvnet: "deconvolution"
        }
    }

    /// The CLI and API names of every method, in registry order.
    public static var names: [String] { allCases.map(\.rawValue) }

    /// The method called `name`; the error lists the methods there are.
    public static func named(_ name: String) throws -> AttributionMethod {
        guard let method = AttributionMethod(rawValue: name) else {
            throw ExplainError.unknownMethod(name: name, methods: names)
        }
        return method
    }
}
