import ArgumentParser
import LensExplain

extension NearestSpace: ExpressibleByArgument {}

/// Flags of templates, nearest-neighbour evidence, units and the trust checks, laid over the
/// library's defaults (`InspectionSettings`, `TrustSettings`), whose `validate()` is the one check.
struct InspectionOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: "nearest: training images shown per input (default 5).")
    var k: Int?

    @Option(help: "nearest, for a network: penultimate (the layer feeding the output) or pixels.")
    var space: NearestSpace?

    @Option(name: .customLong("unusual-percentile"), parsing: .unconditional,
            help: "nearest: flag an input as unusual when its nearest distance lies above this percentile of the test images' (default 95).")
    var unusualPercentile: Double?

    @Option(parsing: .unconditional, help: "units and deconvnet projections: top images or patches per unit (default 9).")
    var top: Int?

    @Option(name: .customLong("max-units"), parsing: .unconditional, help: "units and deconvnet projections: show the first this many units of the layer.")
    var maxUnits: Int = 16

    @Option(parsing: .unconditional, help: "sanity and faithfulness: test images averaged over (default 32).")
    var samples: Int?

    @Flag(help: "sanity: also data randomisation: retrain the model's recipe on shuffled labels (until it memorises) and a control on the true labels from another seed, and compare their maps with the model's.")
    var retrain = false

    @Option(name: .customLong("step-fraction"), parsing: .unconditional,
            help: "faithfulness: the share of pixels removed or added per step (default 1/32).")
    var stepFraction: Double?

    func inspection() throws -> InspectionSettings {
        var settings = InspectionSettings()
        if let k { settings.neighbors = k }
        if let space { settings.nearestSpace = space }
        if let unusualPercentile { settings.unusualPercentile = unusualPercentile }
        if let top { settings.topImages = top }
        try settings.validate()
        return settings
    }

    func trust(seed: UInt64, baseline: AttributionSettings.Baseline?) throws -> TrustSettings {
        var settings = TrustSettings()
        if let samples { settings.samples = samples }
        if let stepFraction { settings.stepFraction = stepFraction }
        if let baseline { settings.baselines = [baseline] }
        settings.seed = seed
        try settings.validate()
        return settings
    }
}
