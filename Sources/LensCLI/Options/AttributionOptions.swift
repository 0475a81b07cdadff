import ArgumentParser
import LensExplain

extension AttributionSettings.IntegrationRule: ExpressibleByArgument {}
extension AttributionSettings.Baseline: ExpressibleByArgument {}

/// The attribution methods' knobs as flags. Defaults, ranges and help lines are the declarations'
/// (`AttributionSettings.Knobs`): the flags read them, and the one range check is theirs.
struct AttributionOptions: ParsableArguments {
    private typealias Knobs = AttributionSettings.Knobs

    @Option(parsing: .unconditional, help: Knobs.integrationSteps.plainHelp)
    var steps: Int = Knobs.integrationSteps.defaultValue

    @Option(help: ArgumentHelp(Knobs.integrationRule.help))
    var rule: AttributionSettings.IntegrationRule = Knobs.integrationRule.defaultValue

    // Optional: given, it also chooses the faithfulness baseline (whose own default is blurred).
    @Option(help: Knobs.baseline.flagHelp)
    var baseline: AttributionSettings.Baseline?

    @Option(name: .customLong("noise-samples"), parsing: .unconditional, help: Knobs.smoothGradSamples.plainHelp)
    var noiseSamples: Int = Knobs.smoothGradSamples.defaultValue

    @Option(parsing: .unconditional, help: Knobs.smoothGradNoise.plainHelp)
    var noise: Float = Knobs.smoothGradNoise.defaultValue

    @Flag(help: ArgumentHelp(Knobs.smoothGradSquared.help))
    var squared = false

    @Option(parsing: .unconditional, help: Knobs.occlusionWindow.plainHelp)
    var window: Int = Knobs.occlusionWindow.defaultValue

    @Option(parsing: .unconditional, help: Knobs.occlusionStride.plainHelp)
    var stride: Int = Knobs.occlusionStride.defaultValue

    @Option(name: .customLong("occlusion-value"), parsing: .unconditional, help: Knobs.occlusionValue.plainHelp)
    var occlusionValue: Float = Knobs.occlusionValue.defaultValue

    /// Each knob flag once: the group's one range check.
    private static var flags: [FlagRow<Self>] {
        [Knobs.integrationSteps.flag("--steps", \.steps), Knobs.smoothGradSamples.flag("--noise-samples", \.noiseSamples),
         Knobs.smoothGradNoise.flag("--noise", \.noise), Knobs.occlusionWindow.flag("--window", \.window),
         Knobs.occlusionStride.flag("--stride", \.stride), Knobs.occlusionValue.flag("--occlusion-value", \.occlusionValue)]
    }

    func validate() throws { try Self.flags.check(self) }

    /// The library's settings with the flags laid over them.
    func settings(layer: String?, seed: UInt64) throws -> AttributionSettings {
        var settings = AttributionSettings()
        settings.integrationSteps = steps
        settings.integrationRule = rule
        if let baseline { settings.baseline = baseline }
        settings.smoothGradSamples = noiseSamples
        settings.smoothGradNoise = noise
        settings.smoothGradSquared = squared
        settings.occlusionWindow = window
        settings.occlusionStride = stride
        settings.occlusionValue = occlusionValue
        settings.layer = layer
        settings.seed = seed
        try settings.validate()
        return settings
    }
}
