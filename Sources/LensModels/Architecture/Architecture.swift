import Foundation

/// A network's input shape and its layers, checked to fit together.
///
/// The input shape is one item without the batch axis: `[C, H, W]` for images, `[features]`
/// for vectors. Building an architecture names unnamed layers (see `LayerSpec`) and works out
/// every layer's output shape, failing with an error that names the first layer that does not fit.
///
/// The layers are a graph in topological order: each reads the outputs named in its `inputs`
/// (the previous layer's when it names none), so a chain is the graph whose layers name nothing.
public struct Architecture: Sendable, Equatable {
    public private(set) var inputShape: [Int]
    public private(set) var layers: [LayerSpec]
    /// Each layer's output shape (one item, no batch axis), in layer order.
    public private(set) var layerOutputShapes: [[Int]]
    /// Each layer's inputs as layer indices, −1 for the network input.
    public private(set) var layerInputs: [[Int]]

    /// The name by which a layer's `inputs` refer to the network input.
    public static let inputName = "input"

    public init(inputShape: [Int], layers: [LayerSpec]) throws {
        guard !inputShape.isEmpty, inputShape.count <= 3, inputShape.allSatisfy({ $0 > 0 }) else {
            throw ArchitectureError.invalidInputShape(
                shape: inputShape, problem: "expected [features] or [channels, height, width] with every size above 0")
        }
        let named = Self.namingUnnamedLayers(layers)
        try Self.checkNamesAreUnique(named)
        var indices = [Self.inputName: -1]
        var shapes: [[Int]] = []
        var sources: [[Int]] = []
        for (index, layer) in named.enumerated() {
            let own = try layer.inputs.map { name in
                guard let source = indices[name] else {
                    throw ArchitectureError.layerDoesNotFit(layer: layer.name, index: index, inputShape: [],
                                                            problem: "its input \"\(name)\" is no earlier layer")
                }
                return source
            }
            // A constant reads the network input for its batch size only.
            let constant = layer.operation.arity == 0
            let reads = constant ? [-1] : layer.inputs.isEmpty ? [index - 1] : own
            let inputShapes = reads.map { $0 < 0 ? inputShape : shapes[$0] }
            do {
                shapes.append(try layer.operation.outputShape(forInputs: constant ? [] : inputShapes))
            } catch let problem as ShapeProblem {
                throw ArchitectureError.layerDoesNotFit(layer: layer.name, index: index, inputShape: inputShapes.first ?? [],
                                                        problem: problem.message)
            }
            sources.append(reads)
            indices[layer.name] = index
        }
        let shape = shapes.last ?? inputShape
        let isGraph = named.contains { !$0.inputs.isEmpty }
        guard shape.count == 1, named.last?.operation.hasParameters == true || isGraph && named.contains(where: \.operation.hasParameters) else {
            throw ArchitectureError.notAClassifier(outputShape: shape)
        }
        self.inputShape = inputShape
        self.layers = named
        self.layerOutputShapes = shapes
        self.layerInputs = sources
    }

    /// Whether every layer reads the one before it (the architectures lens trains).
    public var isChain: Bool { layerInputs.enumerated().allSatisfy { $0.element == [$0.offset - 1] } }

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

    /// The shape of layer `index`'s first input.
    public func inputShape(ofLayer index: Int) -> [Int] {
        guard let source = layerInputs[index].first else { return [] }
        return source < 0 ? inputShape : layerOutputShapes[source]
    }

    public func index(ofLayer name: String) -> Int? { layers.firstIndex { $0.name == name } }

    private static func namingUnnamedLayers(_ layers: [LayerSpec]) -> [LayerSpec] {
        layers.indices.map { index in
            var layer = layers[index]
            if layer.name.isEmpty {
                layer.name = conventionalName(ofLayer: index, in: layers)
                if layer.parameterPrefix.isEmpty { layer.parameterPrefix = layer.name }
            }
            return layer
        }
    }

    /// conv1, relu1, pool1, flatten, fc1, ...: the stem of the layer's kind and how many layers of
    /// that kind it ends. Members of a block (a dotted name such as `res1.conv1`) are not counted.
    static func conventionalName(ofLayer index: Int, in layers: [LayerSpec]) -> String {
        let stem = layers[index].operation.conventionalStem
        let count = layers[...index].filter { $0.operation.conventionalStem == stem && !$0.name.contains(".") }.count
        return stem == "flatten" && count == 1 ? stem : "\(stem)\(count)"
    }

    private static func checkNamesAreUnique(_ layers: [LayerSpec]) throws {
        var seen: Set<String> = [inputName]
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
