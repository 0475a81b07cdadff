import LensExplain

/// How each attribution method's maps are drawn on the report's pages, in one place.
extension AttributionMethod {
    /// The gradient family as magnitudes (max |·| over channels, the saliency convention); integrated
    /// gradients summed with their sign (its attributions add up); Grad-CAM and occlusion repeat one
    /// map over the channels, so their mean keeps it as it is.
    public var pictureReduction: ChannelReduction {
        switch self {
        case .saliency, .smoothgrad, .guidedBackprop, .deconvnet, .guidedGradcam: .maxAbsolute
        case .integratedGradients: .sum
        case .gradcam, .occlusion: .mean
        }
    }

    /// Maps in one group share a row's colour scale. Values of different units or sizes get their
    /// own group, or the smaller maps (gradients beside integrated gradients) would be washed out.
    public var scaleGroup: String {
        switch self {
        case .saliency, .smoothgrad, .guidedBackprop, .deconvnet, .guidedGradcam: "gradients"
        case .integratedGradients, .occlusion: "score changes (integrated gradients, occlusion)"
        case .gradcam: "Grad-CAM"
        }
    }
}
