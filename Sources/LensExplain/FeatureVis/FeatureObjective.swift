import LensModels
import LensTensor

/// What gradient ascent maximises: a conv channel's mean activation over its positions, a dense
/// unit's activation, or a class's logit (Olah et al. 2017's "channel", "neuron" and "logit").
/// A unit of a spatial layer is Lucent's "neuron": the channel's activation at the centre position.
public enum FeatureObjective: Codable, Sendable, Equatable {
    case channel(layer: String, channel: Int)
    case unit(layer: String, unit: Int)
    case classLogit(Int)

    /// A layer's default objective: the channel's mean when the layer is spatial (issue 20's
    /// objective; every first-block unit reaches its top natural activation this way), else its
    /// unit. `.unit` on a spatial layer (`--objective unit`) climbs channel `unit` at the centre
    /// position only (Lucent's "neuron"), drawn cut to its receptive field (`receptiveBox`): one
    /// motif the size of the natural patches, but half the centre units stay below their top patch.
    public static func unit(_ unit: Int, of layer: String, in network: Network) throws -> FeatureObjective {
        let shape = network.architecture.layerOutputShapes[try network.layerIndex(named: layer)]
        return shape.count == 3 ? .channel(layer: layer, channel: unit) : .unit(layer: layer, unit: unit)
    }

    /// Whether it reads one position of a spatial layer (a neuron, not a channel's mean).
    func readsOnePosition(in network: Network) throws -> Bool {
        guard case .unit(let layer, _) = self else { return false }
        return network.architecture.layerOutputShapes[try network.layerIndex(named: layer)].count == 3
    }

    /// The input box the objective sees: the receptive field of the centre position for a unit of
    /// a spatial layer; nil when it sees the whole image (a channel's mean, a dense unit, a logit).
    public func receptiveBox(in network: Network) throws -> PatchBox? {
        guard try readsOnePosition(in: network), let layer else { return nil }
        let architecture = network.architecture
        let shape = architecture.layerOutputShapes[try network.layerIndex(named: layer)]
        let field = try ReceptiveField(layer: layer, in: architecture)
        return field.box(y: shape[1] / 2, x: shape[2] / 2, height: architecture.inputShape[1], width: architecture.inputShape[2])
    }

    /// The layer whose output it reads; nil for a class logit (the network output).
    public var layer: String? {
        switch self {
        case .channel(let layer, _), .unit(let layer, _): layer
        case .classLogit: nil
        }
    }

    /// The channel, unit or class index.
    public var index: Int {
        switch self {
        case .channel(_, let index), .unit(_, let index), .classLogit(let index): index
        }
    }

    /// Throws when the layer is unknown, has no channels for a channel objective, or the index is out of range.
    func validate(for network: Network) throws {
        let architecture = network.architecture
        guard architecture.inputShape.count == 3 else {
            throw ExplainError.notApplicable(method: "feature visualisation", model: "flat-input",
                                             instead: "it optimises an image, and this model reads a vector of \(architecture.inputShape.reduce(1, *)) features")
        }
        switch self {
        case .classLogit(let index):
            let classes = architecture.classCount
            guard (0..<classes).contains(index) else {
                throw ExplainError.settingOutOfRange(setting: "class", value: "\(index)", allowed: "between 0 and \(classes - 1): the model has \(classes) classes")
            }
        case .channel(let layer, let index), .unit(let layer, let index):
            let shape = architecture.layerOutputShapes[try network.layerIndex(named: layer)]
            if case .channel = self, shape.count != 3 {
                let spatial = architecture.layers.indices.filter { architecture.layerOutputShapes[$0].count == 3 }.map { architecture.layers[$0].name }
                throw ExplainError.unsuitableLayer(method: "a channel objective", layer: layer,
                                                   problem: "its output has no spatial positions to average over; ask for a unit instead",
                                                   suitable: spatial)
            }
            let units = shape.count == 3 ? shape[0] : shape.reduce(1, *)
            guard (0..<units).contains(index) else {
                throw ExplainError.settingOutOfRange(setting: "unit", value: "\(index)",
                                                     allowed: "between 0 and \(units - 1): layer \(layer) has \(units) units")
            }
        }
    }

    /// Per item of `output` [N, ...] (the layer's output, or the logits): the objective's value.
    func values(_ output: Tensor) -> [Float] {
        let items = output.shape[0], size = output.count / max(items, 1)
        return (0..<items).map { item in
            switch self {
            case .channel(_, let c):
                let positions = output.shape.dropFirst(2).reduce(1, *)
                let start = item * size + c * positions
                return output.scalars[start..<(start + positions)].reduce(0, +) / Float(positions)
            case .unit(_, let u), .classLogit(let u):
                return output.scalars[item * size + Self.offset(of: u, in: output.shape.dropFirst())]
            }
        }
    }

    /// ∂(Σ items' values)/∂output: 1/P over the channel's positions, or a one-hot.
    func gradient(like output: Tensor) -> Tensor {
        var gradient = Tensor(shape: output.shape)
        let items = output.shape[0], size = output.count / max(items, 1)
        for item in 0..<items {
            switch self {
            case .channel(_, let c):
                let positions = output.shape.dropFirst(2).reduce(1, *)
                let start = item * size + c * positions
                for p in start..<(start + positions) { gradient.scalars[p] = 1 / Float(positions) }
            case .unit(_, let u), .classLogit(let u):
                gradient.scalars[item * size + Self.offset(of: u, in: output.shape.dropFirst())] = 1
            }
        }
        return gradient
    }

    /// Where unit `u` sits in one item of shape `itemShape`: the index itself for a vector, the
    /// centre position of channel `u` for a [C, H, W] map.
    static func offset(of u: Int, in itemShape: ArraySlice<Int>) -> Int {
        guard itemShape.count == 3 else { return u }
        let height = itemShape[itemShape.startIndex + 1], width = itemShape[itemShape.startIndex + 2]
        return (u * height + height / 2) * width + width / 2
    }
}
