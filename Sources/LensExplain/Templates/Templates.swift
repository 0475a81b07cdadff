import LensModels
import LensTensor

/// What a model's first weighted layer looks for, as raw weights laid out like its input.
///
/// Softmax regression: one template per class (its weight row). A one-hidden-layer MLP: one per
/// hidden unit (rows of the first weight matrix) and, per class, the units the output layer
/// trusts most. A CNN: its first-layer filters. Dense weights are in raw-pixel space: training
/// folds the input centring into them (`InputCentering`), so they compare directly with images.
public struct Templates: Sendable {
    public var kind: TemplateKind
    /// The layer whose weights these are (`fc1`, `conv1`, ...).
    public var layer: String
    /// [count, ...input item shape] for dense layers; [out, in, kh, kw] for a convolution.
    public var images: Tensor
    /// Hidden-unit templates only, when the next layer is the output: per class, its strongest voters.
    public var votes: [ClassVotes]

    public var count: Int { images.shape.first ?? 0 }

    /// Template `index` as a flat array (one image or one filter).
    public func template(_ index: Int) -> [Float] {
        let size = images.count / max(count, 1)
        return Array(images.scalars[(index * size)..<((index + 1) * size)])
    }
}

public enum TemplateKind: String, Codable, Sendable, CaseIterable {
    /// Softmax regression: the template of class c is its weight row.
    case classWeights = "class-weights"
    /// A dense network's hidden units (its first weight matrix's rows).
    case hiddenUnits = "hidden-units"
    /// A convolutional network's first-layer filters.
    case filters
}

/// The hidden units with the largest output weights for one class, largest first.
public struct ClassVotes: Codable, Sendable, Equatable {
    public var classIndex: Int
    public var units: [Int]
    public var weights: [Float]
}

extension Templates {
    /// The templates of `network`'s first weighted layer; `topVotes` voters per class (MLP only),
    /// by default the settings' number or every unit of a narrower layer (an explicit number is checked).
    public init(of network: Network, topVotes: Int? = nil) throws {
        let weighted = network.architecture.layers.filter(\.operation.hasParameters)
        guard let first = weighted.first else {
            throw ExplainError.notApplicable(method: "templates", model: "parameter-free", instead: "train a model first")
        }
        let weights = try Self.weight(of: first, in: network)
        if first.operation.isConvolution {
            self.init(kind: .filters, layer: first.name, images: weights, votes: [])
            return
        }
        let inputShape = network.architecture.inputShape
        guard weights.shape[1] == inputShape.reduce(1, *) else {
            throw ExplainError.unsuitableLayer(method: "templates", layer: first.name,
                                               problem: "it sees pooled pixels, not the pixels themselves", suitable: [])
        }
        let images = weights.reshaped([weights.shape[0]] + inputShape)
        guard weighted.count > 1 else {
            self.init(kind: .classWeights, layer: first.name, images: images, votes: [])
            return
        }
        var votes: [ClassVotes] = []
        if weighted.count == 2, case .linear = weighted[1].operation {
            let top = topVotes ?? min(InspectionSettings().topVotes, weights.shape[0])
            try InspectionSettings.check("top votes", top, available: weights.shape[0], of: "hidden units")
            votes = Self.votes(try Self.weight(of: weighted[1], in: network), top: top)
        }
        self.init(kind: .hiddenUnits, layer: first.name, images: images, votes: votes)
    }

    private static func weight(of layer: LayerSpec, in network: Network) throws -> Tensor {
        let name = layer.parameterPrefix + ".weight"
        guard let weight = network.parameters.first(where: { $0.name == name })?.tensor else {
            throw ExplainError.invalidInput("layer \(layer.name) has no parameter \(name)")
        }
        return weight
    }

    /// Per class (row of `output` [classes, units]), the `top` units with the largest weights.
    static func votes(_ output: Tensor, top: Int) -> [ClassVotes] {
        let (classes, units) = (output.shape[0], output.shape[1])
        return (0..<classes).map { c in
            let row = Array(output.scalars[(c * units)..<((c + 1) * units)])
            let order = row.indices.sorted { row[$0] != row[$1] ? row[$0] > row[$1] : $0 < $1 }.prefix(top)
            return ClassVotes(classIndex: c, units: Array(order), weights: order.map { row[$0] })
        }
    }
}
