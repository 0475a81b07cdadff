import ArgumentParser
import LensExplain

extension AttributionSettings.IntegrationRule: ExpressibleByArgument {}
extension AttributionSettings.Baseline: ExpressibleByArgument {}

/// The attribution methods' knobs as flags. Defaults and ranges are `AttributionSettings`'s: a
/// flag left out keeps the library's default, and the one range check is `validate()` there.
struct AttributionOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: "integrated-gradients: points on the path from the baseline to the image.")
    var steps: Int?

    @Option(help: "integrated-gradients: the quadrature rule, gauss-legendre (as Captum) or midpoint.")
    var rule: AttributionSettings.IntegrationRule?

    @Option(help: "integrated-gradients and faithfulness: the reference image, zeros, mean (the mean training image) or blurred (the input blurred).")
    var baseline: AttributionSettings.Baseline?

    @Option(name: .customLong("noise-samples"), parsing: .unconditional, help: "smoothgrad: noisy copies averaged per image.")
    var noiseSamples: Int?

    @Option(parsing: .unconditional, help: "smoothgrad: noise σ as a fraction of each image's own range (max − min).")
    var noise: Float?

    @Flag(help: "smoothgrad: average squared gradients (SmoothGrad-Squared).")
    var squared = false

    @Option(parsing: .unconditional, help: "occlusion: side of the square window in pixels.")
    var window: Int?

    @Option(parsing: .unconditional, help: "occlusion: step between windows in pixels.")
    var stride: Int?

    @Option(name: .customLong("occlusion-value"), parsing: .unconditional, help: "occlusion: the value put in the window.")
    var occlusionValue: Float?

    /// The library's settings with the flags given laid over them; throws the library's range error
    /// with the flag's name in front, so a command-line user sees which flag to change.
    func settings(layer: String?, seed: UInt64) throws -> AttributionSettings {
        var settings = AttributionSettings()
        if let steps { settings.integrationSteps = steps }
        if let rule { settings.integrationRule = rule }
        if let baseline { settings.baseline = baseline }
        if let noiseSamples { settings.smoothGradSamples = noiseSamples }
        if let noise { settings.smoothGradNoise = noise }
        settings.smoothGradSquared = squared
        if let window { settings.occlusionWindow = window }
        if let stride { settings.occlusionStride = stride }
        if let occlusionValue { settings.occlusionValue = occlusionValue }
        settings.layer = layer
        settings.seed = seed
        try settings.validate()
        return settings
    }
}
