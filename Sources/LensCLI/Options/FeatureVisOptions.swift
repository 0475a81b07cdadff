import ArgumentParser
import LensExplain
import LensStudio

/// Feature visualisation's and the embedding view's flags. Defaults, ranges and help lines are the
/// declarations' (`FeatureVisSettings.Knobs`, `TSNESettings.Knobs`); the one range check is theirs.
struct FeatureVisOptions: ParsableArguments {
    enum Objective: String, ExpressibleByArgument, CaseIterable {
        case channel, unit
    }

    @Option(parsing: .unconditional, help: "feature-vis: the unit (a convolutional layer's channel) of --layer to visualise (default 0).")
    var unit: Int?

    @Option(help: "feature-vis: channel (a channel's mean activation) or unit (one activation; on a convolutional layer the channel at the centre, drawn cut to its receptive field); default: channel on a convolutional layer, unit on a dense one.")
    var objective: Objective?

    @Option(name: .customLong("ascent-steps"), parsing: .unconditional, help: FeatureVisSettings.Knobs.steps.plainHelp)
    var ascentSteps: Int = FeatureVisSettings.Knobs.steps.defaultValue

    @Flag(help: "feature-vis: make 4 images pushed apart by the diversity term instead of 1.")
    var diversity = false

    @Option(name: .customLong("vis-seed"), parsing: .unconditional, help: FeatureVisSettings.Knobs.seed.plainHelp)
    var visSeed: Int = FeatureVisSettings.Knobs.seed.defaultValue

    @Flag(name: .customLong("all-layers"), help: "embedding: every block's layer, from the pixels up (the default when --layer is not given).")
    var allLayers = false

    @Option(parsing: .unconditional, help: TSNESettings.Knobs.perplexity.plainHelp)
    var perplexity: Double = TSNESettings.Knobs.perplexity.defaultValue

    /// Each knob flag once: the group's one range check.
    private static var flags: [FlagRow<Self>] {
        [FeatureVisSettings.Knobs.steps.flag("--ascent-steps", \.ascentSteps), FeatureVisSettings.Knobs.seed.flag("--vis-seed", \.visSeed),
         TSNESettings.Knobs.perplexity.flag("--perplexity", \.perplexity)]
    }

    func validate() throws {
        try Self.flags.check(self)
        if let unit, unit < 0 { throw ValidationError("--unit \(unit) is invalid: give 0 or more") }
    }

    func apply(to job: inout ExplainJob) throws {
        job.unit = unit
        job.channelObjective = objective.map { $0 == .channel }
        job.featureVis.steps = ascentSteps
        job.featureVis.seed = visSeed
        if diversity { job.featureVis.images = 4 }
        job.allLayers = allLayers
        job.embedding.tsne.perplexity = perplexity
    }
}
