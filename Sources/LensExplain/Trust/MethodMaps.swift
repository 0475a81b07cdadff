import LensModels
import LensTensor

/// One method's maps, or why the method does not apply to this model.
enum MethodMaps {
    case maps(Tensor)
    case notApplicable(String)

    /// Runs `method`; a method that needs a layer kind the model lacks (Grad-CAM without a conv
    /// layer) or does not apply to it comes back as `.notApplicable` with the method's own reason.
    static func run(_ method: AttributionMethod, _ network: inout Network, sample: TrustSample,
                    settings: AttributionSettings, context: AttributionContext) throws -> MethodMaps {
        do {
            return .maps(try method.attribute(&network, inputs: sample.images, targets: sample.targets,
                                              settings: settings, context: context).maps)
        } catch let error as ExplainError {
            switch error {
            case .needsLayer, .notApplicable: return .notApplicable(error.description)
            default: throw error
            }
        }
    }
}
