import Foundation

/// One layer of an architecture: what it computes, its name, and where its parameters live.
///
/// Its JSON form is the conformance fixtures' format (`__metadata__["architecture"]`):
/// `{"op":"conv2d","name":"conv1","in":1,"out":4,"kernel":3,"stride":1,"padding":1}`,
/// `{"op":"relu","name":"relu1"}`, `{"op":"maxpool2d","name":"pool1","kernel":2,"stride":2}`,
/// `{"op":"flatten","name":"flatten"}`, `{"op":"linear","name":"fc1","in":128,"out":16}`,
/// `{"op":"dropout","name":"drop1","p":0.5}`.
///
/// Naming: `name` is the layer's name (activations, backward passes and explanations use it);
/// `parameterPrefix` names its parameters (`<prefix>.weight`, `<prefix>.bias`) and equals `name`
/// unless a file says otherwise. In JSON a missing name is filled in by `Architecture` with the
/// conventional one (conv1, relu1, pool1, flatten, fc1, drop1, counted per kind), and a dotted
/// name such as nn.Sequential's `"layers.0"` is a PyTorch module path: it becomes the parameter
/// prefix and the layer gets the conventional name. A `"parameters"` key states the prefix
/// explicitly (that is how such a layer is written back).
public struct LayerSpec: Sendable, Equatable {
    public enum Operation: Sendable, Equatable {
        case linear(inFeatures: Int, outFeatures: Int)
        case conv2d(inChannels: Int, outChannels: Int, kernel: Int, stride: Int, padding: Int)
        case relu
        case maxPool2d(kernel: Int, stride: Int)
        case flatten
        case dropout(probability: Float)

        /// The `"op"` string of the JSON form.
        public var opName: String {
            switch self {
            case .linear: "linear"
            case .conv2d: "conv2d"
            case .relu: "relu"
            case .maxPool2d: "maxpool2d"
            case .flatten: "flatten"
            case .dropout: "dropout"
            }
        }

        /// Stem of the conventional layer name (`conv` → conv1, conv2, ...).
        var conventionalStem: String {
            switch self {
            case .linear: "fc"
            case .conv2d: "conv"
            case .relu: "relu"
            case .maxPool2d: "pool"
            case .flatten: "flatten"
            case .dropout: "drop"
            }
        }

        public var hasParameters: Bool {
            switch self {
            case .linear, .conv2d: true
            default: false
            }
        }
    }

    /// Empty until `Architecture` gives the layer its conventional name.
    public var name: String
    public var operation: Operation
    public var parameterPrefix: String

    public init(name: String, operation: Operation, parameterPrefix: String? = nil) {
        self.name = name
        self.operation = operation
        self.parameterPrefix = parameterPrefix ?? name
    }

    public static func linear(_ name: String = "", in inFeatures: Int, out outFeatures: Int) -> LayerSpec {
        LayerSpec(name: name, operation: .linear(inFeatures: inFeatures, outFeatures: outFeatures))
    }

    public static func conv2d(_ name: String = "", in inChannels: Int, out outChannels: Int,
                              kernel: Int, stride: Int = 1, padding: Int = 0) -> LayerSpec {
        LayerSpec(name: name, operation: .conv2d(inChannels: inChannels, outChannels: outChannels,
                                                 kernel: kernel, stride: stride, padding: padding))
    }

    public static func relu(_ name: String = "") -> LayerSpec { LayerSpec(name: name, operation: .relu) }

    /// PyTorch's default stride for max pooling is the kernel size.
    public static func maxPool2d(_ name: String = "", kernel: Int, stride: Int? = nil) -> LayerSpec {
        LayerSpec(name: name, operation: .maxPool2d(kernel: kernel, stride: stride ?? kernel))
    }

    public static func flatten(_ name: String = "") -> LayerSpec { LayerSpec(name: name, operation: .flatten) }

    public static func dropout(_ name: String = "", probability: Float) -> LayerSpec {
        LayerSpec(name: name, operation: .dropout(probability: probability))
    }
}

extension LayerSpec: Codable {
    private enum Key: String, CodingKey {
        case op, name, parameters, `in`, out, kernel, stride, padding, p
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        let op = try container.decode(String.self, forKey: .op)
        func integer(_ key: Key, default value: Int? = nil) throws -> Int {
            if let found = try container.decodeIfPresent(Int.self, forKey: key) { return found }
            if let value { return value }
            throw DecodingError.keyNotFound(key, .init(codingPath: container.codingPath,
                                                       debugDescription: "\(op) layer needs \"\(key.stringValue)\""))
        }
        switch op {
        case "linear":
            operation = .linear(inFeatures: try integer(.in), outFeatures: try integer(.out))
        case "conv2d":
            operation = .conv2d(inChannels: try integer(.in), outChannels: try integer(.out),
                                kernel: try integer(.kernel), stride: try integer(.stride, default: 1),
                                padding: try integer(.padding, default: 0))
        case "relu":
            operation = .relu
        case "maxpool2d":
            let kernel = try integer(.kernel)
            operation = .maxPool2d(kernel: kernel, stride: try integer(.stride, default: kernel))
        case "flatten":
            operation = .flatten
        case "dropout":
            operation = .dropout(probability: try container.decodeIfPresent(Float.self, forKey: .p) ?? 0.5)
        default:
            throw DecodingError.dataCorruptedError(
                forKey: .op, in: container,
                debugDescription: "unknown op \"\(op)\" (expected linear, conv2d, relu, maxpool2d, flatten or dropout)")
        }
        let written = try container.decodeIfPresent(String.self, forKey: .name) ?? ""
        if let prefix = try container.decodeIfPresent(String.self, forKey: .parameters) {
            name = written
            parameterPrefix = prefix
        } else if written.contains(".") {
            name = ""
            parameterPrefix = written
        } else {
            name = written
            parameterPrefix = written
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(operation.opName, forKey: .op)
        try container.encode(name, forKey: .name)
        if parameterPrefix != name { try container.encode(parameterPrefix, forKey: .parameters) }
        for (key, value) in numericFields {
            if let integer = value as? Int { try container.encode(integer, forKey: key) }
            if let float = value as? Float { try container.encode(float, forKey: key) }
        }
    }

    /// The numeric fields in the fixtures' key order.
    private var numericFields: [(Key, any Sendable)] {
        switch operation {
        case let .linear(inFeatures, outFeatures):
            [(.in, inFeatures), (.out, outFeatures)]
        case let .conv2d(inChannels, outChannels, kernel, stride, padding):
            [(.in, inChannels), (.out, outChannels), (.kernel, kernel), (.stride, stride), (.padding, padding)]
        case .relu, .flatten:
            []
        case let .maxPool2d(kernel, stride):
            [(.kernel, kernel), (.stride, stride)]
        case let .dropout(probability):
            [(.p, probability)]
        }
    }

    /// The JSON object with keys in the fixtures' order (op, name, then the numbers).
    var jsonObject: String {
        var fields = ["\"op\": \(jsonString(operation.opName))", "\"name\": \(jsonString(name))"]
        if parameterPrefix != name { fields.append("\"parameters\": \(jsonString(parameterPrefix))") }
        for (key, value) in numericFields { fields.append("\"\(key.stringValue)\": \(value)") }
        return "{" + fields.joined(separator: ", ") + "}"
    }
}

/// A JSON string literal with the escapes JSON requires.
func jsonString(_ value: String) -> String {
    var out = "\""
    for scalar in value.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default:
            if scalar.value < 0x20 {
                out += String(format: "\\u%04x", scalar.value)
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
    }
    return out + "\""
}
