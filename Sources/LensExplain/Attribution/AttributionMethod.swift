import LensModels

/// The attribution methods: one registry that the CLI's `--method`, the report, the conformance
/// tests and the server's routes all read. Adding a method is one file in `Methods/` plus a case
/// here and its line in `attributor`.
public enum AttributionMethod: String, CaseIterable, Codable, Sendable {
    case saliency
    case smoothgrad
    case integratedGradients = "integrated-gradients"
    case guidedBackprop = "guided-backprop"
    case deconvnet
    case gradcam
    case guidedGradcam = "guided-gradcam"
    case occlusion

    /// The method's implementation.
    public var attributor: any Attributor {
        switch self {
        case .saliency: GradientAttribution(reluMode: .gradient)
        case .guidedBackprop: GradientAttribution(reluMode: .guided)
        case .deconvnet: GradientAttribution(reluMode: .deconvnet)
        case .smoothgrad: SmoothGrad()
        case .integratedGradients: IntegratedGradients()
        case .gradcam: GradCAM(guided: false)
        case .guidedGradcam: GradCAM(guided: true)
        case .occlusion: Occlusion()
        }
    }

    /// The name users read (page headings, legends).
    public var title: String {
        switch self {
        case .saliency: "Saliency"
        case .guidedBackprop: "Guided backprop"
        case .deconvnet: "Deconvnet"
        case .smoothgrad: "SmoothGrad"
        case .integratedGradients: "Integrated gradients"
        case .gradcam: "Grad-CAM"
        case .guidedGradcam: "Guided Grad-CAM"
        case .occlusion: "Occlusion"
        }
    }

    /// What the map is, in one sentence.
    public var summary: String {
        switch self {
        case .saliency: "∂ logit[target] / ∂ pixel: how much each pixel's change moves the target score (Simonyan et al. 2014)."
        case .guidedBackprop: "the gradient with ReLUs passing only positive signal where the unit was on (Springenberg et al. 2015)."
        case .deconvnet: "Zeiler & Fergus (2014): ReLUs pass max(R, 0) backwards whatever the forward value; max-pool routes by its switches."
        case .smoothgrad: "the gradient averaged over noisy copies of the image, noise a fraction of its range (Smilkov et al. 2017)."
        case .integratedGradients: "the gradient integrated along the path from a baseline to the image, times the difference; the maps sum to the score's change (Sundararajan et al. 2017)."
        case .gradcam: "a convolutional layer's channels weighted by their mean gradient and summed, rectified: where the class's evidence is (Selvaraju et al. 2017)."
        case .guidedGradcam: "guided backprop times the upsampled Grad-CAM map: fine detail inside the class's regions (Selvaraju et al. 2017)."
        case .occlusion: "how much the class score drops when a square (black by default) hides each part of the image (Zeiler & Fergus 2014)."
        }
    }

    /// The name of this method's maps in the conformance fixtures (`attr.<name>`); there its
    /// convergence delta is `attr.<name>.delta` and each auxiliary tensor `attr.<key>`.
    public var fixtureName: String {
        switch self {
        case .saliency: "saliency"
        case .guidedBackprop: "guided_backprop"
        case .deconvnet: "deconvolution"
        case .smoothgrad: "smoothgrad"
        case .integratedGradients: "integrated_gradients"
        case .gradcam: "gradcam_upsampled"
        case .guidedGradcam: "guided_gradcam"
        case .occlusion: "occlusion"
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

extension AttributionMethod {
    /// Why this method cannot explain a network of `architecture`, or nil when it can: Grad-CAM
    /// needs a convolutional layer, occlusion an image input. Pages and services that run "every
    /// method" skip these and say why, instead of failing on the first.
    public func unavailability(for architecture: Architecture) -> String? {
        switch self {
        case .gradcam, .guidedGradcam:
            let hasConvolution = architecture.layers.contains(where: \.operation.isConvolution)
            return hasConvolution ? nil : "\(title) needs a convolutional layer; this model has none"
        case .occlusion:
            return architecture.inputShape.count == 3 ? nil : "\(title) slides a window over an image; this model takes vectors"
        case .saliency, .smoothgrad, .integratedGradients, .guidedBackprop, .deconvnet:
            return nil
        }
    }

    /// The methods that can explain a network of `architecture`, in registry order.
    public static func available(for architecture: Architecture) -> [AttributionMethod] {
        allCases.filter { $0.unavailability(for: architecture) == nil }
    }
}
