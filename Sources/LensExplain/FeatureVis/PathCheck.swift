import LensModels
import LensTensor

/// Geirhos et al. 2023 ("Don't trust your eyes"): a synthetic image can excite a unit along a path
/// that natural images never take. Per layer up to the unit's, the synthetic image's activations
/// are rank-correlated (Spearman) with those of the unit's top natural images, and, as the
/// baseline, with those of random natural images. A conv layer is compared through its channels'
/// mean activations (where a pattern sits should not matter), a dense layer unit by unit.
public struct PathCheck: Codable, Sendable, Equatable {
    public struct LayerSimilarity: Codable, Sendable, Equatable {
        public var layer: String
        /// Mean Spearman correlation with the top natural images' activations.
        public var natural: Double
        /// The same with random natural images.
        public var baseline: Double
    }

    public enum Verdict: String, Codable, Sendable {
        /// Closer to the top natural images than random ones at most layers.
        case naturalPath = "natural path"
        /// No closer to the top natural images than to random ones: the synthetic image takes another path.
        case anotherPath = "another path"
    }

    /// One synthetic image's own numbers (with diversity the images can take different paths).
    public struct ImagePath: Codable, Sendable, Equatable {
        public var layers: [LayerSimilarity]
        public var verdict: Verdict

        public init(layers: [LayerSimilarity], verdict: Verdict) {
            self.layers = layers
            self.verdict = verdict
        }
    }

    /// Every synthetic image pooled.
    public var layers: [LayerSimilarity]
    public var verdict: Verdict
    /// Per synthetic image, in order.
    public var images: [ImagePath]

    /// The weighted layers (conv, dense) up to and including the objective's, in order: what the
    /// signal passes through on its way to the unit.
    public static func layers(for objective: FeatureObjective, in network: Network) throws -> [String] {
        let architecture = network.architecture
        let end = try objective.layer.map { try network.layerIndex(named: $0) } ?? architecture.layers.count - 1
        var names = architecture.layers[...end].filter { $0.operation.hasParameters }.map(\.name)
        if let layer = objective.layer, names.last != layer { names.append(layer) }
        return names
    }

    /// Where each image reaches a unit that reads one position: the receptive field of that
    /// position (the synthetic and the random images: the centre's, where the objective reads; each
    /// top natural image: its strongest position's). A spatial layer is then compared through the
    /// channel means over the positions centred inside that box, not over the whole image, most of
    /// which the unit never sees.
    public struct Regions: Sendable, Equatable {
        public var synthetic: PatchBox
        public var top: [PatchBox]
        public var random: PatchBox

        public init(synthetic: PatchBox, top: [PatchBox], random: PatchBox) {
            self.synthetic = synthetic
            self.top = top
            self.random = random
        }
    }

    /// `synthetic` [n, ...], `top` and `random` [m, ...] natural images; `regions` nil: whole images.
    public init(network: Network, objective: FeatureObjective, synthetic: Tensor, top: Tensor, random: Tensor,
                regions: Regions? = nil) throws {
        let names = try Self.layers(for: objective, in: network)
        var fields: [String: ReceptiveField] = [:]
        for name in names where regions != nil {
            guard network.architecture.layerOutputShapes[try network.layerIndex(named: name)].count == 3 else { continue }
            fields[name] = try ReceptiveField(layer: name, in: network.architecture)
        }
        var network = network
        func signatures(_ images: Tensor, _ boxes: [PatchBox]?) throws -> [String: [[Float]]] {
            let captured = try network.activations(images, at: names).activations
            var result: [String: [[Float]]] = [:]
            for name in names {
                guard let output = captured[name] else { throw ExplainError.invalidInput("the network returned no output for layer \(name)") }
                result[name] = Self.signature(output, field: fields[name], boxes: boxes)
            }
            return result
        }
        func each(_ box: PatchBox?, _ images: Tensor) -> [PatchBox]? { box.map { Array(repeating: $0, count: images.shape.first ?? 0) } }
        let (s, t, r) = (try signatures(synthetic, each(regions?.synthetic, synthetic)), try signatures(top, regions?.top),
                         try signatures(random, each(regions?.random, random)))
        // `only`: one synthetic image's row; nil: all of them
        func similarities(_ only: Int?) -> [LayerSimilarity] {
            names.map { name in
                let all = s[name] ?? [], mine = only.map { i in i < all.count ? [all[i]] : [] } ?? all
                return LayerSimilarity(layer: name, natural: Self.meanCorrelation(mine, t[name] ?? []),
                                       baseline: Self.meanCorrelation(mine, r[name] ?? []))
            }
        }
        layers = similarities(nil)
        verdict = Self.verdict(layers)
        images = (0..<(synthetic.shape.first ?? 0)).map { i in
            let own = similarities(i)
            return ImagePath(layers: own, verdict: Self.verdict(own))
        }
    }

    /// The natural path when the synthetic image is closer to the top natural images than to random ones at most layers.
    static func verdict(_ layers: [LayerSimilarity]) -> Verdict {
        let closer = layers.filter { $0.natural > $0.baseline }.count
        return 2 * closer > layers.count ? .naturalPath : .anotherPath
    }

    /// Per item: channel means of a spatial output [N, C, H, W] (over the positions of item i's box
    /// when `field` and `boxes` are given), else the flat activations.
    static func signature(_ output: Tensor, field: ReceptiveField? = nil, boxes: [PatchBox]? = nil) -> [[Float]] {
        let items = output.shape[0], size = output.count / max(items, 1)
        guard output.rank == 4 else { return (0..<items).map { Array(output.scalars[($0 * size)..<(($0 + 1) * size)]) } }
        let (channels, height, width) = (output.shape[1], output.shape[2], output.shape[3])
        return (0..<items).map { item in
            var (rows, columns) = (0..<height, 0..<width)
            if let field, let boxes, item < boxes.count {
                rows = field.positions(centredIn: boxes[item].fullTop, size: boxes[item].fullSize, count: height)
                columns = field.positions(centredIn: boxes[item].fullLeft, size: boxes[item].fullSize, count: width)
            }
            let count = Float(rows.count * columns.count)
            return (0..<channels).map { c in
                var sum: Float = 0
                for y in rows { for x in columns { sum += output.scalars[((item * channels + c) * height + y) * width + x] } }
                return sum / count
            }
        }
    }

    /// Mean Spearman correlation over every (a, b) pair; a constant side counts as 0.
    static func meanCorrelation(_ a: [[Float]], _ b: [[Float]]) -> Double {
        guard !a.isEmpty, !b.isEmpty else { return 0 }
        var sum = 0.0
        for x in a { for y in b { sum += RankCorrelation.spearman(x, y) ?? 0 } }
        return sum / Double(a.count * b.count)
    }
}
