import Foundation

/// A network's input shape and its layers, checked to fit together.
///
/// The input shape is one item without the batch axis: `[C, H, W]` for images, `[features]`
/// for vectors. Building an architecture names unnamed layers (see `LayerSpec`) and works out
/// every layer's output shape, failing with an error that names the first layer that does not fit.
public struct Architecture: Sendable, Equatable {
    public private(set) var inputShape: [Int]
    public private(set) var layers: [LayerSpec]
    /// Each layer's output shape (one item, no batch axis), in layer order.
    public private(set) var layerOutputShapes: [[Int]]

    public init(inputShape: [Int], layers: [LayerSpec]) throws {
        guard !inputShape.isEmpty, inputShape.count <= 3, inputShape.allSatisfy({ $0 > 0 }) else {
            throw ArchitectureError.invalidInputShape(
                shape: inputShape, problem: "expected [features] or [channels, height, width] with every size above 0")
        }
        let named = Self.namingUnnamedLayers(layers)
        try Self.checkNamesAreUnique(named)
        var shape = inputShape
        var shapes: [[Int]] = []
        for (index, layer) in named.enumerated() {
            do {
                shape = try layer.operation.outputShape(for: shape)
            } catch let problem as ShapeProblem {
                throw ArchitectureError.layerDoesNotFit(layer: layer.name, index: index, inputShape: shape,
                                                        problem: problem.message)
            }
            shapes.append(shape)
        }
        guard shape.count == 1, named.last?.operation.hasParameters == true else {
            throw ArchitectureError.notAClassifier(outputShape: shape)
        }
        self.inputShape = inputShape
        self.layers = named
        self.layerOutputShapes = shapes
    }

    /// Parses the fixtures' JSON form: an array of layer objects.
    public init(json: String, inputShape: [Int]) throws {
        let layers: [LayerSpec]
        do {
            layers = try JSONDecoder().decode([LayerSpec].self, from: Data(json.utf8))
        } catch let error as DecodingError {
            throw ArchitectureError.invalidJSON(Self.explain(error))
        }
        try self.init(inputShape: inputShape, layers: layers)
    }

    /// The layers as a JSON array in the fixtures' format; `init(json:inputShape:)` reads it back.
    public var json: String {
        "[" + layers.map(\.jsonObject).joined(separator: ", ") + "]"
    }

    /// Class scores per item: `[classes]`.
    public var outputShape: [Int] { layerOutputShapes.last ?? inputShape }

    public var classCount: Int { outputShape[0] }

    public var layerNames: [String] { layers.map(\.name) }

    /// The input shape of layer `index` (the previous layer's output).
    public func inputShape(ofLayer index: Int) -> [Int] {
        index == 0 ? inputShape : layerOutputShapes[index - 1]
    }

    public func index(ofLayer name: String) -> Int? { layers.firstIndex { $0.name == name } }

    private static func namingUnnamedLayers(_ layers: [LayerSpec]) -> [LayerSpec] {
        var counts: [String: Int] = [:]
        return layers.map { layer in
            var layer = layer
            let stem = layer.operation.conventionalStem
            counts[stem, default: 0] += 1
            if layer.name.isEmpty {
                let count = counts[stem]!
                layer.name = stem == "flatten" && count == 1 ? stem : "\(stem)\(count)"
                if layer.parameterPrefix.isEmpty { layer.parameterPrefix = layer.name }
            }
            return layer
        }
    }

    private static func checkNamesAreUnique(_ layers: [LayerSpec]) throws {
        var seen = Set<String>()
        for layer in layers where !seen.insert(layer.name).inserted {
            throw ArchitectureError.duplicateName(layer.name)
        }
        var prefixes = Set<String>()
        for layer in layers where layer.operation.hasParameters && !prefixes.insert(layer.parameterPrefix).inserted {
            throw ArchitectureError.duplicateName(layer.parameterPrefix)
        }
    }

    private static func explain(_ error: DecodingError) -> String {
        switch error {
        case let .dataCorrupted(context), let .keyNotFound(_, context),
             let .typeMismatch(_, context), let .valueNotFound(_, context):
            let path = context.codingPath.map { $0.intValue.map { "layer \($0 + 1)" } ?? $0.stringValue }
            let location = path.isEmpty ? "" : " at " + path.joined(separator: ", ")
            let underlying = (context.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String
            return context.debugDescription + location + (underlying.map { " (\($0))" } ?? "")
        @unknown default:
            return "\(error)"
        }
    }
}

extension Architecture: Codable {
    private enum Key: String, CodingKey { case inputShape, layers }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        try self.init(inputShape: try container.decode([Int].self, forKey: .inputShape),
                      layers: try container.decode([LayerSpec].self, forKey: .layers))
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(inputShape, forKey: .inputShape)
        try container.encode(layers, forKey: .layers)
    }
}
