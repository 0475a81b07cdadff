import LensModels

/// The layers whose output is image-shaped ([N, C, H, W]), in graph order: the names `--layer`,
/// units and Grad-CAM take, with the shape of one item. The model's own constants (an ONNX
/// initializer used as an operand) are not layers a person asks about and are left out.
public struct ImageLayers: Codable, Sendable, Equatable {
    public struct Layer: Codable, Sendable, Equatable {
        public var name: String
        /// [C, H, W] of one item.
        public var shape: [Int]

        public init(name: String, shape: [Int]) {
            self.name = name
            self.shape = shape
        }
    }

    public var model: String
    /// [C, H, W] of the input.
    public var input: [Int]
    public var layers: [Layer]

    public init(_ network: Network, model: String) {
        let architecture = network.architecture
        self.model = model
        input = architecture.inputShape
        layers = zip(architecture.layers, architecture.layerOutputShapes).compactMap { spec, shape in
            if case .constant = spec.operation { return nil }
            return shape.count == 3 ? Layer(name: spec.name, shape: shape) : nil
        }
    }

    /// One line per layer, its shape first so that names of any length line up.
    public var summary: String {
        let lines = layers.map { layer in
            let shape = layer.shape.map(String.init).joined(separator: "×")
            return shape.padding(toLength: 12, withPad: " ", startingAt: 0) + " " + layer.name
        }
        let inputShape = input.map(String.init).joined(separator: "×")
        return (["\(model): \(layers.count) layers with image-shaped outputs (C×H×W; input \(inputShape))"] + lines).joined(separator: "\n")
    }
}
