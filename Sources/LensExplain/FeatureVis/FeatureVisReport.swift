import LensModels
import LensTensor

/// What `lens explain --method feature-vis` reports for one objective: the synthetic images, how
/// far each gets against the natural images, and the path check.
public struct FeatureVisReport: Sendable {
    public var synthetic: SyntheticImages
    /// The largest value of the same objective over the natural images searched.
    public var topNaturalActivation: Float
    /// Each image's reached value ÷ `topNaturalActivation`.
    public var activationRatio: [Float]
    /// Rows of the natural images that excite the unit most (LensExplain's `LayerUnits`), strongest first.
    public var topImageIndices: [Int]
    /// The unit's natural search those rows come from (with their positions and patches' boxes).
    public var natural: UnitTop
    public var pathCheck: PathCheck

    /// Searches `naturalImages` [N, ...] for the unit's top images (`inspection.topImages` of them),
    /// then as `init(network:objective:natural:naturalImages:settings:progress:)`.
    public init(network: Network, objective: FeatureObjective, naturalImages: Tensor,
                settings: FeatureVisSettings = FeatureVisSettings(), inspection: InspectionSettings = InspectionSettings(),
                progress: ((Int, Int) -> Void)? = nil) throws {
        try settings.validate()
        try objective.validate(for: network)
        let units = try LayerUnits(network: network, layer: objective.layer ?? Self.outputLayer(network), images: naturalImages,
                                   units: [objective.index], settings: inspection)
        guard let natural = units.units.first else { throw ExplainError.invalidInput("the search of the natural images found no unit \(objective.index)") }
        try self.init(network: network, objective: objective, natural: natural, naturalImages: naturalImages, settings: settings, progress: progress)
    }

    /// Runs the ascent and checks it against `natural`, the unit's search of `naturalImages` that a
    /// units figure or the web app's unit search already made (one search per unit, one owner of
    /// its top images), and as many random natural images (seeded) for the path check.
    public init(network: Network, objective: FeatureObjective, natural: UnitTop, naturalImages: Tensor,
                settings: FeatureVisSettings = FeatureVisSettings(), progress: ((Int, Int) -> Void)? = nil) throws {
        guard natural.unit == objective.index else {
            throw ExplainError.invalidInput("the natural search is of unit \(natural.unit), not of unit \(objective.index) that feature visualisation climbs")
        }
        synthetic = try FeatureVisualisation.run(network: network, objective: objective, settings: settings, progress: progress)
        self.natural = natural
        topImageIndices = natural.top.map(\.imageIndex)
        let best = try Self.largestNatural(network: network, objective: objective, natural: natural)
        topNaturalActivation = best
        activationRatio = synthetic.reached.map { best > 0 ? $0 / best : .nan }
        var generator = SeededGenerator(seed: UInt64(settings.seed) &+ 1)
        var rows = Array(0..<naturalImages.shape[0])
        generator.shuffle(&rows)
        let random = naturalImages.gather(Array(rows.prefix(topImageIndices.count)))
        // one position's unit: each image compared where the unit reads it
        let boxes = natural.top.compactMap(\.box)
        var regions: PathCheck.Regions?
        if let field = synthetic.field, boxes.count == natural.top.count { regions = PathCheck.Regions(synthetic: field, top: boxes, random: field) }
        pathCheck = try PathCheck(network: network, objective: objective, synthetic: synthetic.images,
                                  top: naturalImages.gather(topImageIndices), random: random, regions: regions)
    }

    /// The objective's largest value over the natural images, from the search: a channel's mean,
    /// a dense unit, a logit (`largestMean`), or for one position of a spatial layer the channel's
    /// strongest activation at any position (the same filter, so the natural patches beside the
    /// image are the ones it is measured against).
    private static func largestNatural(network: Network, objective: FeatureObjective, natural: UnitTop) throws -> Float {
        guard try objective.readsOnePosition(in: network) else { return natural.largestMean }
        return natural.top.first?.value ?? natural.largestMean
    }

    static func outputLayer(_ network: Network) -> String { network.layerNames.last ?? "" }
}
