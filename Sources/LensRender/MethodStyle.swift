import LensExplain

extension ChannelReduction {
    /// How each method's map becomes one plane: gradient magnitudes take max |·| over channels
    /// (the saliency convention), additive attributions (IG, occlusion) keep their sign summed,
    /// and Grad-CAM, repeated over the channels, is read back as their mean.
    public static func standard(for method: AttributionMethod) -> ChannelReduction {
        switch method {
        case .saliency, .smoothgrad, .guidedBackprop, .deconvnet, .guidedGradcam: .maxAbsolute
        case .integratedGradients, .occlusion: .sum
        case .gradcam: .mean
        }
    }

    /// Maps in the same group share a colour scale in a row; groups hold methods of like units
    /// (gradients are orders of magnitude smaller than IG's or occlusion's attributions).
    public static func scaleGroup(for method: AttributionMethod) -> String {
        switch method {
        case .saliency, .smoothgrad, .guidedBackprop, .deconvnet, .guidedGradcam: "gradients"
        case .integratedGradients, .occlusion: "attributions"
        case .gradcam: "grad-cam"
        }
    }
}
