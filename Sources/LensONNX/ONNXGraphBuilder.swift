import LensModels
import LensTensor

/// Builds lens layers from ONNX nodes in graph order: tracks which layer produces each tensor,
/// the item shape of each layer, the constants (initializers and Constant nodes) and the parameters.
struct ONNXGraphBuilder {
    var specs: [LayerSpec] = []
    var parameters: [String: Tensor] = [:]
    var notes: [String] = []
    /// Tensor name → the layer that produces it (`Architecture.inputName` for the graph input).
    var producers: [String: String] = [:]
    /// Layer name → its output's item shape.
    var shapes: [String: [Int]] = [:]
    var constants: [String: ONNXTensor] = [:]
    /// Tensor name → how many node operands (and graph outputs) read it.
    var readers: [String: Int] = [:]

    init(inputName: String, inputShape: [Int]) {
        producers[inputName] = Architecture.inputName
        shapes[Architecture.inputName] = inputShape
    }

    /// The layer whose output is the node's operand `index` (which must be a graph tensor).
    func layer(_ node: Onnx_NodeProto, _ index: Int) throws -> String {
        guard index < node.input.count, !node.input[index].isEmpty else { throw NodeProblem("input \(index + 1) is missing") }
        let tensor = node.input[index]
        if constants[tensor] != nil { throw NodeProblem("input \(index + 1) (\"\(tensor)\") is a constant where lens needs a computed tensor") }
        guard let producer = producers[tensor] else { throw NodeProblem("input \"\(tensor)\" is produced by no earlier node") }
        return producer
    }

    /// The constant at operand `index`, nil when the operand is absent (optional inputs).
    func constant(_ node: Onnx_NodeProto, _ index: Int) throws -> ONNXTensor? {
        guard index < node.input.count, !node.input[index].isEmpty else { return nil }
        guard let value = constants[node.input[index]] else {
            throw NodeProblem("input \(index + 1) (\"\(node.input[index])\") must be a constant (an initializer) for lens")
        }
        return value
    }

    func floats(_ node: Onnx_NodeProto, _ index: Int, what: String) throws -> ONNXTensor {
        guard let value = try constant(node, index) else { throw NodeProblem("\(what) (input \(index + 1)) is missing") }
        guard value.floats != nil else { throw NodeProblem("\(what) holds integers, not float32 values") }
        return value
    }

    func shape(of layer: String) -> [Int] { shapes[layer] ?? [] }

    /// Appends a layer reading `inputs`, working out its output shape; returns its name.
    @discardableResult
    mutating func append(_ name: String, _ operation: LayerSpec.Operation, inputs: [String]) throws -> String {
        let inputShapes = inputs.map(shape(of:))
        let output: [Int]
        do {
            output = try operation.outputShape(forInputs: inputShapes)
        } catch let problem as ShapeProblem {
            throw NodeProblem("\(problem.message) (input shape\(inputShapes.count == 1 ? "" : "s") \(inputShapes.map { "\($0)" }.joined(separator: ", ")), without the batch axis)")
        }
        guard ONNXTensor.elementCount(output) != nil else {
            throw NodeProblem("its output \(output) would hold more than \(ONNXTensor.maximumElements) values per image")
        }
        specs.append(LayerSpec(name: name, operation: operation, inputs: inputs))
        shapes[name] = output
        return name
    }

    /// A constant layer for an operand of a broadcasting operation: its ONNX shape without the batch axis.
    mutating func constantLayer(_ name: String, _ value: ONNXTensor, batchedRank: Int) throws -> String {
        guard let floats = value.floats else { throw NodeProblem("constant operand \"\(name)\" holds integers") }
        var shape = value.shape
        // A full-rank constant carries a batch axis of 1 (and any longer shape leading 1s).
        while shape.count >= batchedRank {
            guard shape.first == 1 else { throw NodeProblem("constant operand of shape \(value.shape) does not broadcast over the batch") }
            shape.removeFirst()
        }
        specs.append(LayerSpec(name: name, operation: .constant(shape: shape, values: floats), inputs: []))
        shapes[name] = shape
        return name
    }
}

extension Onnx_NodeProto {
    func attribute(_ name: String) -> Onnx_AttributeProto? { attribute.first { $0.name == name } }
    func int(_ name: String, default value: Int) -> Int { attribute(name).map { Int($0.i) } ?? value }
    func float(_ name: String, default value: Float) -> Float { attribute(name).map(\.f) ?? value }
    func ints(_ name: String) -> [Int]? { attribute(name).map { $0.ints.map { Int($0) } } }
    func string(_ name: String) -> String? { attribute(name).map { String(decoding: $0.s, as: UTF8.self) } }
}
