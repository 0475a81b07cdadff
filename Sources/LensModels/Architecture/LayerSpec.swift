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
///
/// Graphs: `inputs` names the layers whose outputs this one reads (`Architecture.inputName` for
/// the network input); empty means the previous layer's output, so a chain needs none. The graph
/// operations below `dropout` come from ONNX files (`ONNXImport`), not from the JSON form.
public struct LayerSpec: Sendable, Equatable {
    public enum Operation: Sendable, Equatable {
        case linear(inFeatures: Int, outFeatures: Int)
        case conv2d(inChannels: Int, outChannels: Int, kernel: Int, stride: Int, padding: Int)
        case relu
        case maxPool2d(kernel: Int, stride: Int)
        case flatten
        case dropout(probability: Float)
        /// Any 2-D convolution: groups, dilation, rectangular kernels and strides, asymmetric pads.
        case convolution(Convolution)
        /// Inference-form batch normalisation over the channel axis (parameters weight, bias,
        /// running_mean, running_var as PyTorch names them).
        case batchNorm(channels: Int, epsilon: Float)
        /// Elementwise with NumPy broadcasting over the item axes; two inputs.
        case add
        case multiply
        /// Joins its inputs along item axis `axis` (ONNX axis − 1).
        case concat(axis: Int)
        case maxPool(Pooling)
        case averagePool(Pooling)
        case globalAveragePool
        /// min(max(x, low), high); ReLU6 is clip(0, 6). Guided backprop and deconvnet apply here as at ReLU.
        case clip(low: Float, high: Float)
        case sigmoid
        /// max(0, min(1, α·x + β)).
        case hardSigmoid(alpha: Float, beta: Float)
        /// x·hardSigmoid(x) with α = 1/6, β = 1/2.
        case hardSwish
        /// To a fixed item shape (same size).
        case reshape(shape: [Int])
        /// Identity (ONNX Identity, and Dropout at inference).
        case identity
        /// Constant padding of the two spatial axes.
        case pad(top: Int, left: Int, bottom: Int, right: Int, value: Float)
        /// A fixed tensor of item shape `shape`, the same for every item (an ONNX initializer that
        /// is an operand rather than a weight).
        case constant(shape: [Int], values: [Float])

        /// The `"op"` string of the JSON form.
        public var opName: String {
            switch self {
            case .linear: "linear"
            case .conv2d: "conv2d"
            case .relu: "relu"
            case .maxPool2d: "maxpool2d"
            case .flatten: "flatten"
            case .dropout: "dropout"
            case .convolution: "conv"
            case .batchNorm: "batchnorm"
            case .add: "add"
            case .multiply: "mul"
            case .concat: "concat"
            case .maxPool: "maxpool"
            case .averagePool: "avgpool"
            case .globalAveragePool: "globalavgpool"
            case .clip: "clip"
            case .sigmoid: "sigmoid"
            case .hardSigmoid: "hardsigmoid"
            case .hardSwish: "hardswish"
            case .reshape: "reshape"
            case .identity: "identity"
            case .pad: "pad"
            case .constant: "constant"
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
            default: opName
            }
        }

        public var hasParameters: Bool {
            switch self {
            case .linear, .conv2d, .convolution, .batchNorm: true
            default: false
            }
        }

        /// A convolution of either form.
        public var isConvolution: Bool {
            switch self {
            case .conv2d, .convolution: true
            default: false
            }
        }

        /// Whether guided backprop and the deconvnet rule apply at this operation (ReLU, clip).
        public var isRectifier: Bool {
            switch self {
            case .relu, .clip: true
            default: false
            }
        }

        /// The operations only a graph (an ONNX file) has: the JSON form cannot write them.
        var isGraphOnly: Bool {
            switch self {
            case .linear, .conv2d, .relu, .maxPool2d, .flatten, .dropout: false
            default: true
            }
        }
    }

    /// Empty until `Architecture` gives the layer its conventional name.
    public var name: String
    public var operation: Operation
    public var parameterPrefix: String
    /// The layers this one reads, in operand order; empty: the previous layer (or the input).
    public var inputs: [String]

    public init(name: String, operation: Operation, parameterPrefix: String? = nil, inputs: [String] = []) {
        self.name = name
        self.operation = operation
        self.parameterPrefix = parameterPrefix ?? name
        self.inputs = inputs
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
        case op, name, parameters, inputs, `in`, out, kernel, stride, padding, p, eps, bias
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
        case "conv":
            // The square, symmetric convolutions of lens's residual blocks (no bias unless "bias": true).
            let kernel = try integer(.kernel), padding = try integer(.padding, default: 0)
            operation = .convolution(Convolution(inChannels: try integer(.in), outChannels: try integer(.out),
                                                 window: .square(kernel: kernel, stride: try integer(.stride, default: 1), padding: padding),
                                                 hasBias: try container.decodeIfPresent(Bool.self, forKey: .bias) ?? false))
        case "batchnorm":
            operation = .batchNorm(channels: try integer(.in), epsilon: try container.decodeIfPresent(Float.self, forKey: .eps) ?? 1e-5)
        case "add":
            operation = .add
        case "globalavgpool":
            operation = .globalAveragePool
        default:
            throw DecodingError.dataCorruptedError(
                forKey: .op, in: container,
                debugDescription: "unknown op \"\(op)\" (expected linear, conv2d, conv, relu, maxpool2d, flatten, dropout, "
                    + "batchnorm, add or globalavgpool)")
        }
        inputs = try container.decodeIfPresent([String].self, forKey: .inputs) ?? []
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
        if writesPrefix { try container.encode(parameterPrefix, forKey: .parameters) }
        if !inputs.isEmpty { try container.encode(inputs, forKey: .inputs) }
        for (key, value) in numericFields {
            if let integer = value as? Int { try container.encode(integer, forKey: key) }
            if let float = value as? Float { try container.encode(float, forKey: key) }
            if let flag = value as? Bool { try container.encode(flag, forKey: key) }
        }
    }

    /// Whether the JSON form states the prefix: when it differs from the name, and for a dotted
    /// name (`res1.conv1`), which reading would otherwise take for a module path.
    private var writesPrefix: Bool { parameterPrefix != name || name.contains(".") }

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
        case let .convolution(convolution) where convolution.isSquareAndSymmetric:
            [(.in, convolution.inChannels), (.out, convolution.outChannels), (.kernel, convolution.window.kernelHeight),
             (.stride, convolution.window.strideY), (.padding, convolution.window.padTop), (.bias, convolution.hasBias)]
        case let .batchNorm(channels, epsilon):
            [(.in, channels), (.eps, epsilon)]
        default:
            []   // graph operations: an ONNX file is their only form
        }
    }

    /// The JSON object with keys in the fixtures' order (op, name, then the numbers).
    var jsonObject: String {
        var fields = ["\"op\": \(jsonString(operation.opName))", "\"name\": \(jsonString(name))"]
        if writesPrefix { fields.append("\"parameters\": \(jsonString(parameterPrefix))") }
        if !inputs.isEmpty { fields.append("\"inputs\": [" + inputs.map(jsonString).joined(separator: ", ") + "]") }
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
