import ArgumentParser
import LensExplain
import LensStudio

extension NearestSpace: ExpressibleByArgument {}

/// Flags of templates, nearest-neighbour evidence, units and the trust checks. Defaults, ranges
/// and help lines are the declarations' (`InspectionSettings.Knobs`, `TrustSettings.Knobs`).
struct InspectionOptions: ParsableArguments {
    private typealias Inspection = InspectionSettings.Knobs
    private typealias Trust = TrustSettings.Knobs

    @Option(parsing: .unconditional, help: Inspection.neighbors.plainHelp)
    var k: Int = Inspection.neighbors.defaultValue

    @Option(help: ArgumentHelp(Inspection.nearestSpace.help))
    var space: NearestSpace = Inspection.nearestSpace.defaultValue

    @Option(name: .customLong("unusual-percentile"), parsing: .unconditional, help: Inspection.unusualPercentile.plainHelp)
    var unusualPercentile: Double = Inspection.unusualPercentile.defaultValue

    @Option(name: .customLong("unusual-margin"), parsing: .unconditional, help: Inspection.unusualMargin.plainHelp)
    var unusualMargin: Double = Inspection.unusualMargin.defaultValue

    @Option(parsing: .unconditional, help: Inspection.topImages.plainHelp)
    var top: Int = Inspection.topImages.defaultValue

    @Option(name: .customLong("max-units"), parsing: .unconditional, help: StudioKnobs.maxUnits.plainHelp)
    var maxUnits: Int = StudioKnobs.maxUnits.defaultValue

    @Option(parsing: .unconditional, help: Trust.samples.plainHelp)
    var samples: Int = Trust.samples.defaultValue

    @Flag(help: "sanity: also data randomisation: retrain the model's recipe on shuffled labels (until it memorises) and a control on the true labels from another seed, and compare their maps with the model's.")
    var retrain = false

    @Option(name: .customLong("step-fraction"), parsing: .unconditional, help: Trust.stepFraction.plainHelp)
    var stepFraction: Double = Trust.stepFraction.defaultValue

    /// Each knob flag once: the group's one range check.
    private static var flags: [FlagRow<Self>] {
        [Inspection.neighbors.flag("--k", \.k), Inspection.unusualPercentile.flag("--unusual-percentile", \.unusualPercentile),
         Inspection.unusualMargin.flag("--unusual-margin", \.unusualMargin),
         Inspection.topImages.flag("--top", \.top), Trust.samples.flag("--samples", \.samples),
         Trust.stepFraction.flag("--step-fraction", \.stepFraction), StudioKnobs.maxUnits.flag("--max-units", \.maxUnits)]
    }

    func validate() throws { try Self.flags.check(self) }

    func inspection() throws -> InspectionSettings {
        var settings = InspectionSettings()
        settings.neighbors = k
        settings.nearestSpace = space
        settings.unusualPercentile = unusualPercentile
        settings.unusualMargin = unusualMargin
        settings.topImages = top
        try settings.validate()
        return settings
    }

    func trust(seed: UInt64, baseline: AttributionSettings.Baseline?) throws -> TrustSettings {
        var settings = TrustSettings()
        settings.samples = samples
        settings.stepFraction = stepFraction
        if let baseline { settings.baselines = [baseline] }
        settings.seed = seed
        try settings.validate()
        return settings
    }
}
