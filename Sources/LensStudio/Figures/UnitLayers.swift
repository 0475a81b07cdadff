import LensExplain
import LensModels

/// A layer whose units can be inspected: the output of a convolutional block (units are channels,
/// shown as patches of their receptive field) or of a hidden dense layer (units see whole images).
public struct UnitLayer: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable {
        case convolutional, dense
    }

    public var name: String
    public var kind: Kind
    public var units: Int
    /// Side of the square of pixels one position sees (convolutional layers only).
    public var receptiveField: Int?

    /// Per weighted layer but the output layer, the last layer of its block (its ReLU, or the pool
    /// after it; never past a flatten or the next weighted layer, and not a dropout, which changes
    /// nothing at inference): what the next layer reads.
    public static func all(in architecture: Architecture) -> [UnitLayer] {
        let layers = architecture.layers
        // A batch norm belongs to the block of the conv or fc before it (its units are that layer's,
        // normalised), though it has parameters of its own.
        func startsBlock(_ index: Int) -> Bool {
            if case .batchNorm = layers[index].operation { return false }
            return layers[index].operation.hasParameters
        }
        let weighted = layers.indices.filter(startsBlock)
        return weighted.dropLast().map { start in
            var end = start, next = start + 1
            while next < layers.count, !startsBlock(next), layers[next].operation != .flatten {
                if case .dropout = layers[next].operation {} else { end = next }
                next += 1
            }
            let name = layers[end].name
            let shape = architecture.layerOutputShapes[end]
            let spatial = shape.count == 3
            return UnitLayer(name: name, kind: spatial ? .convolutional : .dense, units: shape.first ?? 0,
                             receptiveField: spatial ? (try? ReceptiveField(layer: name, in: architecture))?.size : nil)
        }
    }
}

extension ExplanationPages {
    /// The units page's layers: each conv block's output.
    static func unitLayers(of architecture: Architecture) -> [String] {
        UnitLayer.all(in: architecture).filter { $0.kind == .convolutional }.map(\.name)
    }
}
