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

    /// Maps in one group share a row's colour scale: the gradient family, whose values are of one
    /// kind and size. Every other method has a scale of its own: on the demo CNN occlusion's score
    /// drops reach ±9 where integrated gradients' attributions stay near ±0.5, and guided Grad-CAM
    /// (a gradient times a Grad-CAM weight) is a hundred times smaller than the gradients; on a
    /// shared scale each of these washed the other out to white or black.
    public var scaleGroup: String {
        switch self {
        case .saliency, .smoothgrad, .guidedBackprop, .deconvnet: "gradients"
        case .integratedGradients, .occlusion, .gradcam, .guidedGradcam: title
        }
    }
}
