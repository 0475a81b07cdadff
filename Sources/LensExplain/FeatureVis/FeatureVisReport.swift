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
    public var pathCheck: PathCheck

    /// Runs the ascent, then searches `naturalImages` [N, ...] for the unit's top images
    /// (`inspection.topImages` of them) and as many random ones (seeded) for the check.
    public init(network: Network, objective: FeatureObjective, naturalImages: Tensor,
                settings: FeatureVisSettings = FeatureVisSettings(), inspection: InspectionSettings = InspectionSettings(),
                progress: ((Int, Int) -> Void)? = nil) throws {
        synthetic = try FeatureVisualisation.run(network: network, objective: objective, settings: settings, progress: progress)
        let units = try LayerUnits(network: network, layer: objective.layer ?? Self.outputLayer(network), images: naturalImages,
                                   units: [objective.index], settings: inspection)
        topImageIndices = units.units.first?.top.map(\.imageIndex) ?? []
        var scan = network
        var best = -Float.infinity
        try forEachBatch(of: naturalImages.shape[0], size: inspection.batchSize) { range in
            let batch = naturalImages.slice(range)
            let output = try objective.layer.map { layer in
                try scan.activations(batch, at: [layer]).activations[layer] ?? Tensor(shape: [0])
            } ?? scan.logits(batch)
            best = max(best, objective.values(output).max() ?? best)
        }
        topNaturalActivation = best
        activationRatio = synthetic.reached.map { best > 0 ? $0 / best : .nan }
        var generator = SeededGenerator(seed: UInt64(settings.seed) &+ 1)
        var rows = Array(0..<naturalImages.shape[0])
        generator.shuffle(&rows)
        let random = naturalImages.gather(Array(rows.prefix(topImageIndices.count)))
        pathCheck = try PathCheck(network: network, objective: objective, synthetic: synthetic.images,
                                  top: naturalImages.gather(topImageIndices), random: random)
    }

    static func outputLayer(_ network: Network) -> String { network.layerNames.last ?? "" }
}
